"""Scratch files a killed process left: what is older than any job may run is nobody's."""

import logging
import os
import shutil
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def remove_older_than(folder: Path, seconds: float) -> int:
    """Remove the entries of ``folder`` (files and whole folders) last changed over ``seconds`` ago; return how many.

    Several processes may sweep one folder at once: an entry another removed
    first is skipped, and one that cannot be removed is logged and left.
    """
    removed = 0
    cutoff = time.time() - seconds
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return 0
    for entry in entries:
        try:
            if entry.stat(follow_symlinks=False).st_mtime >= cutoff:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed += 1
        except FileNotFoundError:
            continue  # another process swept it first
        except OSError as e:
            logger.warning("cannot remove %s from %s: %s", entry.name, folder, e)
    return removed
