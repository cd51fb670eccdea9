"""The HTML renderers: wkhtmltoimage through imgkit (the default), and Chromium kept warm, both with limits."""

from .chromium import ChromiumRenderer
from .errors import RenderError, RenderFailed, RendererMissing, RenderTimedOut
from .engine import PageRenderer, RenderReport
from .renderer import HtmlRenderer

__all__ = [
    "ChromiumRenderer",
    "HtmlRenderer",
    "PageRenderer",
    "RenderReport",
    "RenderError",
    "RenderFailed",
    "RendererMissing",
    "RenderTimedOut",
]
