"""Proxies on a local (or mounted) folder.

Layout under the root::

    .proxytmp/                       temp files being written by workers
    <file_id>/<typeidentifier>.json  the proxy's metadata, written last
    <file_id>/blobs/<checksum>       the proxy's bytes, named by their hash

A proxy becomes visible when its metadata file is renamed into place, after
its bytes are; a half-written proxy is never seen, and replacing a proxy
never shows new metadata over old bytes.
"""

import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path

from ...config import Settings
from ...domain import ProxyFile
from .metadata import proxy_from_metadata, unreadable_metadata
from .names import BLOBS, METADATA_SUFFIX
from .store import ProxyStore


class LocalProxyStore(ProxyStore):
    """Keeps proxies under one folder, which is also where they are made (so moving one in is a rename).

    Parameters
    ----------
    root
        The store's folder; made on first write.
    min_free_mb
        Below this much free room on its disk, no new proxy is begun.
    """

    @classmethod
    def from_settings(cls, settings: Settings) -> "LocalProxyStore":
        """The store in PROXY_STORE_ROOT (or DATA_DIR/proxies)."""
        return cls(settings.proxy_store_root, settings.STORE_MIN_FREE_MB)

    def _put_blob(self, proxy: ProxyFile, source: Path) -> None:
        """Move the bytes in (a rename when ``source`` is on the store's filesystem)."""
        blobs = self.root / proxy.file_id / BLOBS
        blobs.mkdir(parents=True, exist_ok=True)
        staged = self._scratch_path()
        shutil.move(source, staged)  # a copy only across filesystems, and then into the scratch folder
        os.replace(staged, blobs / proxy.checksum)

    def _put_meta(self, proxy: ProxyFile) -> None:
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=self.temp_dir, suffix=METADATA_SUFFIX)
        with os.fdopen(handle, "w") as stream:
            json.dump(asdict(proxy), stream)
        os.replace(temp, self._meta_path(proxy.file_id, proxy.typeidentifier))

    def _read_meta(self, file_id: str, typeidentifier: str) -> ProxyFile | None:
        path = self._meta_path(file_id, typeidentifier)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as e:
            raise unreadable_metadata(file_id, typeidentifier, str(path), e) from e
        return proxy_from_metadata(data, file_id, typeidentifier, str(path))

    def _typeidentifiers(self, file_id: str) -> Iterable[str]:
        return (path.name.removesuffix(METADATA_SUFFIX) for path in (self.root / file_id).glob(f"*{METADATA_SUFFIX}"))

    def _drop_blob(self, file_id: str, checksum: str) -> None:
        (self.root / file_id / BLOBS / checksum).unlink(missing_ok=True)

    def _drop_meta(self, file_id: str, typeidentifier: str) -> None:
        self._meta_path(file_id, typeidentifier).unlink(missing_ok=True)

    def _drop_blobs(self, file_id: str) -> bool:
        folder = self.root / file_id
        if not folder.exists():
            return False
        shutil.rmtree(folder)
        return True

    def _content(self, file_id: str, checksum: str) -> Path | None:
        blob = self.root / file_id / BLOBS / checksum
        return blob if blob.is_file() else None

    def _meta_path(self, file_id: str, typeidentifier: str) -> Path:
        return self.root / file_id / f"{typeidentifier}{METADATA_SUFFIX}"
