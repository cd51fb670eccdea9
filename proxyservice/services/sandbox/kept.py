"""Programs a worker child keeps running in the sandbox between files (LibreOffice, Chromium).

Starting such a program costs far more than one file's work in it, so each
worker child keeps one per configuration, started on first use, and starts
another when the one it has is no longer fit (it died, timed out, or did its
share of files). Each keeps a folder named after its worker child's PID, so
that the folders of children killed before they could clean up are found and
removed by the next one.
"""

import shutil
from pathlib import Path
from typing import Callable, Protocol, TypeVar


class KeptProgram(Protocol):
    """What a kept program says of itself."""

    @property
    def is_alive(self) -> bool:
        """Whether it runs, in this process, and may take another file."""

    def close(self) -> None:
        """Stop it, with all it started, and remove its folder."""


Kept = TypeVar("Kept", bound=KeptProgram)

_RUNNING: dict[tuple[object, ...], KeptProgram] = {}
"""This worker child's kept programs, by what they were started with."""


def kept_running(key: tuple[object, ...], start: Callable[[], Kept]) -> Kept:
    """This process's program for ``key``: the one running, or a new one from ``start``.

    A program inherited from the process this one was forked from is left to it.
    """
    program = _RUNNING.get(key)
    if program is not None and not program.is_alive:
        program.close()
        program = None
    if program is None:
        program = _RUNNING[key] = start()
    return program  # type: ignore[return-value]  # each key is started by one kind of program


def close_all() -> None:
    """Stop every program this process keeps (for benches and tests that compare with none kept)."""
    for program in list(_RUNNING.values()):
        program.close()
    _RUNNING.clear()


def remove_stale_folders(parent: Path, prefix: str) -> int:
    """Remove the folders ``<prefix><pid>-…`` whose worker child is gone; return how many."""
    removed = 0
    for folder in parent.glob(f"{prefix}*"):
        pid = folder.name.removeprefix(prefix).split("-")[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists():
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed
