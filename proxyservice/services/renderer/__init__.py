"""The HTML renderers: wkhtmltoimage through imgkit (the default), and Chromium kept warm, both with limits."""

from .chromium import ChromiumRenderer
from .errors import RenderError, RenderFailed, RendererMissing, RenderTimedOut
from .renderer import HtmlRenderer, PageRenderer, RenderReport

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
