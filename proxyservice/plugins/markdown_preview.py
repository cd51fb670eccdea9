"""The built-in Markdown preview plugin: the text made into a page by markdown-it-py, then rendered as one; its
first heading, and its text as the page shows it."""

import html
from pathlib import Path

from markdown_it import MarkdownIt

from ..services.renderer.page_text import page_text
from .api import JobContext, Metadata, ProxySize, SourceView, WorkerProxyPlugin, ingest_scaled
from .blank_preview import draw_page
from .text_proxy import TEXT_SCHEMA, ingest_text

NAMESPACE = "markdown_preview"
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title><style>
body {{ font: 16px/1.5 "DejaVu Sans", sans-serif; color: #1f2328; margin: 24px 32px; word-wrap: break-word; }}
h1, h2 {{ border-bottom: 1px solid #d0d7de; padding-bottom: .3em; }}
code, pre {{ font-family: "DejaVu Sans Mono", monospace; background: #f6f8fa; }}
pre {{ padding: 12px; white-space: pre-wrap; }}
blockquote {{ color: #59636e; border-left: 4px solid #d0d7de; margin: 0; padding: 0 1em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #d0d7de; padding: 4px 10px; }}
</style></head><body>
{body}
<script>{fit}</script>
</body></html>
"""
"""The page the Markdown becomes: GitHub's look, in fonts every worker has (fonts-dejavu-core). Long lines of
code and long words wrap; what still does not fit the window (a wide table) is scaled down to fit it."""
FIT_TO_WINDOW = ("var wide = document.documentElement.scrollWidth;"
                 "if (wide > {width}) {{ document.body.style.zoom = ({width} / wide).toFixed(3); }}")
"""Scale the page to the window's width when it is wider (ES5 and CSS ``zoom``, which QtWebKit and Chromium
both have): the renderer crops to the window, and a wide table would lose its right side. The width is
written in, as wkhtmltoimage widens its window to the page."""


def markdown_page(text: str, title: str, width: int = 1024) -> str:
    """The HTML page of a Markdown text: CommonMark with tables and strikethrough, fitting ``width`` pixels.

    HTML written in the Markdown is shown as text, not used: the page is what
    the Markdown says, and a file cannot bring scripts or frames of its own.
    """
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return PAGE.format(title=html.escape(title), body=parser.render(text),
                       fit=FIT_TO_WINDOW.format(width=width))


def render_markdown_preview(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Make a Markdown file into a page and store the page's ``preview`` proxy; runs in a worker.

    Returns
    -------
    list of str
        Warnings: what the page could not load (an image beside the Markdown is not shown), a blank preview
        of a text that is not empty.
    """
    with context.snapshot(path, file_id) as copy, context.temporary_folder(".page") as folder, \
            context.temporary_file() as raw:
        text = copy.read_bytes().decode("utf-8", "replace")
        page = folder / "page.html"
        page.write_text(markdown_page(text, Path(path).name, context.settings.RENDER_VIEWPORT_WIDTH), encoding="utf-8")
        warnings = draw_page(context, context.html_renderer(), "wkhtmltoimage", SourceView.of_file(page), raw, None,
                             shows_something=lambda: bool(text.strip()))
        ingest_scaled(context, raw, file_id, NAMESPACE, "preview", ProxySize(width, height), palette=True)
        shown = page_text(page.read_bytes(), context.settings.MAX_TEXT_BYTES + 1)
        Metadata(file_id, MarkdownPreview, context).ingest({"heading": _first_heading(text)})
        warnings += ingest_text(context, file_id, MarkdownPreview, shown)
    return warnings


def _first_heading(text: str) -> str | None:
    """The text of the Markdown's first heading (ATX ``#`` or setext), as CommonMark reads it."""
    tokens = MarkdownIt("commonmark", {"html": False}).parse(text)
    for index, token in enumerate(tokens[:-1]):
        if token.type == "heading_open":
            inline = tokens[index + 1].children or []
            words = " ".join("".join(child.content for child in inline if child.type in ("text", "code_inline"))
                             .split())
            return words[:2000] or None
    return None


class MarkdownPreview(WorkerProxyPlugin):
    """Renders Markdown as the page it stands for, into a ``preview`` PNG."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".md", ".markdown"})
    MIMETYPES = frozenset({"text/markdown", "text/x-markdown"})
    SCHEMA = [{"name": "preview", "prompt": "The text as a page", "value": {"datatype": "Proxy", "mimetype": "image/png"}},
              {"name": "heading", "prompt": "The first heading", "value": {"datatype": "String"}, "searchable": True},
              *TEXT_SCHEMA]
    job = staticmethod(render_markdown_preview)
