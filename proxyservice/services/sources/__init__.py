"""Source files: paths inside the allowed roots, and uploads."""

from .errors import (
    SourceChanged,
    SourceEmpty,
    SourceError,
    SourceNotFound,
    SourceOutsideRoots,
    SourceTooLarge,
    UploadNotKept,
)
from .sources import SourceFiles

__all__ = [
    "SourceFiles",
    "SourceError",
    "SourceNotFound",
    "SourceOutsideRoots",
    "SourceTooLarge",
    "SourceEmpty",
    "UploadNotKept",
    "SourceChanged",
]
