"""Scaling rendered pages and pictures down to proxy size."""

import logging
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ...domain import ProxySize
from .errors import ImageInvalid

logger = logging.getLogger(__name__)


class ImageScaler:
    """Makes PNG proxies of images with Pillow."""

    def fit(self, source: Path, target: Path, box: ProxySize, palette: bool = False) -> ProxySize:
        """Scale an image to fit in ``box``, keeping its aspect ratio, as a PNG.

        An image already smaller than the box is kept at its size; an alpha
        channel that is opaque everywhere is dropped.

        Parameters
        ----------
        palette
            Reduce to 256 colours: right for rendered pages (flat colours and
            text: about a fifth of the bytes, no visible change), wrong for photos.

        Returns
        -------
        ProxySize
            The size of the written image.

        Raises
        ------
        ImageInvalid
            ``source`` is not a readable image.
        """
        try:
            with Image.open(source) as opened:
                opened.thumbnail((box.width, box.height), Image.Resampling.LANCZOS)
                image: Image.Image = opened
                if image.mode not in ("RGB", "RGBA", "L", "LA"):
                    image = image.convert("RGBA")
                if image.mode == "RGBA" and image.getchannel("A").getextrema() == (255, 255):
                    image = image.convert("RGB")
                if palette and image.mode in ("RGB", "RGBA"):
                    image = image.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
                image.save(target, format="PNG", optimize=True)
                return ProxySize(image.width, image.height)
        except (UnidentifiedImageError, OSError, ValueError) as e:
            raise ImageInvalid(f"{source.name} is not a readable image: {e}") from e
