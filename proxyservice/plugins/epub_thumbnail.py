"""The built-in EPUB thumbnail plugin: the book's cover, or else its first page rendered."""

from pathlib import Path, PurePosixPath

from ..services.epub import EpubBook, EpubInvalid
from ..services.imaging import ImageInvalid
from .api import JobContext, ProxySize, SourceView, WorkerProxyPlugin, ingest_scaled
from .pages import PAGE_SCHEMA, ingest_drawn_pages

NAMESPACE = "epub_thumbnail"
COVER_UNREADABLE = "%s: its cover (%s) is not an image that can be read; the book may be damaged"
BOOK_PAGE = ProxySize(600, 800)
"""The window a book without a cover is rendered in, in CSS pixels: a reader's page (as an e-reader's), whose
text wraps at a width the box's width can show legibly, where a 1024 pixel wide screen cannot."""


def make_epub_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Store a ``thumbnail`` and a ``page`` of a book: its cover image for both, or else its first page as the
    HTML renderer draws it on a reader's page, whole (``page``) and its top at a size it can be read (``thumbnail``).

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
                    for typeidentifier in ("thumbnail", "page"):
                        ingest_scaled(context, picture, file_id, NAMESPACE, typeidentifier, box, photo=True)
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
        report = context.html_renderer().with_viewport(BOOK_PAGE).render(
            page, raw, context.settings.RENDER_TIMEOUT, SourceView(book, (page, book)))
        ingest_drawn_pages(context, raw, file_id, NAMESPACE, box)
    return list(report.warnings)


class EPUBThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` and a ``page`` of an EPUB book: its cover, or its first page."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".epub"})
    MIMETYPES = frozenset({"application/epub+zip"})
    SCHEMA = [{"name": "thumbnail", "prompt": "The cover, or else the top of the first page, at a size its text "
               "can be read", "value": {"datatype": "Proxy", "mimetype": "image/jpeg"}},
              {**PAGE_SCHEMA, "prompt": "The cover, or else the whole first page",
               "value": {"datatype": "Proxy", "mimetype": "image/jpeg"}}]
    job = staticmethod(make_epub_thumbnail)
