"""The HTML renderer: wkhtmltoimage through imgkit, with a time limit."""

from .errors import RenderError, RenderFailed, RendererMissing, RenderTimedOut
from .renderer import HtmlRenderer, RenderReport

__all__ = [
    "HtmlRenderer",
    "RenderReport",
    "RenderError",
    "RenderFailed",
    "RendererMissing",
    "RenderTimedOut",
]
