"""Running a program with a time limit that kills its whole process group.

Converters may start children or hang on input written by strangers; killing
only the direct child would leave the rest running.
"""

import ctypes
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Mapping, Sequence

from .errors import RunTimedOut


@dataclass(frozen=True)
class Finished:
    """How a program that ended in time ended."""

    returncode: int
    stderr: str

    def last_words(self, source: Path, limit: int = 300) -> str:
        """The program's last line of errors (or its exit code), naming ``source`` by its name alone."""
        lines = [line.strip() for line in self.stderr.strip().splitlines() if line.strip()]
        said = lines[-1] if lines else f"exit code {self.returncode}"
        return said.replace(str(source.parent) + "/", "").replace(str(source), source.name)[:limit]


PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _prepare_child(memory_mb: int | None) -> Callable[[], None]:
    def prepare() -> None:  # runs in the child, before exec
        if _LIBC is not None:
            # Killed with its parent: a worker child killed mid-render leaves no converter behind.
            _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if memory_mb:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

    return prepare


def start_bounded(
    command: Sequence[str], env: Mapping[str, str] | None = None, memory_mb: int | None = None,
    pass_fds: Sequence[int] = (), stderr: int | IO[bytes] = subprocess.PIPE, talks: bool = False,
    stdout: IO[bytes] | None = None,
) -> "subprocess.Popen[bytes]":
    """Start ``command`` in a new session, to die with this process; stderr is piped unless told.

    Parameters
    ----------
    talks
        Give it pipes for stdin and stdout (else both are ``/dev/null``).
    stdout
        A file its output goes to (when it does not talk).

    Raises
    ------
    OSError
        It could not be started.
    """
    return subprocess.Popen(
        list(command),
        stdin=subprocess.PIPE if talks else subprocess.DEVNULL,
        stdout=subprocess.PIPE if talks else stdout or subprocess.DEVNULL,
        stderr=stderr,
        env=dict(env) if env is not None else None,
        start_new_session=True,
        pass_fds=tuple(pass_fds),
        preexec_fn=_prepare_child(memory_mb),  # the workers that convert are single-threaded
    )


def run_bounded(
    command: Sequence[str], timeout: float, env: Mapping[str, str] | None = None, memory_mb: int | None = None,
    pass_fds: Sequence[int] = (), stdout: IO[bytes] | None = None,
) -> Finished:
    """Run ``command`` in a new session and wait at most ``timeout`` seconds.

    Parameters
    ----------
    memory_mb
        The most heap, in MiB, (RLIMIT_DATA: heap and private mappings) it may take;
        past it its allocations fail. Address space is not limited: WebKit
        reserves gigabytes it never uses.
    pass_fds
        File descriptors the program inherits.
    stdout
        A file its output goes to (else ``/dev/null``).

    Raises
    ------
    RunTimedOut
        It did not end in time; it and every process it started were killed.
    OSError
        It could not be started.
    """
    process = start_bounded(command, env, memory_mb, pass_fds, stdout=stdout)
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as e:
        stop(process)
        raise RunTimedOut(f"{os.path.basename(command[0])} ran longer than {timeout:g} s") from e
    finally:
        if process.poll() is None:  # an exception other than the timeout
            stop(process)
    return Finished(process.returncode, stderr.decode("utf-8", "replace"))


def stop(process: "subprocess.Popen[bytes]") -> None:
    """Kill a program started here and its whole process group, and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()
