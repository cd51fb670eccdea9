"""The service's own files, by device and inode: what a hard link in a source root must not reach."""

import os
from pathlib import Path


def own_files(folders: tuple[Path, ...]) -> frozenset[tuple[int, int]]:
    """``(device, inode)`` of the regular files at the top of the service's folders: its secret, its records.

    Deeper down are proxies and uploads, no secret (an upload is read as the upload it is), and a store of
    many files: they are not listed. Asked only of a file with more than one link, so the cost is paid rarely.
    """
    found: set[tuple[int, int]] = set()
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_file(follow_symlinks=False):
                    stat = entry.stat(follow_symlinks=False)
                    found.add((stat.st_dev, stat.st_ino))
            except OSError:
                continue
    return frozenset(found)
