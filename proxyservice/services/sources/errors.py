"""Errors of the source files service.

SourceError
├── SourceNotFound       no file at that path
├── SourceOutsideRoots   the path leads outside every allowed folder
├── SourceTooLarge       the file is larger than MAX_SOURCE_BYTES
├── SourceEmpty          the file has no bytes
├── SourceChanged        its bytes are no longer those ingested: ingest it again
├── UploadNotKept        an upload could not be written (a full disk): try again later
├── UploadNotRemoved     a deleted file's upload could not be removed: try again later
├── BundleInvalid        a page's files cannot be unpacked as sent (a name leading out, a link, a broken zip)
├── BundleTooLarge       a page's files pass a limit (MAX_BUNDLE_FILES, MAX_UNPACKED_BYTES, MAX_BUNDLE_DEPTH)
├── BundleNotStaged      a page's files cannot be staged in object storage (STORE_URL) yet
└── PageNotFound         the page to draw is not among its files, or none could be chosen: name it
"""

from ...errors import (
    InputForbidden,
    InputInvalid,
    InputNotFound,
    InputUnsupported,
    LimitExceeded,
    ProxyServiceError,
    ResourceUnavailable,
)

__all__ = ["SourceError", "SourceNotFound", "SourceOutsideRoots", "SourceTooLarge", "SourceEmpty", "SourceChanged",
           "UploadNotKept", "UploadNotRemoved", "BundleInvalid", "BundleTooLarge", "BundleNotStaged",
           "PageNotFound"]


class SourceError(ProxyServiceError):
    """Base of the source files service's errors."""


class SourceNotFound(SourceError, InputNotFound):
    """There is no regular file at that path; check the path."""


class SourceOutsideRoots(SourceError, InputForbidden):
    """The path resolves outside every configured source root; only files under SOURCE_ROOTS are read."""


class SourceTooLarge(SourceError, LimitExceeded):
    """The file is larger than the service accepts (MAX_SOURCE_BYTES)."""


class SourceEmpty(SourceError, InputInvalid):
    """The file is empty: there is nothing to make a proxy of."""


class SourceChanged(SourceError, InputInvalid):
    """The file's bytes changed since it was ingested: its proxies would not show what was ingested."""


class UploadNotKept(SourceError, ResourceUnavailable):
    """The upload could not be written to the service's disk (full, or not writable); nothing was kept."""


class UploadNotRemoved(SourceError, ResourceUnavailable):
    """A deleted file's upload could not be removed (its disk, or the object storage): delete it again later."""


class BundleInvalid(SourceError, InputInvalid):
    """A page's files cannot be unpacked as they were sent: a name that leads out of its folder, a link, a broken zip."""


class BundleTooLarge(SourceError, LimitExceeded):
    """A page's files pass a limit: too many, too many bytes unpacked, or too deep."""


class BundleNotStaged(SourceError, InputUnsupported):
    """A page with its files cannot be uploaded where uploads are staged in object storage (STORE_URL), yet."""


class PageNotFound(SourceError, InputNotFound):
    """The page to draw is not among the files sent with it, or none could be chosen: name it (``page``)."""
