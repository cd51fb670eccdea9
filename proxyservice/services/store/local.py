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
import logging
import os
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

from ...config import Settings
from ...domain import ProxyFile
from .errors import DoesNotExist, StoreFailed
from .store import FILE_ID, ProxyStore, check_proxy_name, describe_proxy, is_proxy_name

logger = logging.getLogger(__name__)


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

    def ingest(
        self,
        file_id: str,
        plugin: str,
        source: Path,
        typeidentifier: str,
        filename: str,
        mimetype: str,
    ) -> ProxyFile:
        """Move a finished proxy file into the folder, replacing any earlier one (see :meth:`ProxyStore.ingest`).

        It is moved, not copied, when it is on the store's filesystem.
        """
        check_proxy_name(file_id, typeidentifier)
        folder = self.root / file_id
        try:
            proxy = describe_proxy(file_id, plugin, source, typeidentifier, filename, mimetype)
            blobs = folder / "blobs"
            blobs.mkdir(parents=True, exist_ok=True)
            staged = self.generate_temp_filename()
            shutil.move(source, staged)  # a rename when on the store's filesystem
            os.replace(staged, blobs / proxy.checksum)
            previous = self._read_meta(folder / f"{typeidentifier}.json")
            self._write_json_atomically(folder / f"{typeidentifier}.json", asdict(proxy))
        except OSError as e:
            # Task errors reach clients: the reason, never the store's paths (those go to the log).
            logger.warning("cannot store proxy %s of %s: %s", typeidentifier, file_id, e)
            raise StoreFailed(f"cannot store proxy {typeidentifier} of {file_id}: {e.strerror or type(e).__name__}") from e
        if previous is not None and previous.checksum != proxy.checksum:
            (blobs / previous.checksum).unlink(missing_ok=True)
        logger.info("stored proxy %s/%s (%d bytes)", file_id, typeidentifier, proxy.bytes)
        return proxy

    def list(self, file_id: str) -> list[ProxyFile]:
        """Return the proxies of a file, by type identifier; empty when none."""
        if not FILE_ID.match(file_id):
            return []
        folder = self.root / file_id
        found = (self._read_meta(path) for path in sorted(folder.glob("*.json")))
        return [proxy for proxy in found if proxy is not None]

    def get(self, file_id: str, typeidentifier: str) -> tuple[ProxyFile, Path]:
        """Return one proxy and the path of its bytes.

        Raises
        ------
        DoesNotExist
            No such proxy.
        """
        if is_proxy_name(file_id, typeidentifier):
            proxy = self._read_meta(self.root / file_id / f"{typeidentifier}.json")
            if proxy is not None:
                blob = self.root / file_id / "blobs" / proxy.checksum
                if blob.is_file():
                    return proxy, blob
        raise DoesNotExist(f"no proxy {typeidentifier!r} for file {file_id!r}")

    def _read_meta(self, path: Path) -> ProxyFile | None:
        try:
            return ProxyFile(**json.loads(path.read_text()))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError) as e:
            logger.warning("proxy metadata %s is unreadable: %s", path, e)
            raise StoreFailed(f"the metadata of proxy {path.stem} of {path.parent.name} is unreadable") from e

    def _write_json_atomically(self, target: Path, data: dict[str, object]) -> None:
        self.temp_dir.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=self.temp_dir, suffix=".json")
        with os.fdopen(handle, "w") as stream:
            json.dump(data, stream)
        os.replace(temp, target)
