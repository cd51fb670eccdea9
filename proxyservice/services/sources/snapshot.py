"""A job's own copy of the file it makes proxies of, checked to be the very file that was ingested.

Between an ingest and its job, the file's path can be swapped for a link to
anything the worker may read, and its bytes can be changed (a preview of
other bytes would then be kept under the first bytes' id). So a job works on
a copy: the file is opened once, from its resolved path, without following a
link in its last step; where it really is is read back from the descriptor
and checked; the copy is made from that descriptor while it is hashed; and
its id must be the one ingested.
"""

import os
import stat
from pathlib import Path
from typing import Callable

from ..hashing import chunks_of, copy_hashed
from .errors import SourceNotFound, SourceOutsideRoots, SourceTooLarge

MOVED = "the file is no longer where it was ingested from; ingest it again"


def copy_checked(source: Path, into: Path, allowed: Callable[[Path], bool], max_bytes: int) -> tuple[Path, str]:
    """Copy ``source`` into the folder ``into`` through one descriptor; return the copy and its bytes' SHA-256.

    Parameters
    ----------
    allowed
        Whether a real path may be read (inside the roots, outside the service's own folders).

    Raises
    ------
    SourceNotFound
        It is gone, or not a regular file.
    SourceOutsideRoots
        It is, or now leads, somewhere it may not be read from.
    SourceTooLarge
        It grew past ``max_bytes``.
    """
    try:
        real = source.resolve(strict=True)
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as e:
        raise SourceNotFound(MOVED) from e
    with os.fdopen(fd, "rb") as stream:
        opened = Path(os.readlink(f"/proc/self/fd/{fd}"))
        if opened != real or not allowed(opened):
            raise SourceOutsideRoots(MOVED)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise SourceNotFound(MOVED)
        copy = into / real.name
        with copy.open("wb") as out:
            sha256, _ = copy_hashed(chunks_of(stream), out, max_bytes,
                                    lambda: SourceTooLarge(f"{real.name!r} is larger than {max_bytes} bytes"))
    return copy, sha256
