"""The proxy store: where finished proxies live, each visible only once whole.

A folder on this host (``LocalProxyStore``) or a bucket every host reaches
(``S3ProxyStore``, when STORE_URL is set); :func:`store_for` chooses, here,
so that the base class knows none of its kinds. :meth:`ProxyStore.get`
answers where a proxy's bytes are: a local path, or a :class:`StoredObject` to stream or to link to. A :class:`Bucket`
is the object storage both the store and the staged uploads (the sources
service) are kept in.
"""

from ...config import Settings
from .bucket import Bucket
from .content import ProxyContent, StoredObject
from .errors import DoesNotExist, StoreError, StoreFailed, StoreFull
from .local import LocalProxyStore
from .s3 import S3ProxyStore
from .store import ProxyStore

__all__ = ["Bucket", "ProxyStore", "store_for", "ProxyContent", "StoredObject", "StoreError", "DoesNotExist", "StoreFailed",
           "StoreFull"]


def store_for(settings: Settings) -> ProxyStore:
    """The store these settings name: the bucket of STORE_URL, else the folder PROXY_STORE_ROOT (or DATA_DIR/proxies).

    Raises
    ------
    SettingInvalid
        STORE_URL is not an ``s3://`` URL.
    """
    if settings.STORE_URL:
        return S3ProxyStore.from_settings(settings)
    return LocalProxyStore.from_settings(settings)
