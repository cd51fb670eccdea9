"""The two proxies of a paged document (PDF, office, EPUB): ``thumbnail``, the top of its first page where its
text can be read, and ``page``, the whole first page; and when a request asks for pages, ``page-1``… each whole.

The rule is :func:`~proxyservice.domain.reading_area`'s: white margins left
out, the used width filling the box's width, the rest cut off below.
"""

from pathlib import Path
from typing import Any

from ..domain import ProxySize, numbered_typeidentifier, reading_area
from .base import ingest_part_scaled
from .contract import JobContext

DRAW_SCALE = 2
"""Pages are drawn at twice the proxy size, then scaled down: sharper text."""
SHARP_ENOUGH = 1.5
"""A part of the page already drawn at least this many times the box's width is scaled down from that drawing;
a narrower one is drawn again, larger."""
PAGE_SCHEMA: dict[str, Any] = {"name": "page", "prompt": "The whole first page",
                               "value": {"datatype": "Proxy", "mimetype": "image/png"}}
"""The ``page`` proxy, as every paged document's plugin declares it."""
NUMBERED_PAGE_SCHEMA: dict[str, Any] = {"name": "page-1", "prompt": "With pages: each page asked for, whole, as "
                                        "page-1, page-2…", "value": {"datatype": "Proxy", "mimetype": "image/png"}}
"""The ``page-1``… proxies, as the plugins that make them declare them (one entry names the first)."""
PAGES_PER_DRAWING = 10
"""Pages pdftoppm draws in one run: a run for ten pages costs little more than one for one, and no more than
ten drawings wait on disk at a time (a page drawn for a 1024-pixel box is about 9 MB)."""


def ingest_pdf_pages(context: JobContext, pdf: Path, file_id: str, namespace: str, box: ProxySize) -> None:
    """Store the ``page`` and ``thumbnail`` proxies of a PDF's first page, drawn by pdftoppm.

    The page is drawn whole to fit the box; the part the thumbnail shows is
    found on it, and drawn again at twice the box's width when that drawing is
    too small for it (pdftoppm draws that part alone: it costs what the whole
    page does).
    """
    rasterizer, timeout = context.pdf_rasterizer(), context.settings.RENDER_TIMEOUT
    with context.temporary_file(".ppm") as whole:
        rasterizer.first_page(pdf, whole, DRAW_SCALE * max(box.width, box.height), timeout)
        ingest_part_scaled(context, whole, None, file_id, namespace, "page", box, palette=True)
        page, used = context.image_scaler().used_area(whole)
        area = reading_area(page, used, box)
        if area.width >= SHARP_ENOUGH * box.width:
            ingest_part_scaled(context, whole, area, file_id, namespace, "thumbnail", box, palette=True)
            return
        factor = DRAW_SCALE * box.width / area.width
        with context.temporary_file(".ppm") as top:
            rasterizer.first_page_part(pdf, top, round(page.width * factor), area.scaled(factor), timeout)
            ingest_part_scaled(context, top, None, file_id, namespace, "thumbnail", box, palette=True)


def ingest_drawn_pages(context: JobContext, drawn: Path, file_id: str, namespace: str, box: ProxySize) -> None:
    """Store the ``page`` and ``thumbnail`` proxies of a page already drawn (a rendered screen of a book).

    The thumbnail's part is at least the box's width, as the drawing allows: it cannot be drawn again larger.
    """
    ingest_part_scaled(context, drawn, None, file_id, namespace, "page", box, palette=True)
    page, used = context.image_scaler().used_area(drawn)
    area = reading_area(page, used, box, min_width=box.width)
    ingest_part_scaled(context, drawn, area, file_id, namespace, "thumbnail", box, palette=True)


def ingest_numbered_pdf_pages(context: JobContext, pdf: Path, file_id: str, namespace: str, box: ProxySize,
                              pages: int) -> None:
    """Store pages 1 to ``pages`` of a PDF (as many as it has) as ``page-1``…, each whole in the box.

    pdftoppm draws them :data:`PAGES_PER_DRAWING` at a time, each run bounded by RENDER_TIMEOUT.
    """
    rasterizer, timeout = context.pdf_rasterizer(), context.settings.RENDER_TIMEOUT
    for first in range(1, pages + 1, PAGES_PER_DRAWING):
        last = min(pages, first + PAGES_PER_DRAWING - 1)
        with context.temporary_folder(".pages") as folder:
            drawn = rasterizer.pages(pdf, folder, first, last, DRAW_SCALE * max(box.width, box.height), timeout)
            for number, picture in drawn:
                ingest_part_scaled(context, picture, None, file_id, namespace, numbered_typeidentifier("page", number),
                                   box, palette=True)
        if len(drawn) < last - first + 1:  # the document ended
            return
