"""Errors of the proxy store.

StoreError
├── DoesNotExist   no such proxy (or the id could not name one)
└── StoreFailed    the store could not be read or written
"""

__all__ = ["StoreError", "DoesNotExist", "StoreFailed"]


class StoreError(Exception):
    """Base of the proxy store's errors."""


class DoesNotExist(StoreError):
    """No proxy is stored under that file id and type."""


class StoreFailed(StoreError):
    """The store's folder could not be read or written; check its disk and permissions."""
