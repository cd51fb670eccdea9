"""The proxy store: where finished proxies live, each visible only once whole.

A folder on this host (``LocalProxyStore``) or a bucket every host reaches
(``S3ProxyStore``, when STORE_URL is set); :meth:`ProxyStore.from_settings`
chooses. :meth:`ProxyStore.get` answers where a proxy's bytes are: a local
path, or a :class:`StoredObject` to stream or to link to. A :class:`Bucket`
is the object storage both the store and the staged uploads (the sources
service) are kept in.
"""

from .bucket import Bucket
from .content import ProxyContent, StoredObject
from .errors import DoesNotExist, StoreError, StoreFailed, StoreFull
from .store import ProxyStore

__all__ = ["Bucket", "ProxyStore", "ProxyContent", "StoredObject", "StoreError", "DoesNotExist", "StoreFailed", "StoreFull"]
