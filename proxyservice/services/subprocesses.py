"""Running a renderer program with a time limit that kills its whole process group.

wkhtmltoimage and pdftoppm may start children or hang on input written by
strangers; killing only the direct child would leave the rest running.
"""

import ctypes
import os
import resource
import signal
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence


class TimedOut(Exception):
    """The program ran longer than its limit; its process group was killed."""


@dataclass(frozen=True)
class Finished:
    """How a program that ended in time ended."""

    returncode: int
    stderr: str


PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _prepare_child(memory_mb: int | None) -> Callable[[], None]:
    def prepare() -> None:  # runs in the child, before exec
        if _LIBC is not None:
            # Killed with its parent: a worker child killed mid-render leaves no renderer behind.
            _LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if memory_mb:
            limit = memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))

    return prepare


def run_bounded(
    command: Sequence[str], timeout: float, env: Mapping[str, str] | None = None, memory_mb: int | None = None
) -> Finished:
    """Run ``command`` in a new session and wait at most ``timeout`` seconds.

    Parameters
    ----------
    memory_mb
        The most heap, in MiB, (RLIMIT_DATA: heap and private mappings) it may take;
        past it its allocations fail. Address space is not limited: WebKit
        reserves gigabytes it never uses.

    Raises
    ------
    TimedOut
        It did not end in time; it and every process it started were killed.
    OSError
        It could not be started.
    """
    process = subprocess.Popen(
        list(command),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=dict(env) if env is not None else None,
        start_new_session=True,
        preexec_fn=_prepare_child(memory_mb),  # the workers that render are single-threaded
    )
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as e:
        _kill_group(process)
        raise TimedOut(f"{os.path.basename(command[0])} ran longer than {timeout:g} s") from e
    finally:
        if process.poll() is None:  # an exception other than the timeout
            _kill_group(process)
    return Finished(process.returncode, stderr.decode("utf-8", "replace"))


def _kill_group(process: "subprocess.Popen[bytes]") -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()
