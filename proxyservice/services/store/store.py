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
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ...domain import ProxyFile
from ...config import Settings
from ..context import SettingsService
from ..hashing import sha256_of
from .errors import DoesNotExist, StoreFailed, StoreFull

logger = logging.getLogger(__name__)

FILE_ID = re.compile(r"^[0-9a-f]{64}$")
TYPEIDENTIFIER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TEMP_DIR = ".proxytmp"


def _image_size(path: Path) -> tuple[int, int]:
    """Width and height of an image file; ``(0, 0)`` for anything else."""
    try:
        with Image.open(path) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return (0, 0)


class ProxyStore(SettingsService):
    """Keeps proxies under one folder.

    Parameters
    ----------
    root
        The store's folder; made on first write.
    min_free_mb
        Below this much free room on its disk, no new proxy is begun.
    """

    def __init__(self, root: Path, min_free_mb: int = 0) -> None:
        self.root = root
        self.min_free_mb = min_free_mb

    SESSION_KEY = "proxy_store"

    @classmethod
    def from_settings(cls, settings: Settings) -> "ProxyStore":
        """The store in PROXY_STORE_ROOT (or DATA_DIR/proxies)."""
        return cls(settings.proxy_store_root, settings.STORE_MIN_FREE_MB)

    @property
    def temp_dir(self) -> Path:
        """The folder for proxies being made; on the same filesystem as the store."""
        return self.root / TEMP_DIR

    def generate_temp_filename(self, suffix: str = "") -> Path:
        """Return a fresh path in the store's temp folder for a proxy being made.

        Raises
        ------
        StoreFull
            Its disk has less room than ``min_free_mb``: making a proxy now would fill it.
        StoreFailed
            The temp folder could not be made.
        """
        self.check_room()
        try:
            self.temp_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            logger.warning("cannot make %s: %s", self.temp_dir, e)
            raise StoreFailed(f"cannot make the proxy store's temp folder: {e.strerror}") from e
        return self.temp_dir / f"{uuid.uuid4().hex}{suffix}"

    def ingest(
        self,
        file_id: str,
        plugin: str,
        source: Path,
        typeidentifier: str,
        filename: str,
        mimetype: str,
    ) -> ProxyFile:
        """Move a finished proxy file into the store, replacing any earlier one.

        Parameters
        ----------
        file_id
            The source file's id (its SHA-256).
        plugin
            Namespace of the plugin that made it.
        source
            The proxy file, best made with :meth:`generate_temp_filename`;
            it is moved, not copied, when it is on the store's filesystem.
        typeidentifier, filename, mimetype
            What the proxy is, what a client saves it as, its media type.

        Raises
        ------
        ValueError
            ``file_id`` or ``typeidentifier`` is not of the allowed form.
        StoreFailed
            The proxy could not be written.
        """
        if not FILE_ID.match(file_id):
            raise ValueError(f"file id must be 64 lower-case hex digits, not {file_id!r}")
        if not TYPEIDENTIFIER.match(typeidentifier):
            raise ValueError(f"type identifier {typeidentifier!r} must match {TYPEIDENTIFIER.pattern}")
        folder = self.root / file_id
        try:
            checksum = sha256_of(source)
            width, height = _image_size(source)
            proxy = ProxyFile(
                file_id=file_id,
                typeidentifier=typeidentifier,
                filename=Path(filename).name,
                mimetype=mimetype,
                width=width,
                height=height,
                bytes=source.stat().st_size,
                checksum=checksum,
                plugin=plugin,
            )
            blobs = folder / "blobs"
            blobs.mkdir(parents=True, exist_ok=True)
            staged = self.generate_temp_filename()
            shutil.move(source, staged)  # a rename when on the store's filesystem
            os.replace(staged, blobs / checksum)
            previous = self._read_meta(folder / f"{typeidentifier}.json")
            self._write_json_atomically(folder / f"{typeidentifier}.json", asdict(proxy))
        except OSError as e:
            # Task errors reach clients: the reason, never the store's paths (those go to the log).
            logger.warning("cannot store proxy %s of %s: %s", typeidentifier, file_id, e)
            raise StoreFailed(f"cannot store proxy {typeidentifier} of {file_id}: {e.strerror or type(e).__name__}") from e
        if previous is not None and previous.checksum != checksum:
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
        if FILE_ID.match(file_id) and TYPEIDENTIFIER.match(typeidentifier):
            proxy = self._read_meta(self.root / file_id / f"{typeidentifier}.json")
            if proxy is not None:
                blob = self.root / file_id / "blobs" / proxy.checksum
                if blob.is_file():
                    return proxy, blob
        raise DoesNotExist(f"no proxy {typeidentifier!r} for file {file_id!r}")

    def free_mb(self) -> int:
        """Room left on the disk the store is on, in MiB (of its nearest existing folder)."""
        folder = self.root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return shutil.disk_usage(folder).free // (1024 * 1024)

    def check_room(self) -> None:
        """Make sure the store's disk has room for new proxies.

        Raises
        ------
        StoreFull
            It has less than ``min_free_mb`` free.
        """
        if not self.min_free_mb:
            return
        try:
            free = self.free_mb()
        except OSError as e:
            raise StoreFailed(f"cannot see how full the proxy store's disk is: {e.strerror}") from e
        if free < self.min_free_mb:
            raise StoreFull(f"the proxy store's disk is full ({free} MiB free, {self.min_free_mb} MiB needed: "
                            "STORE_MIN_FREE_MB); try again when there is room")

    def sweep_temp(self, older_than: float) -> int:
        """Remove what was left in the temp folder more than ``older_than`` seconds ago; return how many.

        Proxies are made there and moved out when done; a worker killed
        mid-render leaves its files behind. Nothing lives there longer than a
        task may run (TASK_TIME_LIMIT), so anything older is an orphan.
        """
        removed = 0
        cutoff = time.time() - older_than
        try:
            entries = list(os.scandir(self.temp_dir))
        except FileNotFoundError:
            return 0
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                    continue
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
                removed += 1
            except FileNotFoundError:
                continue  # another worker swept it first
            except OSError as e:
                logger.warning("cannot remove %s from the store's temp folder: %s", entry.name, e)
        if removed:
            logger.info("removed %d files left in the proxy store's temp folder", removed)
        return removed

    def is_available(self) -> bool:
        """Whether the store's folder can be written now."""
        try:
            probe = self.generate_temp_filename(".probe")
            probe.write_bytes(b"ok")
            probe.unlink()
        except (OSError, StoreFailed) as e:
            logger.warning("proxy store %s is not writable: %s", self.root, e)
            return False
        return True

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
