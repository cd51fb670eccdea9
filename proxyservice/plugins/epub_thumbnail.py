"""The built-in EPUB thumbnail plugin: the book's cover, or else its first page rendered."""

from pathlib import Path, PurePosixPath

from ..services.epub import EpubBook, EpubInvalid
from ..services.imaging import ImageInvalid
from .api import JobContext, ProxySize, SourceView, WorkerProxyPlugin, ingest_scaled

NAMESPACE = "epub_thumbnail"
COVER_UNREADABLE = "%s: its cover (%s) is not an image that can be read; the book may be damaged"


def make_epub_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Store a ``thumbnail`` of a book: its cover image, or its first page as the HTML renderer draws it.

    Returns
    -------
    list of str
        Warnings: what the first page could not load (none for a cover).
    """
    box = ProxySize(width, height)
    with context.snapshot(path, file_id) as copy, EpubBook(copy, context.settings.MAX_UNPACKED_BYTES) as book:
        cover = book.cover()
        if cover is not None:
            with context.temporary_file(PurePosixPath(cover.path).suffix) as picture:
                picture.write_bytes(book.read(cover.path))
                try:
                    ingest_scaled(context, picture, file_id, NAMESPACE, "thumbnail", box, photo=True)
                except ImageInvalid as e:
                    # The scaler's words name the job's temporary copy, which means nothing to the client.
                    raise EpubInvalid(COVER_UNREADABLE % (book.name, PurePosixPath(cover.path).name)) from e
            return []
        page = book.first_page()
        with context.temporary_folder(".book") as folder:
            book.unpack(folder)
            return _render_page(context, folder, folder / page.path, file_id, box)


def _render_page(context: JobContext, book: Path, page: Path, file_id: str, box: ProxySize) -> list[str]:
    """Render one page of an unpacked book, which may read the whole book and nothing else."""
    with context.temporary_file() as raw:
        report = context.html_renderer().render(page, raw, context.settings.RENDER_TIMEOUT,
                                                SourceView(book, (page, book)))
        ingest_scaled(context, raw, file_id, NAMESPACE, "thumbnail", box, palette=True)
    return list(report.warnings)


class EPUBThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of an EPUB book: its cover, or its first page."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".epub"})
    MIMETYPES = frozenset({"application/epub+zip"})
    SCHEMA = [{"name": "thumbnail", "prompt": "The cover, or the first page",
               "value": {"datatype": "Proxy", "mimetype": "image/jpeg"}}]
    job = staticmethod(make_epub_thumbnail)
