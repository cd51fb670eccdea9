"""Proxies in a bucket of S3-compatible object storage, which every host reaches.

Layout under the prefix of STORE_URL (``s3://bucket/prefix``), as DATA_DIR's
on a single host::

    proxies/<file_id>/<typeidentifier>.json   the proxy's metadata, written last
    proxies/<file_id>/blobs/<checksum>        the proxy's bytes, named by their hash
    uploads/<sha256>/<name>                   uploaded files (see the sources service)

One PUT writes one whole object, and the metadata is written after the bytes
it names: a half-written proxy is never listed, and replacing a proxy never
shows new metadata over old bytes. Proxies are made in a scratch folder on
the worker's own disk (``$DATA_DIR/tmp``), and uploaded when finished.
"""

from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from ...config import Settings
from ...domain import ProxyFile
from .bucket import Bucket
from .content import StoredObject
from .metadata import proxy_from_metadata
from .names import BLOBS, METADATA_SUFFIX
from .store import ProxyStore

PROXIES = "proxies"


class S3ProxyStore(ProxyStore):
    """Keeps proxies in a bucket; makes them in a local scratch folder.

    Parameters
    ----------
    bucket
        The bucket and prefix the proxies are kept under.
    scratch
        The local folder proxies are made in (its ``.proxytmp``); made on first write.
    min_free_mb
        Below this much free room on the scratch folder's disk, no new proxy is begun.
    check_timeout
        Seconds the readiness check may wait for the bucket.
    """

    def __init__(self, bucket: Bucket, scratch: Path, min_free_mb: int = 0, check_timeout: float = 1.0) -> None:
        super().__init__(scratch, min_free_mb)
        self.bucket = bucket
        self.check_timeout = check_timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> "S3ProxyStore":
        """The bucket STORE_URL names, with a scratch folder in DATA_DIR/tmp.

        Raises
        ------
        SettingInvalid
            STORE_URL is not an ``s3://`` URL.
        """
        return cls(Bucket.from_url(settings.STORE_URL), settings.DATA_DIR / "tmp", settings.STORE_MIN_FREE_MB,
                   settings.STATUS_CHECK_TIMEOUT)

    @property
    def location(self) -> str:
        """``s3://bucket/prefix/proxies``."""
        return f"{self.bucket.url}/{PROXIES}"

    def is_available(self) -> bool:
        """Whether the bucket answers within the readiness timeout, and proxies can be made here."""
        return self.bucket.is_available(self.check_timeout) and super().is_available()

    def _put_blob(self, proxy: ProxyFile, source: Path) -> None:
        self.bucket.put_file(self._blob_key(proxy.file_id, proxy.checksum), source, proxy.mimetype)
        source.unlink(missing_ok=True)

    def _put_meta(self, proxy: ProxyFile) -> None:
        self.bucket.put_json(self._meta_key(proxy.file_id, proxy.typeidentifier), asdict(proxy))

    def _read_meta(self, file_id: str, typeidentifier: str) -> ProxyFile | None:
        key = self._meta_key(file_id, typeidentifier)
        data = self.bucket.read_json(key)
        if data is None:
            return None
        return proxy_from_metadata(data, file_id, typeidentifier, f"{key} in {self.bucket.url}")

    def _typeidentifiers(self, file_id: str) -> Iterable[str]:
        folder = self.bucket.key(PROXIES, file_id) + "/"
        return (key[len(folder):].removesuffix(METADATA_SUFFIX)
                for key in self.bucket.names(folder) if key.endswith(METADATA_SUFFIX))

    def _drop_blob(self, file_id: str, checksum: str) -> None:
        self.bucket.delete(self._blob_key(file_id, checksum))

    def _drop_meta(self, file_id: str, typeidentifier: str) -> None:
        self.bucket.delete(self._meta_key(file_id, typeidentifier))

    def _drop_blobs(self, file_id: str) -> bool:
        # Only the blobs' folder is left: the metadata went first.
        blobs = self.bucket.names(self.bucket.key(PROXIES, file_id, BLOBS) + "/")
        for key in blobs:
            self.bucket.delete(key)
        return bool(blobs)

    def _content(self, file_id: str, checksum: str) -> StoredObject:
        return StoredObject(self.bucket, self._blob_key(file_id, checksum), self.temp_dir)

    def _meta_key(self, file_id: str, typeidentifier: str) -> str:
        return self.bucket.key(PROXIES, file_id, typeidentifier + METADATA_SUFFIX)

    def _blob_key(self, file_id: str, checksum: str) -> str:
        return self.bucket.key(PROXIES, file_id, BLOBS, checksum)
