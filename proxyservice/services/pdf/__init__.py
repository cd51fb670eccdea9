"""The first page of a PDF as an image, with poppler's pdftoppm; its facts with pdfinfo."""

from .errors import PdfError, PdfInvalid, PdfTimedOut, PdfToolMissing
from .facts import PdfFacts
from .rasterizer import PdfRasterizer

__all__ = ["PdfFacts", "PdfRasterizer", "PdfError", "PdfInvalid", "PdfTimedOut", "PdfToolMissing"]
