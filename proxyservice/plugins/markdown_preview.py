"""The built-in Markdown preview plugin: the text made into a page by markdown-it-py, then rendered as one."""

import html
from pathlib import Path

from markdown_it import MarkdownIt

from .api import JobContext, ProxySize, SourceView, WorkerProxyPlugin, ingest_scaled

NAMESPACE = "markdown_preview"
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title><style>
body {{ font: 16px/1.5 "DejaVu Sans", sans-serif; color: #1f2328; margin: 24px 32px; }}
h1, h2 {{ border-bottom: 1px solid #d0d7de; padding-bottom: .3em; }}
code, pre {{ font-family: "DejaVu Sans Mono", monospace; background: #f6f8fa; }}
pre {{ padding: 12px; }} blockquote {{ color: #59636e; border-left: 4px solid #d0d7de; margin: 0; padding: 0 1em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #d0d7de; padding: 4px 10px; }}
</style></head><body>
{body}
</body></html>
"""
"""The page the Markdown becomes: GitHub's look, in fonts every worker has (fonts-dejavu-core)."""


def markdown_page(text: str, title: str) -> str:
    """The HTML page of a Markdown text: CommonMark with tables and strikethrough.

    HTML written in the Markdown is shown as text, not used: the page is what
    the Markdown says, and a file cannot bring scripts or frames of its own.
    """
    parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return PAGE.format(title=html.escape(title), body=parser.render(text))


def render_markdown_preview(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Make a Markdown file into a page and store the page's ``preview`` proxy; runs in a worker.

    Returns
    -------
    list of str
        Warnings: what the page could not load (an image beside the Markdown is not shown).
    """
    with context.snapshot(path, file_id) as copy, context.temporary_folder(".page") as folder, \
            context.temporary_file() as raw:
        page = folder / "page.html"
        page.write_text(markdown_page(copy.read_bytes().decode("utf-8", "replace"), Path(path).name),
                        encoding="utf-8")
        report = context.html_renderer().render(page, raw, context.settings.RENDER_TIMEOUT, SourceView.of_file(page))
        ingest_scaled(context, raw, file_id, NAMESPACE, "preview", ProxySize(width, height), palette=True)
    return list(report.warnings)


class MarkdownPreview(WorkerProxyPlugin):
    """Renders Markdown as the page it stands for, into a ``preview`` PNG."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".md", ".markdown"})
    MIMETYPES = frozenset({"text/markdown", "text/x-markdown"})
    SCHEMA = [{"name": "preview", "prompt": "The text as a page", "value": {"datatype": "Proxy", "mimetype": "image/png"}}]
    job = staticmethod(render_markdown_preview)
