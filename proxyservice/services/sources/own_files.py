"""The service's own files, by device and inode: what a hard link in a source root must not reach."""

import os
from pathlib import Path

DEPTH = 2
"""How deep the service's folders are looked into: its secret and records at the top, plugins one folder down.
The proxies and uploads deeper down are no secret (an upload is read as the upload it is)."""


def own_files(folders: tuple[Path, ...]) -> frozenset[tuple[int, int]]:
    """``(device, inode)`` of every regular file in ``folders`` and their subfolders, DEPTH levels deep.

    Asked only of a file with more than one link, so the cost (a few listings) is paid rarely.
    """
    found: set[tuple[int, int]] = set()
    pending = [(folder, 1) for folder in folders]
    while pending:
        folder, depth = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    found.add((stat.st_dev, stat.st_ino))
                elif entry.is_dir(follow_symlinks=False) and depth < DEPTH:
                    pending.append((Path(entry.path), depth + 1))
            except OSError:
                continue
    return frozenset(found)
