"""The built-in office thumbnail plugin: the first page of a document, slide or sheet, through LibreOffice."""

from ..services.office import OfficeConverter
from .api import JobContext, ProxySize, WorkerProxyPlugin
from .pages import PAGE_SCHEMA, ingest_pdf_pages

NAMESPACE = "office_thumbnail"


def make_office_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Make an office document into a PDF, and its first page into ``thumbnail`` (the top, legible) and ``page``
    proxies; runs in a worker."""
    with context.snapshot(path, file_id) as document, context.temporary_file(".pdf") as pdf:
        context.office_converter().to_pdf(document, pdf, context.settings.RENDER_TIMEOUT)
        ingest_pdf_pages(context, pdf, file_id, NAMESPACE, ProxySize(width, height))
    return []


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
               "value": {"datatype": "Proxy", "mimetype": "image/png"}}, PAGE_SCHEMA]
    job = staticmethod(make_office_thumbnail)
