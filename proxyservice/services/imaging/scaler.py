"""Scaling rendered pages and pictures down to proxy size."""

import logging
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Iterator

from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError, features

from ...domain import MODERN_FORMATS, Area, ImageFormat, ProxySize
from .errors import ImageInvalid, ImageTooLarge
from .facts import image_facts

logger = logging.getLogger(__name__)

DEFAULT_MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85
ENCODINGS: dict[tuple[ImageFormat, bool], dict[str, object]] = {
    # (format, from a photo): Pillow's options. Pages and drawings keep every pixel in WebP (text
    # stays sharp, and their flat colours compress better than as PNG); photos take lossy qualities
    # that look like the JPEG they come from at fewer bytes.
    (ImageFormat.WEBP, False): {"lossless": True, "quality": 80, "method": 4},
    (ImageFormat.WEBP, True): {"quality": 80, "method": 4},
    (ImageFormat.AVIF, False): {"quality": 80, "speed": 6},
    (ImageFormat.AVIF, True): {"quality": 60, "speed": 6},
}
"""How each modern format is written, for a picture from a page or a photo."""
UNIFORM_SHARE = 0.9998
"""A picture is near-uniform when one colour covers this share of its pixels or more: at 1024×768, all but
157 pixels. One short word of 16 px text covers about twice that; a page drawn blank covers none."""
PAPER_TOLERANCE = 24
"""How far (0-255) a pixel's colour may be from the paper's and still be blank paper: JPEG noise and
anti-aliasing halos are paper, the palest text and rules are not."""


@dataclass(frozen=True)
class ScaledImage:
    """What :meth:`ImageScaler.fit` wrote."""

    width: int
    height: int
    mimetype: str
    """``image/png``, or ``image/jpeg`` for an opaque photo."""

    @property
    def extension(self) -> str:
        """The file extension that goes with the mimetype."""
        fmt = ImageFormat.of_mimetype(self.mimetype)
        return fmt.extension if fmt else ".png"


