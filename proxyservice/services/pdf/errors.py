"""Errors of the PDF rasterizer.

PdfError
├── PdfToolMissing   pdftoppm is not installed
├── PdfInvalid       the file is not a PDF pdftoppm can draw
└── PdfTimedOut      drawing the page took longer than its limit
"""

from ...errors import InputInvalid, LimitExceeded, ProxyServiceError, ResourceUnavailable

__all__ = ["PdfError", "PdfToolMissing", "PdfInvalid", "PdfTimedOut"]


class PdfError(ProxyServiceError):
    """Base of the PDF rasterizer's errors."""


class PdfToolMissing(PdfError, ResourceUnavailable):
    """pdftoppm cannot be run; install Debian's poppler-utils package."""


class PdfInvalid(PdfError, InputInvalid):
    """The file is not a PDF whose first page can be drawn; it may be damaged or encrypted."""


class PdfTimedOut(PdfError, LimitExceeded):
    """Drawing the first page took longer than RENDER_TIMEOUT allows; it was stopped."""
