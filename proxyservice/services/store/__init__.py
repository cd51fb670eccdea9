"""The proxy store: where finished proxies live, written atomically."""

from .errors import DoesNotExist, StoreError, StoreFailed, StoreFull
from .store import ProxyStore

__all__ = ["ProxyStore", "StoreError", "DoesNotExist", "StoreFailed", "StoreFull"]
