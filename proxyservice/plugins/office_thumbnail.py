"""The built-in office thumbnail plugin: the first page of a document, slide or sheet, through LibreOffice; its
pages or sheets, title, author and text."""

from ..services.office import OfficeConverter
from .api import JobContext, Metadata, ProxySize, WorkerProxyPlugin
from .pages import NUMBERED_PAGE_SCHEMA, PAGE_SCHEMA, ingest_numbered_pdf_pages, ingest_pdf_pages
from .text_proxy import TEXT_SCHEMA, ingest_text, read_text

NAMESPACE = "office_thumbnail"


def make_office_thumbnail(file_id: str, path: str, width: int, height: int, pages: int | None = None, *,
                          context: JobContext) -> list[str]:
    """Make an office document into a PDF, and its first page into ``thumbnail`` (the top, legible) and ``page``
    proxies, and with ``pages`` its first pages into ``page-1``…; keep its pages (or sheets), title, author and
    text, read in the same run of LibreOffice; runs in a worker."""
    box, settings = ProxySize(width, height), context.settings
    with context.snapshot(path, file_id) as document, context.temporary_file(".pdf") as pdf, \
            context.temporary_file(".txt") as text:
        facts = context.office_converter().read(document, pdf, settings.RENDER_TIMEOUT, pages or 1, text,
                                                settings.MAX_TEXT_BYTES + 1)
        ingest_pdf_pages(context, pdf, file_id, NAMESPACE, box)
        if pages is not None:
            ingest_numbered_pdf_pages(context, pdf, file_id, NAMESPACE, box, pages)
        Metadata(file_id, OfficeThumbnail, context).ingest(facts)
        return ingest_text(context, file_id, OfficeThumbnail, read_text(text, settings.MAX_TEXT_BYTES))


class OfficeThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of a Word, Excel, PowerPoint, OpenDocument or RTF file (the top of its first page),
    and a ``page`` (all of it)."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = OfficeConverter.EXTENSIONS
    MIMETYPES = frozenset({
        "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text-template",
        "application/rtf", "text/rtf",
        "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet", "application/vnd.oasis.opendocument.spreadsheet-template",
        "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.oasis.opendocument.presentation-template",
    })
    SCHEMA = [{"name": "thumbnail", "prompt": "The top of the first page, at a size its text can be read",
               "value": {"datatype": "Proxy", "mimetype": "image/png"}}, PAGE_SCHEMA, NUMBERED_PAGE_SCHEMA,
              {"name": "pages", "prompt": "Pages (a text's, as laid out; a presentation's slides)",
               "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "sheets", "prompt": "Sheets (a spreadsheet's)", "value": {"datatype": "Integer"},
               "searchable": True},
              {"name": "title", "prompt": "Title (document properties)", "value": {"datatype": "String"},
               "searchable": True},
              {"name": "author", "prompt": "Author (document properties)", "value": {"datatype": "String"},
               "searchable": True},
              *TEXT_SCHEMA]
    MAKES_PAGES = True
    job = staticmethod(make_office_thumbnail)  # type: ignore[assignment]  # pages after height: context keyword-only
