"""What bubblewrap is handed for one run: the seccomp filter on a pipe, and the files it may read, pinned."""

import os
from contextlib import ExitStack
from pathlib import Path
from typing import Sequence

from .pinning import Read, pin_reads
from .seccomp import denying_filter


def readable(data: bytes) -> int:
    """A descriptor to read ``data`` from (a pipe already holding it, its writing end closed)."""
    read, write = os.pipe()
    try:
        os.write(write, data)  # a filter is a few KiB: well under a pipe's buffer
    finally:
        os.close(write)
    return read


def filter_and_reads(reads: Sequence[Read], within: Path | None, stack: ExitStack,
                      shown_as: Path | None = None) -> tuple[int, list[tuple[int, Path]]]:
    """The seccomp filter's descriptor and the pinned reads bubblewrap is given, all closed with ``stack``."""
    filter_fd = readable(denying_filter())
    stack.callback(os.close, filter_fd)
    return filter_fd, pin_reads(reads, within, stack, shown_as)
