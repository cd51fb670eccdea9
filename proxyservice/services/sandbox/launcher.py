"""A launcher: a shell script that starts a program, sandboxed or not, for a library that starts it itself.

Playwright starts Chromium with such a script. The script sets the heap
limit, writes its PID (that of the program, which it ``exec``s) to
:data:`LAUNCHER_PID_FILE`, opens the seccomp filter for bubblewrap on
:data:`LAUNCHER_FILTER_FD`, and passes on the arguments it is given.
"""

import shlex
from pathlib import Path
from typing import Sequence

LAUNCHER_FILTER_FD = 9
"""The descriptor a launcher script opens its seccomp filter on, for bubblewrap."""
LAUNCHER_PID_FILE = "launcher.pid"
"""Where a launcher script writes its PID: it becomes bubblewrap's, the leader of its process group."""
LAUNCHER_SCRIPT = "launch.sh"
SECCOMP_FILTER_FILE = "seccomp.bpf"


def write_seccomp_filter(folder: Path, seccomp_filter: bytes) -> Path:
    """Write the filter a launcher opens for bubblewrap into ``folder``; return its path."""
    filter_file = folder / SECCOMP_FILTER_FILE
    filter_file.write_bytes(seccomp_filter)
    return filter_file


def write_launcher(folder: Path, command: Sequence[str], memory_mb: int | None,
                   filter_file: Path | None = None) -> Path:
    """Write a launcher script into ``folder`` that runs ``command`` with the arguments it is given; return its path.

    Parameters
    ----------
    folder
        Where the script is written, and its PID (:data:`LAUNCHER_PID_FILE`).
    command
        The program and its first arguments: bubblewrap's whole command line, for a sandboxed program.
    memory_mb
        The heap each of its processes may take; no limit when ``None`` or 0.
    filter_file
        The seccomp filter bubblewrap is to read on :data:`LAUNCHER_FILTER_FD`
        (:func:`write_seccomp_filter`); ``None`` for a program run as it is.
    """
    lines = [f'exec {shlex.join(command)} "$@"']
    if filter_file is not None:
        lines.insert(0, f"exec {LAUNCHER_FILTER_FD}<{shlex.quote(str(filter_file))}")
    lines.insert(0, f"echo $$ > {shlex.quote(str(folder / LAUNCHER_PID_FILE))}")
    if memory_mb:
        lines.insert(0, f"ulimit -d {memory_mb * 1024}")
    script = folder / LAUNCHER_SCRIPT
    script.write_text("#!/bin/sh\n" + "\n".join(lines) + "\n")
    script.chmod(0o700)
    return script
