"""The built-in EPUB thumbnail plugin: the book's cover, or else its first page rendered; its title, author and
language, and its text."""

from pathlib import Path, PurePosixPath

from ..services.epub import EpubBook, EpubInvalid
from ..services.imaging import ImageInvalid
from ..services.renderer.page_text import page_text
from .api import JobContext, Metadata, ProxySize, SourceView, WorkerProxyPlugin, ingest_scaled
from .pages import PAGE_SCHEMA, ingest_drawn_pages
from .text_proxy import TEXT_SCHEMA, ingest_text

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
        Warnings: what the first page could not load (none for a cover), a text cut at MAX_TEXT_BYTES.
    """
    with context.snapshot(path, file_id) as copy:
        warnings = _pictures(context, copy, file_id, ProxySize(width, height))
        with EpubBook(copy, context.settings.MAX_UNPACKED_BYTES) as book:  # a budget of its own for the text
            Metadata(file_id, EPUBThumbnail, context).ingest(book.facts())
            return warnings + ingest_text(context, file_id, EPUBThumbnail,
                                          _text(book, context.settings.MAX_TEXT_BYTES + 1))


def _text(book: EpubBook, limit: int) -> str:
    """The text of the book's pages in reading order, until it holds ``limit`` characters."""
    parts: list[str] = []
    size = 0
    for page in book.pages():
        parts.append(page_text(book.read(page.path), limit - size))
        size += len(parts[-1]) + 2
        if size >= limit:
            break
    return "\n\n".join(part for part in parts if part)


def _pictures(context: JobContext, copy: Path, file_id: str, box: ProxySize) -> list[str]:
    """Store the ``thumbnail`` and ``page`` of a book (see :func:`make_epub_thumbnail`); return the warnings."""
    with EpubBook(copy, context.settings.MAX_UNPACKED_BYTES) as book:
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
               "value": {"datatype": "Proxy", "mimetype": "image/jpeg"}},
              {"name": "title", "prompt": "Title", "value": {"datatype": "String"}, "searchable": True},
              {"name": "author", "prompt": "Author (the first creator)", "value": {"datatype": "String"},
               "searchable": True},
              {"name": "language", "prompt": "Language", "value": {"datatype": "String"}, "searchable": True},
              *TEXT_SCHEMA]
    job = staticmethod(make_epub_thumbnail)
