"""Source files: paths inside the allowed roots, and uploads."""

from .errors import (
    BundleInvalid,
    BundleNotStaged,
    BundleTooLarge,
    PageNotFound,
    SourceChanged,
    SourceEmpty,
    SourceError,
    SourceNotFound,
    SourceOutsideRoots,
    SourceTooLarge,
    UploadNotKept,
    UploadNotRemoved,
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
    "UploadNotRemoved",
    "SourceChanged",
    "BundleInvalid",
    "BundleTooLarge",
    "BundleNotStaged",
    "PageNotFound",
]
