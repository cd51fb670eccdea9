"""The built-in PDF thumbnail plugin: the top of the first page at a size it can be read, the whole page, and
the document's pages, title, author and creation date (pdfinfo)."""

from .api import JobContext, Metadata, ProxySize, WorkerProxyPlugin
from .pages import PAGE_SCHEMA, ingest_pdf_pages

NAMESPACE = "pdf_thumbnail"


def make_pdf_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Draw a PDF's first page into its ``thumbnail`` (the top, legible) and ``page`` proxies; runs in a worker."""
    with context.snapshot(path, file_id) as pdf:
        ingest_pdf_pages(context, pdf, file_id, NAMESPACE, ProxySize(width, height))
        facts = context.pdf_rasterizer().facts(pdf, context.settings.RENDER_TIMEOUT)
        Metadata(file_id, PDFThumbnail, context).ingest(
            {"pages": facts.pages, "title": facts.title, "author": facts.author, "created": facts.created})
    return []


class PDFThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of the top of a PDF's first page, and a ``page`` of all of it."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".pdf"})
    MIMETYPES = frozenset({"application/pdf"})
    SCHEMA = [{"name": "thumbnail", "prompt": "The top of the first page, at a size its text can be read",
               "value": {"datatype": "Proxy", "mimetype": "image/png"}}, PAGE_SCHEMA,
              {"name": "pages", "prompt": "Pages", "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "title", "prompt": "Title", "value": {"datatype": "String"}, "searchable": True},
              {"name": "author", "prompt": "Author", "value": {"datatype": "String"}, "searchable": True},
              {"name": "created", "prompt": "Created", "value": {"datatype": "Date"}, "searchable": True}]
    job = staticmethod(make_pdf_thumbnail)
