"""The pages of a PDF as images, with poppler's pdftoppm; its facts with pdfinfo, its text with pdftotext."""

from .errors import PdfError, PdfInvalid, PdfTimedOut, PdfToolMissing
from .facts import PdfFacts
from .rasterizer import PdfRasterizer

__all__ = ["PdfFacts", "PdfRasterizer", "PdfError", "PdfInvalid", "PdfTimedOut", "PdfToolMissing"]
