"""The built-in HTML preview plugin: a PNG of the top of the page, drawn by wkhtmltoimage."""

from typing import Any

from ..services.renderer import PageRenderer
from ..services.renderer.page_content import shows_something
from ..services.renderer.page_facts import HEAD_AT_MOST, page_facts
from ..services.renderer.page_text import page_text
from .blank_preview import draw_page
from .api import JobContext, Metadata, ProxySize, WorkerProxyPlugin, ingest_scaled
from .text_proxy import TEXT_SCHEMA, ingest_text

NAMESPACE = "html_preview"
PAGE_FIELDS: list[dict[str, Any]] = [
    {"name": "title", "prompt": "Title", "value": {"datatype": "String"}, "searchable": True},
    {"name": "language", "prompt": "Language (lang of <html>)", "value": {"datatype": "String"}, "searchable": True},
    {"name": "description", "prompt": "Description (<meta name=description>)", "value": {"datatype": "String"}},
]
"""What both engines' plugins read of a page's head."""
MARKUP_PER_TEXT = 16
"""A page's text is looked for in its first MAX_TEXT_BYTES times this many bytes: markup outweighs text."""


def render_page_preview(renderer: PageRenderer, plugin: type[WorkerProxyPlugin], file_id: str, path: str, width: int,
                        height: int, context: JobContext, engine: str = "wkhtmltoimage") -> list[str]:
    """Render an HTML file with ``renderer`` and store its ``preview`` proxy, and its title, language and
    description, under ``plugin``'s namespace.

    The preview of HTML_ENGINE is ``preview``; the other engine's (a request named
    it) is kept beside it, as ``preview-<engine>``, never in its place.

    A page with something of its own to show that draws blank is drawn again
    whole, and by the other engine when enabled (``blank_preview.py``).

    Returns
    -------
    list of str
        Warnings: resources of the page that could not be loaded, the cut, a blank preview, a text cut at
        MAX_TEXT_BYTES.
    """
    settings = context.settings
    _ = settings.blank_proxy_fails  # a BLANK_PROXY that is neither warn nor fail fails the task at once
    typeidentifier = "preview" if settings.HTML_ENGINE == engine else f"preview-{engine}"
    view = context.page_view(path)
    with context.snapshot(path, file_id) as copy, context.temporary_file() as raw:
        warnings = draw_page(context, renderer, engine, view, raw, copy, lambda: shows_something(copy.read_bytes()))
        ingest_scaled(context, raw, file_id, plugin.NAMESPACE, typeidentifier, ProxySize(width, height), palette=True)
        with copy.open("rb") as page:
            markup = page.read(max(HEAD_AT_MOST, MARKUP_PER_TEXT * settings.MAX_TEXT_BYTES))
        Metadata(file_id, plugin, context).ingest(page_facts(markup[:HEAD_AT_MOST]))
        warnings += ingest_text(context, file_id, plugin, page_text(markup, settings.MAX_TEXT_BYTES + 1))
    return warnings


def render_html_preview(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Render an HTML file with wkhtmltoimage and store its ``preview`` proxy; runs in a worker."""
    return render_page_preview(context.html_renderer(), HTMLPreview, file_id, path, width, height, context)


class HTMLPreview(WorkerProxyPlugin):
    """Renders HTML pages with wkhtmltoimage into a ``preview`` PNG."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
    MIMETYPES = frozenset({"text/html", "application/xhtml+xml"})
    SCHEMA = [{"name": "preview", "prompt": "Preview of the top of the page (preview-wkhtmltoimage when HTML_ENGINE "
                                            "is another and a request named this plugin)",
               "value": {"datatype": "Proxy", "mimetype": "image/png"}}, *PAGE_FIELDS, *TEXT_SCHEMA]
    job = staticmethod(render_html_preview)
