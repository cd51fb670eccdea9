"""What a file read by path holds, remembered while it is unchanged: its hash and the type libmagic reads.

A file ingested again by path is read again only if it changed: the answer
is kept under the file's path and what ``stat`` says of it (device, inode,
size, and the times its content and its inode last changed, to the
nanosecond), so a file written since, or another file moved to that path,
is read afresh. Each process keeps the last :data:`REMEMBERED` files.
"""

import os
from functools import lru_cache
from pathlib import Path
from typing import Callable, NamedTuple

REMEMBERED = 4096


class Fingerprint(NamedTuple):
    """What a file's bytes were."""

    sha256: str
    sniffed: str | None
    """The media type libmagic read in them, if it could tell."""


def fingerprint(path: Path, read: Callable[[Path], Fingerprint]) -> Fingerprint:
    """``read(path)``, or what it answered before for the same path while the file has not changed.

    Raises
    ------
    OSError
        The file cannot be read.
    """
    # Taken before the bytes are read: a file written meanwhile has another stamp next time.
    seen = os.stat(path)
    return _remembered(str(path), seen.st_dev, seen.st_ino, seen.st_size, seen.st_mtime_ns, seen.st_ctime_ns, read)


@lru_cache(maxsize=REMEMBERED)
def _remembered(path: str, device: int, inode: int, size: int, modified_ns: int, changed_ns: int,
                read: Callable[[Path], Fingerprint]) -> Fingerprint:
    return read(Path(path))
