"""Errors of the imaging service.

ImagingError
├── ImageInvalid    the file is not an image Pillow can read
└── ImageTooLarge   the image has more pixels than allowed (a decompression bomb, or just huge)
"""

from ...errors import InputInvalid, LimitExceeded, ProxyServiceError

__all__ = ["ImagingError", "ImageInvalid", "ImageTooLarge"]


class ImagingError(ProxyServiceError):
    """Base of the imaging service's errors."""


class ImageInvalid(ImagingError, InputInvalid):
    """The file is not an image that can be read; it may be damaged or of an unknown type."""


class ImageTooLarge(ImagingError, LimitExceeded):
    """The image has more pixels than MAX_IMAGE_PIXELS: it is refused before it is decoded."""
