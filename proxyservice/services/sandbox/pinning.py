"""Pinning the files a sandbox shows, so that what was checked is what is mounted.

Binding by path lets bubblewrap follow whatever a path leads to when it
mounts it: a file swapped for a symbolic link to a secret between the check
of a page's tree and the mount would be shown in its place. So each file is
opened first (``O_PATH | O_NOFOLLOW``, from its resolved path), the opened
file's real path is read back from ``/proc/self/fd`` and checked, and
bubblewrap binds the descriptor (``--ro-bind-fd``): the very file checked.
"""

import logging
import os
import stat
from contextlib import ExitStack
from pathlib import Path
from typing import Sequence

logger = logging.getLogger(__name__)

Read = Path | tuple[Path, Path]


def _opened_real_path(fd: int) -> Path:
    return Path(os.readlink(f"/proc/self/fd/{fd}"))


def pin_reads(reads: Sequence[Read], within: Path | None, stack: ExitStack,
              shown_as: Path | None = None) -> list[tuple[int, Path]]:
    """Open each read, checked; return ``(descriptor, path inside the sandbox)`` pairs, closed with ``stack``.

    Parameters
    ----------
    reads
        Paths to show at their own place, or ``(file, path)``: a file of the caller's own
        (a copy it made) shown at ``path``.
    within
        Where every path read at its own place must really be (the page's tree);
        one that is not, or is gone, is left out.
    shown_as
        Where ``within`` appears inside: each path under it is shown at the same place under
        this folder instead, so the program never learns where the files are kept.
    """
    pinned: list[tuple[int, Path]] = []
    for read in reads:
        source, shown_at = read if isinstance(read, tuple) else (read, read)
        try:
            expected = source.resolve(strict=True)
            fd = os.open(expected, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError as e:
            logger.info("not shown in the sandbox (%s): %s", type(e).__name__, shown_at)
            continue
        stack.callback(os.close, fd)
        kind = os.fstat(fd).st_mode
        if not (stat.S_ISREG(kind) or stat.S_ISDIR(kind)):
            # O_PATH opens a link itself: the file was swapped for one after it was resolved.
            logger.warning("not shown in the sandbox: %s is no longer a file or a folder", shown_at)
            continue
        real = _opened_real_path(fd)
        if real != expected or (not isinstance(read, tuple) and within is not None
                                and not real.is_relative_to(within)):
            # A folder on the way was swapped for a link while it was being opened.
            logger.warning("not shown in the sandbox: %s moved while it was opened", shown_at)
            continue
        if shown_as is not None and within is not None and shown_at.is_relative_to(within):
            shown_at = shown_as / shown_at.relative_to(within)
        pinned.append((fd, shown_at))
    return pinned
