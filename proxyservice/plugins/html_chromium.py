"""The modern engine's HTML preview: the same first screen, drawn by Chromium (not the default engine).

wkhtmltoimage stays the default engine (``html_preview``). Choose this one
(``HTML_ENGINE=chromium``) for pages built on flexbox, grid or modern
JavaScript, which wkhtmltoimage's QtWebKit draws wrong; or enable it beside the
other, for requests that name it.
"""

from .api import JobContext, WorkerProxyPlugin
from .html_preview import PAGE_FIELDS, HTMLPreview, render_page_preview
from .text_proxy import TEXT_SCHEMA

NAMESPACE = "html_chromium"


def render_chromium_preview(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Render an HTML file with Chromium and store its ``preview`` proxy; runs in a worker."""
    return render_page_preview(context.chromium_renderer(), ChromiumPreview, file_id, path, width, height, context,
                               engine="chromium")


class ChromiumPreview(WorkerProxyPlugin):
    """Renders HTML pages with Chromium (kept warm per worker process) into a ``preview`` PNG."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = HTMLPreview.EXTENSIONS
    MIMETYPES = HTMLPreview.MIMETYPES
    SCHEMA = [{"name": "preview", "prompt": "Preview of the top of the page, drawn by Chromium (preview-chromium "
                                            "when HTML_ENGINE is another and a request named this plugin)",
               "value": {"datatype": "Proxy", "mimetype": "image/png"}}, *PAGE_FIELDS, *TEXT_SCHEMA]
    job = staticmethod(render_chromium_preview)