class ImageScaler:
    """Makes proxies of images with Pillow.

    Parameters
    ----------
    max_pixels
        Images with more pixels are refused before they are decoded.
    """

    def __init__(self, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        self.max_pixels = max_pixels

    @staticmethod
    @cache
    def modern_formats() -> tuple[ImageFormat, ...]:
        """The modern formats this Pillow can write (AVIF needs Pillow 11.3 built with libavif); asked once."""
        return tuple(fmt for fmt in MODERN_FORMATS if features.check(fmt.value))

    @contextmanager
    def _opened(self, source: Path, doing: str) -> Iterator[Image.Image]:
        """``source`` opened with Pillow, refused past ``max_pixels`` before it is decoded.

        Raises
        ------
        ImageInvalid
            It is not a readable image; ``doing`` says what was being done, in the message.
        ImageTooLarge
            It has more than ``max_pixels`` pixels.
        """
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                with Image.open(source) as opened:
                    width, height = opened.size
                    if width * height > self.max_pixels:
                        raise ImageTooLarge(
                            f"{source.name} is {width}x{height} pixels; the limit is {self.max_pixels} "
                            "(MAX_IMAGE_PIXELS)"
                        )
                    yield opened
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            # Pillow's own limit met before ours could be: say ours, not its internal figures.
            raise ImageTooLarge(f"{source.name} has more pixels than the limit of {self.max_pixels} "
                                "(MAX_IMAGE_PIXELS)") from e
        except (UnidentifiedImageError, OSError, ValueError, EOFError) as e:
            # Pillow names the file by its whole path ("cannot identify image file '/…/.proxytmp/…'"): its name will do.
            raise ImageInvalid(f"{source.name} {doing}: {str(e).replace(str(source), source.name)}") from e

    def encode(self, source: Path, target: Path, fmt: ImageFormat) -> ScaledImage:
        """Write a proxy's picture again in a modern format, at its size.

        Parameters
        ----------
        source
            A proxy: PNG from a page, a drawing or text, or JPEG from a photo.
        fmt
            One of :meth:`modern_formats`.

        Raises
        ------
        ImageInvalid
            ``source`` is not a readable image, or ``fmt`` cannot be written here.
        ImageTooLarge
            It has more than ``max_pixels`` pixels.
        """
        if fmt not in self.modern_formats():
            raise ImageInvalid(f"this Pillow cannot write {fmt.value.upper()}")
        with self._opened(source, f"cannot be written as {fmt.value.upper()}") as opened:
            photo = opened.format == "JPEG"
            image = opened.convert("RGBA" if opened.mode in ("RGBA", "LA", "PA") or "transparency" in opened.info
                                   else "RGB")
            image.save(target, format=fmt.value.upper(), **ENCODINGS[fmt, photo])
            return ScaledImage(image.width, image.height, fmt.mimetype)

    def facts(self, source: Path) -> dict[str, Any]:
        """The image's size, format and EXIF fields (:func:`.facts.image_facts`), read without decoding it.

        Raises
        ------
        ImageInvalid, ImageTooLarge
        """
        with self._opened(source, "cannot be read") as opened:
            return image_facts(opened)

    def is_near_uniform(self, source: Path) -> bool:
        """Whether one colour covers :data:`UNIFORM_SHARE` of the picture at ``source`` or more (a blank render).

        Raises
        ------
        ImageInvalid
            ``source`` is not a readable image.
        ImageTooLarge
            It has more than ``max_pixels`` pixels.
        """
        with self._opened(source, "is not a readable image") as opened:
            pixels = opened.width * opened.height
            others = int(pixels * (1 - UNIFORM_SHARE))
            # Pillow's colour histogram: more distinct colours than ``others + 1`` cannot leave one covering the rest.
            colours = opened.convert("RGB").getcolors(maxcolors=others + 1)
            return colours is not None and max(count for count, _ in colours) >= pixels - others

    def used_area(self, source: Path) -> tuple[Area, Area | None]:
        """A drawn page's whole area, and the part of it that is not blank paper (``None`` if none is).

        The paper's colour is the top left pixel's: white for most pages, the
        background of a tinted one.

        Raises
        ------
        ImageInvalid
            ``source`` is not a readable image.
        ImageTooLarge
            It has more than ``max_pixels`` pixels.
        """
        with self._opened(source, "is not a readable image") as opened:
            page = opened.convert("RGB")
        paper = Image.new("RGB", page.size, page.getpixel((0, 0)))
        ink = ImageChops.difference(page, paper).convert("L").point(lambda v: 255 if v > PAPER_TOLERANCE else 0)
        found = ink.getbbox()
        used = None if found is None else Area(found[0], found[1], found[2] - found[0], found[3] - found[1])
        return Area(0, 0, page.width, page.height), used

    def fit(self, source: Path, target: Path, box: ProxySize, palette: bool = False, photo: bool = False,
            area: Area | None = None) -> ScaledImage:
        """Scale an image to fit in ``box``, keeping its aspect ratio.

        An image already smaller than the box keeps its size; EXIF orientation
        is applied; an animation gives its first frame; an alpha channel that
        is opaque everywhere is dropped, and real transparency is kept.

        Parameters
        ----------
        palette
            Reduce to 256 colours: right for rendered pages (flat colours and
            text: about a fifth of the bytes, no visible change), wrong for photos.
        photo
            Write an opaque result as JPEG (a tenth of a PNG's bytes for a photo).
        area
            Only this part of the image is scaled (the top of a page, :func:`~proxyservice.domain.reading_area`).

        Raises
        ------
        ImageInvalid
            ``source`` is not a readable image.
        ImageTooLarge
            It has more than ``max_pixels`` pixels.
        """
        with self._opened(source, "is not a readable image") as opened:
            return self._scale(opened, target, box, palette, photo, area)

    @staticmethod
    def _scale(opened: Image.Image, target: Path, box: ProxySize, palette: bool, photo: bool,
               area: Area | None) -> ScaledImage:
        if area is None:
            opened.draft("RGB", (box.width * 2, box.height * 2))  # JPEG: decode at a smaller scale
        image = ImageOps.exif_transpose(opened) or opened
        if area is not None:
            image = image.crop((area.left, area.top, area.right, area.bottom))
        if image.mode in ("RGBA", "LA") and image.getextrema()[-1] == (255, 255):
            # Opaque (as every rendered page is): resampled as colour alone, without premultiplying, at half the cost.
            image = image.convert(image.mode[:-1])
        image.thumbnail((box.width, box.height), Image.Resampling.LANCZOS)
        if image.mode == "P" and "transparency" in image.info:
            image = image.convert("RGBA")
        elif image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA" if image.mode in ("PA", "La") else "RGB")
        if image.mode in ("RGBA", "LA") and image.getchannel("A").getextrema() == (255, 255):
            image = image.convert(image.mode[:-1])
        if photo and image.mode in ("RGB", "L"):
            image.save(target, format="JPEG", quality=JPEG_QUALITY, optimize=True)
            return ScaledImage(image.width, image.height, "image/jpeg")
        if palette and image.mode in ("RGB", "RGBA"):
            image = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        # zlib's default level, without optimize's search: a fifth of the time for some 3% more bytes.
        image.save(target, format="PNG")
        return ScaledImage(image.width, image.height, "image/png")
