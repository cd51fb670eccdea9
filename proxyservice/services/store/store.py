"""The proxy store: what every store does, and the local scratch folder proxies are made in.

Two stores keep proxies:

- :class:`~.local.LocalProxyStore`, a folder on this host (or a mount);
- :class:`~.s3.S3ProxyStore`, a bucket of S3-compatible object storage that
  every host reaches.

:meth:`ProxyStore.from_settings` chooses: the bucket when STORE_URL names one,
the folder otherwise. Either way proxies are *made* on this host's disk, in a
scratch folder (:meth:`ProxyStore.generate_temp_filename`), and
:meth:`ProxyStore.ingest` moves a finished one into the store, where it shows
only once whole.
"""

import fcntl
import logging
import os
import re
import shutil
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ...config import Settings
from ...domain import MODERN_FORMATS, ProxyFile, encoded_typeidentifier
from ..context import SettingsService
from ..hashing import sha256_of
from ..leftovers import remove_older_than
from .content import ProxyContent
from .errors import DoesNotExist, StoreFailed, StoreFull

logger = logging.getLogger(__name__)

FILE_ID = re.compile(r"[0-9a-f]{64}")
_COPY = "|".join(fmt.value for fmt in MODERN_FORMATS)
TYPEIDENTIFIER = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,63}}(@[a-z0-9][a-z0-9_-]{{0,31}})?(\.({_COPY}))?")
"""A proxy's type, its size when not the default (``preview@large``, ``preview@640x480``), and its
modern format when it is a copy of another in one (``preview@large.webp``)."""
TEMP_DIR = ".proxytmp"
BLOBS = "blobs"  # <file_id>/blobs/<checksum>: a proxy's bytes, named by their hash
METADATA_SUFFIX = ".json"  # <file_id>/<typeidentifier>.json: its metadata, written last


def is_proxy_name(file_id: str, typeidentifier: str) -> bool:
    """Whether a file id and type identifier can name a proxy (and nothing outside the store)."""
    return bool(FILE_ID.fullmatch(file_id) and TYPEIDENTIFIER.fullmatch(typeidentifier))


def check_proxy_name(file_id: str, typeidentifier: str) -> None:
    """Refuse a file id or type identifier that cannot name a proxy.

    Raises
    ------
    ValueError
        ``file_id`` or ``typeidentifier`` is not of the allowed form.
    """
    if not FILE_ID.fullmatch(file_id):
        raise ValueError(f"file id must be 64 lower-case hex digits, not {file_id!r}")
    if not TYPEIDENTIFIER.fullmatch(typeidentifier):
        raise ValueError(f"type identifier {typeidentifier!r} must match {TYPEIDENTIFIER.pattern}")


def _image_size(path: Path) -> tuple[int, int]:
    """Width and height of an image file; ``(0, 0)`` for anything else."""
    try:
        with Image.open(path) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return (0, 0)


def describe_proxy(
    file_id: str, plugin: str, source: Path, typeidentifier: str, filename: str, mimetype: str, made_from: str = ""
) -> ProxyFile:
    """The metadata of a finished proxy file: its size, checksum and picture size.

    Raises
    ------
    OSError
        The file cannot be read.
    """
    width, height = _image_size(source)
    return ProxyFile(
        file_id=file_id,
        typeidentifier=typeidentifier,
        filename=Path(filename).name,
        mimetype=mimetype,
        width=width,
        height=height,
        bytes=source.stat().st_size,
        checksum=sha256_of(source),
        plugin=plugin,
        made_from=made_from,
    )


