"""Errors of the imaging service.

ImagingError
└── ImageInvalid   the file is not an image Pillow can read
"""

__all__ = ["ImagingError", "ImageInvalid"]


class ImagingError(Exception):
    """Base of the imaging service's errors."""


class ImageInvalid(ImagingError):
    """The file is not an image that can be read; it may be damaged or of an unknown type."""
