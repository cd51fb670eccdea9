"""The built-in PDF thumbnail plugin: the top of the first page at a size it can be read, and the whole page."""

from .api import JobContext, ProxySize, WorkerProxyPlugin
from .pages import NUMBERED_PAGE_SCHEMA, PAGE_SCHEMA, ingest_numbered_pdf_pages, ingest_pdf_pages

NAMESPACE = "pdf_thumbnail"


def make_pdf_thumbnail(file_id: str, path: str, width: int, height: int, pages: int | None = None, *,
                       context: JobContext) -> list[str]:
    """Draw a PDF's first page into its ``thumbnail`` (the top, legible) and ``page`` proxies, and with ``pages``
    its first pages into ``page-1``…; runs in a worker."""
    with context.snapshot(path, file_id) as pdf:
        ingest_pdf_pages(context, pdf, file_id, NAMESPACE, ProxySize(width, height))
        if pages is not None:
            ingest_numbered_pdf_pages(context, pdf, file_id, NAMESPACE, ProxySize(width, height), pages)
    return []


class PDFThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of the top of a PDF's first page, and a ``page`` of all of it."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".pdf"})
    MIMETYPES = frozenset({"application/pdf"})
    SCHEMA = [{"name": "thumbnail", "prompt": "The top of the first page, at a size its text can be read",
               "value": {"datatype": "Proxy", "mimetype": "image/png"}}, PAGE_SCHEMA, NUMBERED_PAGE_SCHEMA]
    MAKES_PAGES = True
    job = staticmethod(make_pdf_thumbnail)  # type: ignore[assignment]  # pages after height: context keyword-only
