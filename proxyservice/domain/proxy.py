"""Proxies: the preview images made from a source file."""

import re
from dataclasses import dataclass
from enum import Enum
from typing import Mapping


@dataclass(frozen=True)
class ProxySize:
    """The box a proxy image is scaled to fit in, in pixels."""

    width: int
    height: int


def sized_typeidentifier(typeidentifier: str, box: ProxySize, default: ProxySize,
                         named: Mapping[str, ProxySize]) -> str:
    """The name a proxy of ``typeidentifier`` made to fit ``box`` is kept under, beside its other sizes.

    The default box keeps the plain name (``preview``); a named size adds its name
    (``preview@large``), any other box its dimensions (``preview@640x480``).
    """
    if box == default:
        return typeidentifier
    label = next((name for name, size in named.items() if size == box), f"{box.width}x{box.height}")
    return f"{typeidentifier}@{label}"


def numbered_typeidentifier(kind: str, number: int) -> str:
    """The name of a file's ``number``-th numbered proxy of ``kind``, counted from 1 (``page-3``, ``frame-12``)."""
    return f"{kind}-{number}"


NUMBER = re.compile(r"(\d+)")


def listing_order(typeidentifier: str) -> tuple[str | int, ...]:
    """The key a file's proxies are listed by: by name, a number in it by its value (``page-9`` before ``page-10``).

    Parts alternate text and number (the split keeps the numbers), so keys compare part by part, like to like.
    """
    return tuple(int(part) if index % 2 else part for index, part in enumerate(NUMBER.split(typeidentifier)))


class ImageFormat(Enum):
    """The formats a proxy's picture is kept in.

    A proxy is made as PNG (pages, drawings, text) or JPEG (photos); the
    modern formats are encodings of that picture, made when a client asks.
    """

    PNG = "png"
    JPEG = "jpeg"
    WEBP = "webp"
    AVIF = "avif"

    @property
    def mimetype(self) -> str:
        """Its media type (``image/webp``)."""
        return f"image/{self.value}"

    @property
    def extension(self) -> str:
        """The file extension with its dot (``.webp``; ``.jpg`` for JPEG)."""
        return ".jpg" if self is ImageFormat.JPEG else f".{self.value}"

    @property
    def is_modern(self) -> bool:
        """Whether it is made from a proxy on request, not by the plugin (WebP, AVIF)."""
        return self in (ImageFormat.WEBP, ImageFormat.AVIF)

    @classmethod
    def of_mimetype(cls, mimetype: str) -> "ImageFormat | None":
        """The format of a media type; ``None`` for one that is none of these."""
        return next((fmt for fmt in cls if fmt.mimetype == mimetype.lower()), None)


MODERN_FORMATS = tuple(fmt for fmt in ImageFormat if fmt.is_modern)


def encoded_typeidentifier(typeidentifier: str, fmt: ImageFormat) -> str:
    """The name a proxy re-encoded in a modern format is kept under, beside its original (``preview@large.webp``)."""
    return f"{typeidentifier}.{fmt.value}"


def copy_format(typeidentifier: str) -> ImageFormat | None:
    """The modern format a name says its proxy is a copy in (``preview.webp``); ``None`` for a plugin's proxy."""
    return next((fmt for fmt in MODERN_FORMATS if typeidentifier.endswith(f".{fmt.value}")), None)


@dataclass(frozen=True)
class ProxyFile:
    """One proxy of one source file, as it stands in the proxy store."""

    file_id: str
    """Content hash of the source file the proxy was made from."""
    typeidentifier: str
    """What kind of proxy this is (``preview``, ``thumbnail``), and at which size when not the default
    (``preview@large``, ``thumbnail@640x480``); unique per file."""
    filename: str
    """The name a client saves it under (``preview.png``)."""
    mimetype: str
    width: int
    height: int
    bytes: int
    checksum: str
    """SHA-256 of the proxy's bytes, hex; also its ETag."""
    plugin: str
    """Namespace of the plugin that made it."""
    made_from: str = ""
    """For a proxy re-encoded in a modern format (``preview.webp``): the checksum of the proxy it was
    encoded from, so a copy of an older picture is never served; empty for a proxy made from the file."""
