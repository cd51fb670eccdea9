"""Image scaling and drawing with Pillow."""

from .errors import ImageInvalid, ImageTooLarge, ImagingError
from .scaler import ImageScaler, ScaledImage

__all__ = ["ImageScaler", "ScaledImage", "ImagingError", "ImageInvalid", "ImageTooLarge"]
