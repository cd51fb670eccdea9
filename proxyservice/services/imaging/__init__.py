"""Image scaling with Pillow."""

from .errors import ImageInvalid, ImagingError
from .scaler import ImageScaler

__all__ = ["ImageScaler", "ImagingError", "ImageInvalid"]
