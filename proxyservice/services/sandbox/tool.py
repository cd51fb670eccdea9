"""One converter program, run in the sandbox on one input: what every converter service shares.

A converter service subclasses :class:`SandboxedTool`, names its own errors
for a missing program and for a run past its limit, and calls :meth:`run_on`;
reading the result, and saying why there is none, stays its own.
"""

import shutil
from pathlib import Path
from typing import IO, ClassVar, Sequence

from .errors import RunTimedOut
from .runner import Finished
from .sandbox import Sandbox


class SandboxedTool:
    """A program found on PATH (or at a path), run in the sandbox with a time and a memory limit.

    Parameters
    ----------
    binary
        The command or path.
    memory_mb
        The address space it may take.
    sandbox
        Where it runs.
    """

    MISSING: ClassVar[type[Exception]] = FileNotFoundError
    """Raised when the program cannot be found."""
    INSTALL: ClassVar[str] = ""
    """What to install to have it, said in that error."""
    TIMED_OUT: ClassVar[type[Exception]] = TimeoutError
    """Raised when a run passes its limit."""

    def __init__(self, binary: str, memory_mb: int | None = None, sandbox: Sandbox | None = None) -> None:
        self.binary = binary
        self.memory_mb = memory_mb
        self.sandbox = sandbox or Sandbox()

    def executable(self, binary: str | None = None) -> str:
        """The program's path (``binary``, or the tool's own).

        Raises
        ------
        MISSING
            It is not installed.
        """
        name = binary or self.binary
        found = shutil.which(name)
        if found is None:
            raise self.MISSING(f"{name!r} was not found; install {self.INSTALL}")
        return found

    def run_on(self, command: Sequence[str], source: Path, work: Path, timeout: float, doing: str,
               stdout: IO[bytes] | None = None) -> Finished:
        """Run ``command``, which sees ``source`` alone and may write ``work`` (and ``stdout``, when given).

        Raises
        ------
        TIMED_OUT
            It ran longer than ``timeout``; ``doing`` says what it was doing, in the message.
        SandboxError
            The sandbox could not be set up; nothing was run.
        """
        try:
            return self.sandbox.run(command, (source,), work, timeout, self.memory_mb, within=source.parent,
                                    stdout=stdout)
        except RunTimedOut as e:
            raise self.TIMED_OUT(f"{doing} {source.name} took longer than {timeout:g} s (RENDER_TIMEOUT)") from e
