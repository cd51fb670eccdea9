"""The scratch folder proxies are made in, on this host's disk: fresh paths, the room left, locks, leftovers.

Every store makes its proxies here before moving them in (a rename for a
local store, an upload for a bucket): :class:`ScratchFolder` is the part of
:class:`.ProxyStore` that deals with it.
"""

import fcntl
import logging
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..leftovers import remove_older_than
from .errors import StoreFailed, StoreFull
from .names import TEMP_DIR, check_proxy_name

logger = logging.getLogger(__name__)


class ScratchFolder:
    """A store's local scratch folder, ``root``'s ``.proxytmp``, and the room left on its disk.

    A base of :class:`.ProxyStore`, which sets ``root`` and ``min_free_mb``.
    """

    root: Path
    """The local folder the store works in, made on first write."""
    min_free_mb: int
    """Below this much free room on that folder's disk, no new proxy is begun."""

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
