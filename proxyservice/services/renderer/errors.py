"""Errors of the HTML renderer.

RenderError
├── RendererMissing   wkhtmltoimage is not installed or cannot run
├── RenderFailed      the renderer ran but made no image
└── RenderTimedOut    the render took longer than its limit and was killed
"""

__all__ = ["RenderError", "RendererMissing", "RenderFailed", "RenderTimedOut"]


class RenderError(Exception):
    """Base of the renderer's errors."""


class RendererMissing(RenderError):
    """wkhtmltoimage cannot be run; install Debian's wkhtmltopdf package or set WKHTMLTOIMAGE."""


class RenderFailed(RenderError):
    """wkhtmltoimage made no image of the page; the message has its own words."""


class RenderTimedOut(RenderError):
    """The page took longer to render than RENDER_TIMEOUT allows; it was stopped."""
