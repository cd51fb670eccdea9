"""Scaling rendered pages and pictures down to proxy size."""

import logging
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from ...domain import ProxySize
from .errors import ImageInvalid, ImageTooLarge

logger = logging.getLogger(__name__)

DEFAULT_MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85


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
        return ".jpg" if self.mimetype == "image/jpeg" else ".png"


class ImageScaler:
    """Makes proxies of images with Pillow.

    Parameters
    ----------
    max_pixels
        Images with more pixels are refused before they are decoded.
    """

    def __init__(self, max_pixels: int = DEFAULT_MAX_PIXELS) -> None:
        self.max_pixels = max_pixels

    def fit(self, source: Path, target: Path, box: ProxySize, palette: bool = False, photo: bool = False) -> ScaledImage:
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

        Raises
        ------
        ImageInvalid
            ``source`` is not a readable image.
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
                    return self._scale(opened, target, box, palette, photo)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
            # Pillow's own limit met before ours could be: say ours, not its internal figures.
            raise ImageTooLarge(f"{source.name} has more pixels than the limit of {self.max_pixels} "
                                "(MAX_IMAGE_PIXELS)") from e
        except (UnidentifiedImageError, OSError, ValueError, EOFError) as e:
            raise ImageInvalid(f"{source.name} is not a readable image: {e}") from e

    @staticmethod
    def _scale(opened: Image.Image, target: Path, box: ProxySize, palette: bool, photo: bool) -> ScaledImage:
        opened.draft("RGB", (box.width * 2, box.height * 2))  # JPEG: decode at a smaller scale
        image = ImageOps.exif_transpose(opened) or opened
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
        image.save(target, format="PNG", optimize=True)
        return ScaledImage(image.width, image.height, "image/png")
