"""Which format a proxy is served in: the one a request names, or the best its ``Accept`` header allows."""

from dataclasses import dataclass
from typing import Iterable, Sequence

from ..domain import MODERN_FORMATS, ImageFormat

PREFERRED = (ImageFormat.AVIF, ImageFormat.WEBP)
"""The modern formats, smallest first: of two a client accepts alike, the first is served."""
UNKNOWN_FORMAT = "format: %r is not one of %s"
NOT_AVAILABLE = "format: %s is not available on this service (its Pillow cannot write it)"


@dataclass(frozen=True)
class FormatRefusal:
    """Why a proxy cannot be served in the format a request named."""

    reason: str


def named_format(name: str, available: Sequence[ImageFormat]) -> ImageFormat | FormatRefusal:
    """The modern format a request names (``?format=webp``), or why it cannot have it.

    Parameters
    ----------
    name
        What the request says.
    available
        The modern formats this service can write.
    """
    fmt = next((fmt for fmt in MODERN_FORMATS if fmt.value == name.lower()), None)
    if fmt is None:
        return FormatRefusal(UNKNOWN_FORMAT % (name, ", ".join(f.value for f in MODERN_FORMATS)))
    if fmt not in available:
        return FormatRefusal(NOT_AVAILABLE % fmt.value.upper())
    return fmt


def accepted_format(accept: Iterable[tuple[str, float]], original: str,
                    available: Sequence[ImageFormat]) -> ImageFormat | None:
    """The modern format to serve a request by its ``Accept`` header; ``None`` to serve the original.

    A modern format is chosen only when the header names it (``image/webp``,
    not merely ``image/*`` or ``*/*``, which a client that cannot decode it
    also sends), and values it no less than the original's media type, as
    browsers do for pictures (``image/avif,image/webp,image/*,*/*;q=0.8``).

    Parameters
    ----------
    accept
        The header's media ranges with their quality values, as parsed.
    original
        The media type the proxy was made in (``image/png``).
    available
        The modern formats this service can write.
    """
    ranges = [(value.lower(), quality) for value, quality in accept]
    if not ranges:
        return None
    named = {value: quality for value, quality in ranges}
    kind = original.split("/")[0]
    original_quality = named.get(original, named.get(f"{kind}/*", named.get("*/*", 0.0)))
    best: tuple[float, ImageFormat] | None = None
    for fmt in PREFERRED:
        quality = named.get(fmt.mimetype, 0.0)
        if fmt in available and quality > 0 and quality >= original_quality and (best is None or quality > best[0]):
            best = (quality, fmt)
    return best[1] if best else None
