"""The built-in PDF thumbnail plugin: the top of the first page at a size it can be read, the whole page, and
the document's pages, title, author and creation date (pdfinfo)."""

import logging
from pathlib import Path

from ..services.pdf import PdfInvalid, PdfTimedOut
from .api import JobContext, Metadata, ProxySize, WorkerProxyPlugin
from .pages import NUMBERED_PAGE_SCHEMA, PAGE_SCHEMA, ingest_numbered_pdf_pages, ingest_pdf_pages
from .text_proxy import TEXT_SCHEMA, ingest_text, read_text

logger = logging.getLogger(__name__)
NO_TEXT = "no text proxy: %s"

NAMESPACE = "pdf_thumbnail"


def make_pdf_thumbnail(file_id: str, path: str, width: int, height: int, pages: int | None = None, *,
                       context: JobContext) -> list[str]:
    """Draw a PDF's first page into its ``thumbnail`` (the top, legible) and ``page`` proxies, and with ``pages``
    its first pages into ``page-1``…; read its facts and its text; runs in a worker.

    Returns
    -------
    list of str
        Warnings: a text cut at MAX_TEXT_BYTES, or none stored (pdftotext failed or took too long: the pictures
        and the facts stand).
    """
    with context.snapshot(path, file_id) as pdf:
        ingest_pdf_pages(context, pdf, file_id, NAMESPACE, ProxySize(width, height))
        if pages is not None:
            ingest_numbered_pdf_pages(context, pdf, file_id, NAMESPACE, ProxySize(width, height), pages)
        facts = context.pdf_rasterizer().facts(pdf, context.settings.RENDER_TIMEOUT)
        Metadata(file_id, PDFThumbnail, context).ingest(
            {"pages": facts.pages, "title": facts.title, "author": facts.author, "created": facts.created})
        return _text(context, pdf, file_id)


def _text(context: JobContext, pdf: Path, file_id: str) -> list[str]:
    """Store the PDF's ``text`` proxy; return its warnings."""
    with context.temporary_file(".txt") as text:
        try:
            context.pdf_rasterizer().text(pdf, text, context.settings.RENDER_TIMEOUT)
        except (PdfInvalid, PdfTimedOut) as e:
            logger.info("%s: %s", pdf.name, e)
            return [NO_TEXT % e]
        return ingest_text(context, file_id, PDFThumbnail, read_text(text, context.settings.MAX_TEXT_BYTES))


class PDFThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of the top of a PDF's first page, and a ``page`` of all of it."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".pdf"})
    MIMETYPES = frozenset({"application/pdf"})
    SCHEMA = [{"name": "thumbnail", "prompt": "The top of the first page, at a size its text can be read",
               "value": {"datatype": "Proxy", "mimetype": "image/png"}}, PAGE_SCHEMA, NUMBERED_PAGE_SCHEMA,
              {"name": "pages", "prompt": "Pages", "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "title", "prompt": "Title", "value": {"datatype": "String"}, "searchable": True},
              {"name": "author", "prompt": "Author", "value": {"datatype": "String"}, "searchable": True},
              {"name": "created", "prompt": "Created", "value": {"datatype": "Date"}, "searchable": True},
              *TEXT_SCHEMA]
    MAKES_PAGES = True
    job = staticmethod(make_pdf_thumbnail)  # type: ignore[assignment]  # pages after height: context keyword-only
