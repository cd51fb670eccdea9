"""An office document as a PDF, with LibreOffice headless."""

from .converter import OfficeConverter
from .errors import OfficeError, OfficeInvalid, OfficeTimedOut, OfficeToolMissing

__all__ = ["OfficeConverter", "OfficeError", "OfficeInvalid", "OfficeTimedOut", "OfficeToolMissing"]
