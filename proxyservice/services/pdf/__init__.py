"""The pages of a PDF as images, with poppler's pdftoppm."""

from .errors import PdfError, PdfInvalid, PdfTimedOut, PdfToolMissing
from .rasterizer import PdfRasterizer

__all__ = ["PdfRasterizer", "PdfError", "PdfInvalid", "PdfTimedOut", "PdfToolMissing"]
