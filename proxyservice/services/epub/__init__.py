"""An EPUB book's cover, or its first page, read from its zip without trusting it."""

from .book import EpubBook
from .errors import EpubError, EpubInvalid, EpubTooLarge

__all__ = ["EpubBook", "EpubError", "EpubInvalid", "EpubTooLarge"]
