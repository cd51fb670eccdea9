"""The built-in office thumbnail plugin: the first page of a document, slide or sheet, through LibreOffice."""

from ..services.office import OfficeConverter
from .api import JobContext, ProxySize, WorkerProxyPlugin, ingest_scaled
from .pdf_thumbnail import DRAW_SCALE

NAMESPACE = "office_thumbnail"


def make_office_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Make an office document into a PDF, and its first page into a ``thumbnail`` proxy; runs in a worker."""
    timeout = context.settings.RENDER_TIMEOUT
    with context.snapshot(path, file_id) as document, context.temporary_file(".pdf") as pdf, \
            context.temporary_file(".png") as page:
        context.office_converter().to_pdf(document, pdf, timeout)
        context.pdf_rasterizer().first_page(pdf, page, DRAW_SCALE * max(width, height), timeout)
        ingest_scaled(context, page, file_id, NAMESPACE, "thumbnail", ProxySize(width, height), palette=True)
    return []


class OfficeThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of a Word, Excel, PowerPoint, OpenDocument or RTF file: its first page."""

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
    SCHEMA = [{"name": "thumbnail", "prompt": "The first page", "value": {"datatype": "Proxy", "mimetype": "image/png"}}]
    job = staticmethod(make_office_thumbnail)
