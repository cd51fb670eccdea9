"""Errors of the EPUB reader.

EpubError
├── EpubInvalid    not a zip, or no container, package or content where EPUB puts them
└── EpubTooLarge   it unpacks to more than MAX_UNPACKED_BYTES, or holds too many files (a zip bomb)
"""

from ...errors import InputInvalid, LimitExceeded, ProxyServiceError

__all__ = ["EpubError", "EpubInvalid", "EpubTooLarge"]


class EpubError(ProxyServiceError):
    """Base of the EPUB reader's errors."""


class EpubInvalid(EpubError, InputInvalid):
    """The file is not an EPUB book that can be read: damaged, or missing what EPUB requires."""


class EpubTooLarge(EpubError, LimitExceeded):
    """The book unpacks to more than it may (MAX_UNPACKED_BYTES), or holds more files than a book does."""
