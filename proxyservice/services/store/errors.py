"""Errors of the proxy store.

StoreError
├── DoesNotExist   no such proxy (or the id could not name one)
└── StoreFailed    the store (its folder, or its bucket) could not be read or written
    └── StoreFull  the disk proxies are made on has no room for new ones: try again later
"""

from ...errors import InputNotFound, ProxyServiceError, ResourceUnavailable

__all__ = ["StoreError", "DoesNotExist", "StoreFailed", "StoreFull"]


class StoreError(ProxyServiceError):
    """Base of the proxy store's errors."""


class DoesNotExist(StoreError, InputNotFound):
    """No proxy is stored under that file id and type."""


class StoreFailed(StoreError, ResourceUnavailable):
    """The store could not be read or written: check its folder's disk and permissions, or its object
    storage (STORE_URL, AWS_ENDPOINT_URL and the credentials); it may pass, so tasks retry."""


class StoreFull(StoreFailed):
    """The disk proxies are made on has less room than STORE_MIN_FREE_MB: no new proxy is made until it has."""
