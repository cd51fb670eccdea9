"""Pages: which part of a document's first page its default proxy shows, so that its text can be read.

A whole portrait page squeezed into a 400×300 box is 212 pixels wide: body text
is 3 pixels tall. So the default proxy of a paged document is the top of the
page's used area at the box's width, as a reader opening it would see it
first; the whole page is kept as a proxy of its own (``page``).
"""

from dataclasses import dataclass

from .proxy import ProxySize

MARGIN_SHARE = 0.02
"""White kept around the used area, as a share of the page's width: letters never touch the proxy's edge."""
MIN_WIDTH_SHARE = 0.4
"""The shown part is at least this share of the page's width: one short line or a small table is enlarged
to fill the box, a single word is not blown up to a poster."""


@dataclass(frozen=True)
class Area:
    """A rectangle of a picture, in its pixels."""

    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def scaled(self, factor: float) -> "Area":
        """The same rectangle of the picture drawn ``factor`` times as large."""
        left, top = round(self.left * factor), round(self.top * factor)
        return Area(left, top, max(1, round(self.right * factor) - left), max(1, round(self.bottom * factor) - top))


def reading_area(page: Area, used: Area | None, box: ProxySize, min_width: int = 0) -> Area:
    """The part of a page its default proxy shows: the top of its used area, as wide as it is, cut to the box's shape.

    Scaled to the box's width, its text is as large as the page's margins allow:
    white margins are left out, the used area's width fills the box and what
    does not fit under it is cut off. A used area shorter than the box's shape
    (a landscape slide, a small table) is shown whole, and the proxy is less tall
    than the box.

    Parameters
    ----------
    page
        The whole page as drawn, in pixels.
    used
        What is not blank paper on it (see ``ImageScaler.used_area``); ``None`` for a blank page,
        of which the top is shown.
    box
        The box the proxy is made for: the area has its aspect ratio, or is less tall.
    min_width
        The area is at least this many pixels wide too, as the page allows: a page drawn once, which
        cannot be drawn again larger, still fills the box's width without being enlarged.
    """
    page_width, page_height = page.width, page.height
    margin = round(page_width * MARGIN_SHARE)
    if used is None:
        used = Area(margin, margin, max(1, page_width - 2 * margin), max(1, page_height - 2 * margin))
    left, right = max(0, used.left - margin), min(page_width, used.right + margin)
    width = min(page_width, max(right - left, round(page_width * MIN_WIDTH_SHARE), min_width))
    left = min(left, page_width - width)
    top = max(0, used.top - margin)
    bottom = min(page_height, used.bottom + margin)
    height = min(round(width * box.height / box.width), bottom - top)
    return Area(left, top, width, max(1, height))
