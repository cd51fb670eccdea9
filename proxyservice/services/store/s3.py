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

import logging
from dataclasses import asdict
from pathlib import Path

from ...config import Settings
from ...domain import ProxyFile
from .bucket import Bucket
from .content import StoredObject
from .errors import DoesNotExist, StoreFailed
from .store import FILE_ID, TYPEIDENTIFIER, ProxyStore, check_proxy_name, describe_proxy, is_proxy_name

logger = logging.getLogger(__name__)

PROXIES = "proxies"
BLOBS = "blobs"
METADATA_SUFFIX = ".json"


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

    def ingest(
        self,
        file_id: str,
        plugin: str,
        source: Path,
        typeidentifier: str,
        filename: str,
        mimetype: str,
    ) -> ProxyFile:
        """Upload a finished proxy file, then its metadata, and remove the local file (see :meth:`ProxyStore.ingest`)."""
        check_proxy_name(file_id, typeidentifier)
        try:
            proxy = describe_proxy(file_id, plugin, source, typeidentifier, filename, mimetype)
        except OSError as e:
            logger.warning("cannot read proxy %s of %s at %s: %s", typeidentifier, file_id, source, e)
            raise StoreFailed(f"cannot store proxy {typeidentifier} of {file_id}: {e.strerror or type(e).__name__}") from e
        meta = self._meta_key(file_id, typeidentifier)
        previous = self._read_meta(meta)
        self.bucket.put_file(self._blob_key(file_id, proxy.checksum), source, mimetype)
        self.bucket.put_json(meta, asdict(proxy))
        source.unlink(missing_ok=True)
        if previous is not None and previous.checksum != proxy.checksum:
            try:
                self.bucket.delete(self._blob_key(file_id, previous.checksum))
            except StoreFailed as e:
                # The new proxy is stored; the old bytes are only wasted room.
                logger.warning("the old bytes of proxy %s of %s stay in the bucket: %s", typeidentifier, file_id, e)
        logger.info("stored proxy %s/%s (%d bytes) in %s", file_id, typeidentifier, proxy.bytes, self.bucket.url)
        return proxy

    def list(self, file_id: str) -> list[ProxyFile]:
        """Return the proxies of a file, by type identifier; empty when none."""
        if not FILE_ID.match(file_id):
            return []
        folder = self.bucket.key(PROXIES, file_id) + "/"
        found = []
        for key in sorted(self.bucket.names(folder)):
            typeidentifier = key[len(folder):].removesuffix(METADATA_SUFFIX)
            if key.endswith(METADATA_SUFFIX) and TYPEIDENTIFIER.match(typeidentifier):
                proxy = self._read_meta(key)
                if proxy is not None:
                    found.append(proxy)
        return found

    def get(self, file_id: str, typeidentifier: str) -> tuple[ProxyFile, StoredObject]:
        """Return one proxy and its object (to stream, or to link to).

        Raises
        ------
        DoesNotExist
            No such proxy.
        StoreFailed
            The bucket could not be read.
        """
        if is_proxy_name(file_id, typeidentifier):
            proxy = self._read_meta(self._meta_key(file_id, typeidentifier))
            if proxy is not None:
                return proxy, StoredObject(self.bucket, self._blob_key(file_id, proxy.checksum), self.temp_dir)
        raise DoesNotExist(f"no proxy {typeidentifier!r} for file {file_id!r}")

    def is_available(self) -> bool:
        """Whether the bucket answers within the readiness timeout, and proxies can be made here."""
        return self.bucket.is_available(self.check_timeout) and super().is_available()

    def _meta_key(self, file_id: str, typeidentifier: str) -> str:
        return self.bucket.key(PROXIES, file_id, typeidentifier + METADATA_SUFFIX)

    def _blob_key(self, file_id: str, checksum: str) -> str:
        return self.bucket.key(PROXIES, file_id, BLOBS, checksum)

    def _read_meta(self, key: str) -> ProxyFile | None:
        data = self.bucket.read_json(key)
        if data is None:
            return None
        try:
            return ProxyFile(**data)
        except TypeError as e:
            logger.warning("proxy metadata %s in %s is unreadable: %s", key, self.bucket.url, e)
            name = Path(key)
            raise StoreFailed(f"the metadata of proxy {name.stem} of {name.parent.name} is unreadable") from e
