"""The built-in EPUB thumbnail plugin: the book's cover, or else its first page rendered; its title, author and
language, and its text."""

import time
from pathlib import Path, PurePosixPath

from ..domain import numbered_typeidentifier
from ..services.epub import EpubBook, EpubInvalid
from ..services.epub.book import Item
from ..services.imaging import ImageInvalid
from ..services.renderer.page_text import page_text
from .api import JobContext, Metadata, ProxySize, SourceView, WorkerProxyPlugin, ingest_scaled
from .pages import NUMBERED_PAGE_SCHEMA, PAGE_SCHEMA, ingest_drawn_pages
from .text_proxy import TEXT_SCHEMA, ingest_text

NAMESPACE = "epub_thumbnail"
COVER_UNREADABLE = "%s: its cover (%s) is not an image that can be read; the book may be damaged"
BOOK_PAGE = ProxySize(600, 800)
"""The window a book without a cover is rendered in, in CSS pixels: a reader's page (as an e-reader's), whose
text wraps at a width the box's width can show legibly, where a 1024 pixel wide screen cannot."""
MAX_BOOK_PAGES = 10_000
"""More pages than the reading order of any book has (its zip holds at most MAX_MEMBERS files)."""
TIME_SPENT = ("only the first %d of the %d pages asked for were drawn: the book's pages took half of the task's "
              "time (TASK_SOFT_TIME_LIMIT)")


def make_epub_thumbnail(file_id: str, path: str, width: int, height: int, pages: int | None = None, *,
                        context: JobContext) -> list[str]:
    """Store a ``thumbnail`` and a ``page`` of a book: its cover image for both, or else its first page as the
    HTML renderer draws it on a reader's page, whole (``page``) and its top at a size it can be read (``thumbnail``);
    and with ``pages``, the first pages of its reading order each drawn so, whole, as ``page-1``…

    Returns
    -------
    list of str
        Warnings: what the first page (and each page asked for) could not load (none for a cover), a text cut at
        MAX_TEXT_BYTES.
    """
    with context.snapshot(path, file_id) as copy:
        warnings = _pictures(context, copy, file_id, ProxySize(width, height), pages)
        with EpubBook(copy, context.settings.MAX_UNPACKED_BYTES) as book:  # a budget of its own for the text
            Metadata(file_id, EPUBThumbnail, context).ingest(book.facts())
            return warnings + ingest_text(context, file_id, EPUBThumbnail,
                                          _text(book, context.settings.MAX_TEXT_BYTES + 1))


def _text(book: EpubBook, limit: int) -> str:
    """The text of the book's pages in reading order, until it holds ``limit`` characters."""
    parts: list[str] = []
    size = 0
    for page in book.pages(MAX_BOOK_PAGES):
        parts.append(page_text(book.read(page.path), limit - size))
        size += len(parts[-1]) + 2
        if size >= limit:
            break
    return "\n\n".join(part for part in parts if part)


def _pictures(context: JobContext, copy: Path, file_id: str, box: ProxySize, pages: int | None) -> list[str]:
    """Store the ``thumbnail``, ``page`` and numbered pages of a book (see :func:`make_epub_thumbnail`); return the
    warnings."""
    with EpubBook(copy, context.settings.MAX_UNPACKED_BYTES) as book:
        cover = book.cover()
        if cover is not None:
            _ingest_cover(context, book, cover, file_id, box)
            if pages is None:
                return []
        first = book.first_page()
        with context.temporary_folder(".book") as folder:
            book.unpack(folder)  # once: what it unpacks counts against MAX_UNPACKED_BYTES
            warnings = [] if cover is not None else _render_page(context, folder, folder / first.path, file_id, box)
            if pages is not None:
                warnings += _render_numbered_pages(context, folder, book.pages(pages), file_id, box)
            return warnings


def _ingest_cover(context: JobContext, book: EpubBook, cover: Item, file_id: str, box: ProxySize) -> None:
    """The cover image as the book's ``thumbnail`` and ``page``, whole."""
    with context.temporary_file(PurePosixPath(cover.path).suffix) as picture:
        picture.write_bytes(book.read(cover.path))
        try:
            for typeidentifier in ("thumbnail", "page"):
                ingest_scaled(context, picture, file_id, NAMESPACE, typeidentifier, box, photo=True)
        except ImageInvalid as e:
            # The scaler's words name the job's temporary copy, which means nothing to the client.
            raise EpubInvalid(COVER_UNREADABLE % (book.name, PurePosixPath(cover.path).name)) from e


def _render_page(context: JobContext, book: Path, page: Path, file_id: str, box: ProxySize) -> list[str]:
    """Render one page of an unpacked book, which may read the whole book and nothing else."""
    with context.temporary_file() as raw:
        report = context.html_renderer().with_viewport(BOOK_PAGE).render(
            page, raw, context.settings.RENDER_TIMEOUT, SourceView(book, (page, book)))
        ingest_drawn_pages(context, raw, file_id, NAMESPACE, box)
    return list(report.warnings)


def _render_numbered_pages(context: JobContext, book: Path, pages: list[Item], file_id: str,
                           box: ProxySize) -> list[str]:
    """Render each page of the reading order asked for on a reader's page, and store it whole as ``page-K``.

    Each is a render of its own (bounded by RENDER_TIMEOUT); pages are left out, with a warning, once the job
    has used half of TASK_SOFT_TIME_LIMIT, so that a long book ends with its first pages rather than none.
    """
    warnings: list[str] = []
    stop_at = time.monotonic() + context.settings.TASK_SOFT_TIME_LIMIT / 2
    for number, item in enumerate(pages, start=1):
        if time.monotonic() > stop_at:
            warnings.append(TIME_SPENT % (number - 1, len(pages)))
            break
        page = book / item.path
        with context.temporary_file() as raw:
            report = context.html_renderer().with_viewport(BOOK_PAGE).render(
                page, raw, context.settings.RENDER_TIMEOUT, SourceView(book, (page, book)))
            ingest_scaled(context, raw, file_id, NAMESPACE, numbered_typeidentifier("page", number), box, palette=True)
        warnings += [f"page-{number}: {warning}" for warning in report.warnings]
    return warnings


class EPUBThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` and a ``page`` of an EPUB book: its cover, or its first page."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".epub"})
    MIMETYPES = frozenset({"application/epub+zip"})
    SCHEMA = [{"name": "thumbnail", "prompt": "The cover, or else the top of the first page, at a size its text "
               "can be read", "value": {"datatype": "Proxy", "mimetype": "image/jpeg"}},
              {**PAGE_SCHEMA, "prompt": "The cover, or else the whole first page",
               "value": {"datatype": "Proxy", "mimetype": "image/jpeg"}},
              {**NUMBERED_PAGE_SCHEMA, "prompt": "With pages: each page of the reading order asked for, whole on "
               "a reader's page, as page-1, page-2…"},
              {"name": "title", "prompt": "Title", "value": {"datatype": "String"}, "searchable": True},
              {"name": "author", "prompt": "Author (the first creator)", "value": {"datatype": "String"},
               "searchable": True},
              {"name": "language", "prompt": "Language", "value": {"datatype": "String"}, "searchable": True},
              *TEXT_SCHEMA]
    MAKES_PAGES = True
    job = staticmethod(make_epub_thumbnail)  # type: ignore[assignment]  # pages after height: context keyword-only
