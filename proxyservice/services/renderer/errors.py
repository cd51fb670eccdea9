"""Errors of the HTML renderers (wkhtmltoimage, Chromium).

RenderError
├── RendererMissing   the engine (wkhtmltoimage, or Chromium and Playwright) is not installed or cannot run
├── RenderFailed      the renderer ran but made no image
└── RenderTimedOut    the render took longer than its limit and was killed
"""

from ...errors import InputInvalid, LimitExceeded, ProxyServiceError, ResourceUnavailable

__all__ = ["RenderError", "RendererMissing", "RenderFailed", "RenderTimedOut"]


class RenderError(ProxyServiceError):
    """Base of the renderer's errors."""


class RendererMissing(RenderError, ResourceUnavailable):
    """The engine cannot be run: install Debian's wkhtmltopdf (or set WKHTMLTOIMAGE), or chromium and
    proxyservice[chromium] (or set CHROMIUM); the message says which."""


class RenderFailed(RenderError, InputInvalid):
    """The engine made no image of the page; the message has its own words."""


class RenderTimedOut(RenderError, LimitExceeded):
    """The page took longer to render than RENDER_TIMEOUT allows; it was stopped."""
