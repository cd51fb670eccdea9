"""Errors of the SVG rasterizer.

SvgError
├── SvgToolMissing   rsvg-convert is not installed
├── SvgInvalid       the file is not an SVG drawing librsvg can draw
└── SvgTimedOut      drawing took longer than its limit
"""

from ...errors import InputInvalid, LimitExceeded, ProxyServiceError, ResourceUnavailable

__all__ = ["SvgError", "SvgToolMissing", "SvgInvalid", "SvgTimedOut"]


class SvgError(ProxyServiceError):
    """Base of the SVG rasterizer's errors."""


class SvgToolMissing(SvgError, ResourceUnavailable):
    """rsvg-convert cannot be run; install Debian's librsvg2-bin package."""


class SvgInvalid(SvgError, InputInvalid):
    """The file is not an SVG drawing librsvg can draw: not XML, not SVG, or past its limits."""


class SvgTimedOut(SvgError, LimitExceeded):
    """Drawing took longer than RENDER_TIMEOUT allows; it was stopped."""
