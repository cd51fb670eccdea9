"""Errors of the office document converter.

OfficeError
├── OfficeToolMissing   LibreOffice is not installed
├── OfficeInvalid       LibreOffice cannot open the file as the kind of document its name says
└── OfficeTimedOut      converting took longer than its limit
"""

from ...errors import InputInvalid, LimitExceeded, ProxyServiceError, ResourceUnavailable

__all__ = ["OfficeError", "OfficeToolMissing", "OfficeInvalid", "OfficeTimedOut"]


class OfficeError(ProxyServiceError):
    """Base of the office converter's errors."""


class OfficeToolMissing(OfficeError, ResourceUnavailable):
    """soffice cannot be run; install Debian's libreoffice-writer-nogui, -calc-nogui and -impress-nogui."""


class OfficeInvalid(OfficeError, InputInvalid):
    """LibreOffice could not open the file as the document its name says: damaged, or not that kind."""


class OfficeTimedOut(OfficeError, LimitExceeded):
    """Converting took longer than RENDER_TIMEOUT allows; LibreOffice was stopped."""
