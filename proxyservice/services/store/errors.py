"""Errors of the proxy store.

StoreError
├── DoesNotExist   no such proxy (or the id could not name one)
└── StoreFailed    the store could not be read or written
    └── StoreFull  its disk has no room for new proxies: try again later
"""

__all__ = ["StoreError", "DoesNotExist", "StoreFailed", "StoreFull"]


class StoreError(Exception):
    """Base of the proxy store's errors."""


class DoesNotExist(StoreError):
    """No proxy is stored under that file id and type."""


class StoreFailed(StoreError):
    """The store's folder could not be read or written; check its disk and permissions."""


class StoreFull(StoreFailed):
    """The disk holding the proxy store has less room than STORE_MIN_FREE_MB: no new proxy is made until it has."""