class ProxyStore(SettingsService):
    """Keeps proxies; made in a local folder, then moved in whole.

    Parameters
    ----------
    root
        The local folder the store works in, made on first write: the store's
        own folder, or for object storage the scratch folder proxies are made in.
    min_free_mb
        Below this much free room on that folder's disk, no new proxy is begun.
    """


    def __init__(self, root: Path, min_free_mb: int = 0) -> None:
        self.root = root
        self.min_free_mb = min_free_mb

    @classmethod
    def from_settings(cls, settings: Settings) -> "ProxyStore":
        """The bucket STORE_URL names, or else the folder PROXY_STORE_ROOT (or DATA_DIR/proxies).

        Raises
        ------
        SettingInvalid
            STORE_URL is not an ``s3://`` URL.
        """
        # Imported here: both stores subclass ProxyStore, defined in this module.
        if settings.STORE_URL:
            from .s3 import S3ProxyStore

            return S3ProxyStore.from_settings(settings)
        from .local import LocalProxyStore

        return LocalProxyStore.from_settings(settings)

    @property
    def location(self) -> str:
        """Where the proxies are, for people: a folder, or ``s3://bucket/prefix``."""
        return str(self.root)

    @property
    def temp_dir(self) -> Path:
        """The scratch folder proxies are made in, on this host's disk."""
        return self.root / TEMP_DIR

    def generate_temp_filename(self, suffix: str = "") -> Path:
        """Return a fresh path in the scratch folder for a proxy being made.

        Raises
        ------
        StoreFull
            Its disk has less room than ``min_free_mb``: making a proxy now would fill it.
        StoreFailed
            The scratch folder could not be made.
        """
        self.check_room()
        return self._scratch_path(suffix)

    def _scratch_path(self, suffix: str = "") -> Path:
        """A fresh path in the scratch folder, whatever room is left (for moving a finished proxy in).

        Raises
        ------
        StoreFailed
            The scratch folder could not be made.
        """
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
        made_from: str = "",
    ) -> ProxyFile:
        """Move a finished proxy file into the store, replacing any earlier one.

        It becomes visible only once whole: its bytes first, then its metadata.

        Parameters
        ----------
        file_id
            The source file's id (its SHA-256).
        plugin
            Namespace of the plugin that made it.
        source
            The proxy file, best made with :meth:`generate_temp_filename`; it is
            gone from there afterwards.
        typeidentifier, filename, mimetype
            What the proxy is, what a client saves it as, its media type.
        made_from
            For a copy of a proxy in a modern format: that proxy's checksum.

        Raises
        ------
        ValueError
            ``file_id`` or ``typeidentifier`` is not of the allowed form.
        StoreFailed
            The proxy could not be written.
        """
        check_proxy_name(file_id, typeidentifier)
        try:
            proxy = describe_proxy(file_id, plugin, source, typeidentifier, filename, mimetype, made_from)
            previous = self._read_meta(file_id, typeidentifier)
            self._put_blob(proxy, source)
            self._put_meta(proxy)
        except OSError as e:
            # Task errors reach clients: the reason, never the store's paths (those go to the log).
            logger.warning("cannot store proxy %s of %s: %s", typeidentifier, file_id, e)
            raise StoreFailed(f"cannot store proxy {typeidentifier} of {file_id}: {e.strerror or type(e).__name__}") from e
        if previous is not None and previous.checksum != proxy.checksum:
            try:
                self._drop_blob(file_id, previous.checksum)
            except (OSError, StoreFailed) as e:
                # The new proxy is stored; the old bytes are only wasted room.
                logger.warning("the old bytes of proxy %s of %s stay in the store: %s", typeidentifier, file_id, e)
            if not made_from:
                self._drop_copies(file_id, typeidentifier)
        logger.info("stored proxy %s/%s (%d bytes) in %s", file_id, typeidentifier, proxy.bytes, self.location)
        return proxy

    def _drop_copies(self, file_id: str, typeidentifier: str) -> None:
        """Remove the copies in modern formats of a proxy whose picture changed: they show the old one."""
        for fmt in MODERN_FORMATS:
            name = encoded_typeidentifier(typeidentifier, fmt)
            try:
                copy = self._read_meta(file_id, name)
                if copy is not None:
                    self._drop_meta(file_id, name)
                    self._drop_blob(file_id, copy.checksum)
            except (OSError, StoreFailed) as e:
                # Never served as it is: its made_from names the old picture, so it is made again.
                logger.warning("the old copy %s of %s stays in the store: %s", name, file_id, e)

    @contextmanager
    def making(self, file_id: str, typeidentifier: str) -> Iterator[None]:
        """Hold the making of one proxy on this host: a second maker waits, then finds it made.

        Raises
        ------
        StoreFailed
            The lock's file could not be made.
        """
        check_proxy_name(file_id, typeidentifier)
        locks = self.temp_dir / "locks"
        try:
            locks.mkdir(parents=True, exist_ok=True)
            lock = (locks / f"{file_id}-{typeidentifier}.lock").open("a")
        except OSError as e:
            raise StoreFailed(f"cannot make a lock in the proxy store's temp folder: {e.strerror}") from e
        with lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def list(self, file_id: str) -> list[ProxyFile]:
        """Return the proxies of a file, by type identifier; empty when none.

        Raises
        ------
        StoreFailed
            The store could not be read.
        """
        if not FILE_ID.fullmatch(file_id):
            return []
        named = sorted(name for name in self._typeidentifiers(file_id) if TYPEIDENTIFIER.fullmatch(name))
        found = (self._read_meta(file_id, typeidentifier) for typeidentifier in named)
        return [proxy for proxy in found if proxy is not None]

    def get(self, file_id: str, typeidentifier: str) -> tuple[ProxyFile, ProxyContent]:
        """Return one proxy and where its bytes are: a local path, or a :class:`StoredObject`.

        Raises
        ------
        DoesNotExist
            No such proxy.
        StoreFailed
            The store could not be read.
        """
        if is_proxy_name(file_id, typeidentifier):
            proxy = self._read_meta(file_id, typeidentifier)
            if proxy is not None:
                content = self._content(file_id, proxy.checksum)
                if content is not None:
                    return proxy, content
        raise DoesNotExist(f"no proxy {typeidentifier!r} for file {file_id!r}")

    @staticmethod
    @contextmanager
    def local_file(content: ProxyContent) -> Iterator[Path]:
        """A proxy's bytes as a file on this host, for the block: the store's own file, or a copy of an object.

        Raises
        ------
        DoesNotExist, StoreFailed
            An object is gone, or cannot be read or copied.
        """
        if isinstance(content, Path):
            yield content
            return
        copy = Path(os.fspath(content))
        try:
            yield copy
        finally:
            copy.unlink(missing_ok=True)

    # What each store does its own way; names are checked before these are called.

    def _put_blob(self, proxy: ProxyFile, source: Path) -> None:
        """Keep the proxy's bytes under its checksum, and remove ``source``."""
        raise NotImplementedError

    def _put_meta(self, proxy: ProxyFile) -> None:
        """Write the proxy's metadata whole, over any earlier one: the proxy shows from now."""
        raise NotImplementedError

    def _read_meta(self, file_id: str, typeidentifier: str) -> ProxyFile | None:
        """The metadata of one proxy; ``None`` when there is none."""
        raise NotImplementedError

    def _typeidentifiers(self, file_id: str) -> Iterable[str]:
        """The names the metadata of a file's proxies are kept under (unchecked)."""
        raise NotImplementedError

    def _drop_blob(self, file_id: str, checksum: str) -> None:
        """Remove bytes no proxy names any more."""
        raise NotImplementedError

    def _drop_meta(self, file_id: str, typeidentifier: str) -> None:
        """Remove a proxy's metadata: it shows no more."""
        raise NotImplementedError

    def _content(self, file_id: str, checksum: str) -> ProxyContent | None:
        """Where a proxy's bytes are; ``None`` when they are gone."""
        raise NotImplementedError

    @classmethod
    def _proxy_from(cls, data: object, file_id: str, typeidentifier: str, where: str) -> ProxyFile:
        """The proxy that metadata read from ``where`` describes.

        Raises
        ------
        StoreFailed
            It is not a proxy's metadata.
        """
        if isinstance(data, dict):
            try:
                return ProxyFile(**data)
            except TypeError as e:
                raise cls._unreadable(file_id, typeidentifier, where, e) from e
        raise cls._unreadable(file_id, typeidentifier, where, TypeError(f"{type(data).__name__}, not an object"))

    @staticmethod
    def _unreadable(file_id: str, typeidentifier: str, where: str, error: Exception) -> StoreFailed:
        """The error for metadata that cannot be read; ``where`` goes to the log, never to clients."""
        logger.warning("proxy metadata %s is unreadable: %s", where, error)
        return StoreFailed(f"the metadata of proxy {typeidentifier} of {file_id} is unreadable")

    def is_available(self) -> bool:
        """Whether proxies can be made and stored now: a file written in the scratch folder, in bounded time."""
        try:
            probe = self.generate_temp_filename(".probe")
            probe.write_bytes(b"ok")
            probe.unlink()
        except (OSError, StoreFailed) as e:
            logger.warning("proxy store %s is not writable: %s", self.root, e)
            return False
        return True

    def free_mb(self) -> int:
        """Room left on the disk of the store's local folder, in MiB (of its nearest existing folder)."""
        folder = self.root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        return shutil.disk_usage(folder).free // (1024 * 1024)

    def check_room(self) -> None:
        """Make sure the disk proxies are made on has room for new ones.

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
        """Remove what was left in the scratch folder more than ``older_than`` seconds ago; return how many.

        Proxies are made there and moved out when done; a worker killed
        mid-render leaves its files behind. Nothing lives there longer than a
        task may run (TASK_TIME_LIMIT), so anything older is an orphan.
        """
        removed = remove_older_than(self.temp_dir, older_than)
        if removed:
            logger.info("removed %d files left in the proxy store's temp folder", removed)
        return removed
