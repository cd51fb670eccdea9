"""An SVG drawing as an image, with librsvg's rsvg-convert."""

from .errors import SvgError, SvgInvalid, SvgTimedOut, SvgToolMissing
from .rasterizer import SvgRasterizer

__all__ = ["SvgRasterizer", "SvgError", "SvgInvalid", "SvgTimedOut", "SvgToolMissing"]
