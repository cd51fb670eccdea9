"""The proxy store: what every store does, whichever keeps the proxies.

Two stores keep proxies:

- :class:`~.local.LocalProxyStore`, a folder on this host (or a mount);
- :class:`~.s3.S3ProxyStore`, a bucket of S3-compatible object storage that
  every host reaches.

:func:`~proxyservice.services.store.store_for` chooses (this module knows none of
its kinds): the bucket when STORE_URL names one, the folder otherwise. Either way proxies are *made* on this host's disk, in a
scratch folder (:meth:`ProxyStore.generate_temp_filename`), and
:meth:`ProxyStore.ingest` moves a finished one into the store, where it shows
only once whole.

This module holds :class:`ProxyStore`, what every store does. The scratch
folder is in :mod:`.scratch`, how proxies are named in :mod:`.names`, and
their metadata in :mod:`.metadata`.
"""

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ...config import Settings
from ...domain import MODERN_FORMATS, ProxyFile, encoded_typeidentifier, listing_order
from ..context import SettingsService
from .content import ProxyContent
from .errors import DoesNotExist, StoreFailed
from .metadata import describe_proxy
from .names import FILE_ID, TYPEIDENTIFIER, check_proxy_name, is_proxy_name
from .scratch import ScratchFolder

logger = logging.getLogger(__name__)


class ProxyStore(ScratchFolder, SettingsService):
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

    @property
    def location(self) -> str:
        """Where the proxies are, for people: a folder, or ``s3://bucket/prefix``."""
        return str(self.root)

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

    def forget(self, file_id: str) -> bool:
        """Remove every proxy of a file (its copies in other formats and sizes too) and their bytes.

        The metadata goes first, so no proxy shows without its bytes; a call
        that failed half way is finished by the next one.

        Returns
        -------
        bool
            Whether anything of the file was there.

        Raises
        ------
        StoreFailed
            The store could not be read or written.
        """
        if not FILE_ID.fullmatch(file_id):
            return False
        try:
            names = list(self._typeidentifiers(file_id))
            for name in names:
                self._drop_meta(file_id, name)
            blobs_found = self._drop_blobs(file_id)
        except OSError as e:
            logger.warning("cannot remove the proxies of %s: %s", file_id, e)
            raise StoreFailed(f"cannot remove the proxies of {file_id}: {e.strerror or type(e).__name__}") from e
        if names or blobs_found:
            logger.info("removed %d proxies of %s from %s", len(names), file_id, self.location)
        return bool(names) or blobs_found

    def list(self, file_id: str) -> list[ProxyFile]:
        """Return the proxies of a file by type identifier, numbers by value (``page-9``, ``page-10``); empty if none.

        Raises
        ------
        StoreFailed
            The store could not be read.
        """
        if not FILE_ID.fullmatch(file_id):
            return []
        named = sorted((name for name in self._typeidentifiers(file_id) if TYPEIDENTIFIER.fullmatch(name)),
                       key=listing_order)
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

    def _drop_blobs(self, file_id: str) -> bool:
        """Remove every byte kept for a file whose metadata is gone; return whether there were any."""
        raise NotImplementedError

    def _content(self, file_id: str, checksum: str) -> ProxyContent | None:
        """Where a proxy's bytes are; ``None`` when they are gone."""
        raise NotImplementedError

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
