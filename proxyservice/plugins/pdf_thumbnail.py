"""The built-in PDF thumbnail plugin: the first page, drawn by poppler's pdftoppm."""


from .api import JobContext, ProxySize, WorkerProxyPlugin, ingest_scaled

NAMESPACE = "pdf_thumbnail"
DRAW_SCALE = 2
"""The page is drawn at twice the proxy size, then scaled down: sharper text."""


def make_pdf_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Draw a PDF's first page into a ``thumbnail`` proxy; runs in a worker."""
    with context.snapshot(path, file_id) as pdf, context.temporary_file(".png") as page:
        context.pdf_rasterizer().first_page(
            pdf, page, DRAW_SCALE * max(width, height), context.settings.RENDER_TIMEOUT
        )
        ingest_scaled(context, page, file_id, NAMESPACE, "thumbnail", ProxySize(width, height), palette=True)
    return []


class PDFThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of a PDF's first page."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".pdf"})
    MIMETYPES = frozenset({"application/pdf"})
    SCHEMA = [{"name": "thumbnail", "prompt": "The first page", "value": {"datatype": "Proxy", "mimetype": "image/png"}}]
    job = staticmethod(make_pdf_thumbnail)
