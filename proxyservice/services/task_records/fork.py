"""No connection to the task records may cross ``fork()``.

SQLite (its "How To Corrupt", 2.6): SQLite counts per process the locks it
holds on a file; a child forked while a connection is open inherits the count
but not the POSIX locks, so it never takes the SHARED lock it believes it
holds. Another process closing its connection then finds itself the last
user, checkpoints and deletes the WAL, and the child's later commits go to the
deleted file: seen by the child, lost to every other process. A fork during an
open or a close can also copy a held SQLite mutex: the child hangs at its
first open.

PostgreSQL: a pooled connection is a socket; a child that used its parent's
would interleave its messages with the parent's. Each process therefore has
engines of its own (see :mod:`.engines`), and the rules below keep a fork from
happening in the middle of a statement.

The worker's main process reads records in its recovery thread while billiard
forks pool children: forks wait for such blocks (:func:`no_fork_while_open`)
to end, and a child that got an open SQLite connection anyway refuses that
file rather than hang or lose writes.
"""

import logging
import os
import threading
import weakref
from contextlib import contextmanager
from types import TracebackType
from typing import Iterator

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 10.0
"""Longest a statement waits for another process's lock on the records (SQLite's busy timeout, PostgreSQL's connect)."""
FORK_WAIT_SECONDS = 2 * BUSY_TIMEOUT_SECONDS
"""Longest a fork waits for a ``no_fork_while_open`` block, whose statements wait BUSY_TIMEOUT_SECONDS at most."""
FORKED_WITH_OPEN_CONNECTION = (
    "this process was forked while %s was open in its parent: SQLite's locks do not cross fork(),"
    " so writes from here could be lost. Close the records before forking (no_fork_while_open)"
)

_no_fork = threading.Lock()
_fork_waited = threading.local()
_connecting_or_open: "weakref.WeakKeyDictionary[object, str]" = weakref.WeakKeyDictionary()
"""Owners of a SQLite connection being made or open, with the file's absolute path."""
_open_at_fork: set[str] = set()
"""SQLite files (absolute paths) this process's parent had open when it forked this process."""


def _before_fork() -> None:
    _fork_waited.holds_lock = _no_fork.acquire(timeout=FORK_WAIT_SECONDS)
    if not _fork_waited.holds_lock:
        logger.error("forking after %.0f s with task records still open", FORK_WAIT_SECONDS)


def _after_fork_in_parent() -> None:
    if getattr(_fork_waited, "holds_lock", False):
        _fork_waited.holds_lock = False
        _no_fork.release()


def _after_fork_in_child() -> None:
    # Runs between fork and exec too (subprocess with preexec_fn): no I/O, no logging here.
    _after_fork_in_parent()
    _open_at_fork.update(_connecting_or_open.values())


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)


@contextmanager
def no_fork() -> Iterator[None]:
    """A block that ``os.fork()`` in other threads waits for; blocks of several threads run one at a time."""
    with _no_fork:
        yield


def opening(owner: object, path: str) -> None:
    """Note that ``owner`` is about to open the SQLite file at ``path``: from here until :func:`closed`."""
    _connecting_or_open[owner] = os.path.abspath(path)


def closed(owner: object) -> None:
    """Note that ``owner`` holds no SQLite connection any more."""
    _connecting_or_open.pop(owner, None)


def open_in_parent(path: str) -> bool:
    """Whether this process's parent had the SQLite file at ``path`` open when it forked this process."""
    return bool(_open_at_fork) and os.path.abspath(path) in _open_at_fork


class ProcessLock:
    """A lock of this process's threads; a forked child starts with a free one (another thread may have held it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        os.register_at_fork(after_in_child=self._renew)

    def _renew(self) -> None:
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        self._lock.acquire()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._lock.release()
