"""Running an external converter inside an OS sandbox: bubblewrap, and nothing done by halves.

Where the sandbox cannot be set up (no bubblewrap, user namespaces refused by
the kernel, a seccomp profile or AppArmor), converters are not run: the run
fails with :class:`SandboxUnavailable` saying why, and readiness says so too.
Only the setting UNSAFE_NO_SANDBOX runs them without it.

This module holds :class:`Sandbox`, which runs and starts programs. What
bubblewrap's output says of a run is read in :mod:`.run_outcome`; the script
a library starts a sandboxed program with is written in :mod:`.launcher`.
"""

import logging
import os
import shutil
import subprocess
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import IO, Iterator, Mapping, Sequence

from ...config import Settings, SettingInvalid
from ..context import SettingsService
from .bubblewrap import EGRESS_SOCKET, bubblewrap_command, refuse_wide_roots
from .allowed_hosts import parse_allowed_hosts
from .egress import EGRESS_PROXY, egress_socket, relay_command
from .errors import RunTimedOut, SandboxUnavailable
from .handoff import filter_and_reads
from .launcher import LAUNCHER_FILTER_FD, write_launcher, write_seccomp_filter
from .pinning import Read
from .run_outcome import UNAVAILABLE, run_outcome
from .runner import Finished, run_bounded, start_bounded
from .seccomp import denying_filter

logger = logging.getLogger(__name__)

__all__ = ["Sandbox", "EGRESS_PROXY"]

CHECK_TIMEOUT_SECONDS = 5.0
BWRAP_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
NOT_INSTALLED = "%r was not found; install Debian's bubblewrap package (or set BWRAP)"


class Sandbox(SettingsService):
    """Runs programs in bubblewrap, each with only what one run needs.

    Parameters
    ----------
    bwrap
        The bubblewrap command or path.
    enabled
        False only when an operator opted out (UNSAFE_NO_SANDBOX): programs then run as they are.
    hidden
        Folders that never show inside, even where a system folder around them does.
    allowed_hosts
        The only hosts a run with egress may reach, through a filtering proxy: ``host[:port]`` each
        (``allowed_hosts.py``).

    Raises
    ------
    ValueError
        An allowed host is not ``host[:port]``.
    """

    def __init__(self, bwrap: str = "bwrap", enabled: bool = True, hidden: Sequence[Path] = (),
                 allowed_hosts: Sequence[str] = ()) -> None:
        self.bwrap = bwrap
        self.enabled = enabled
        self.hidden = tuple(hidden)
        self.allowed_hosts = parse_allowed_hosts(allowed_hosts)

    @classmethod
    def from_settings(cls, settings: Settings) -> "Sandbox":
        """The sandbox, hiding every folder the service keeps files in.

        Raises
        ------
        SettingInvalid
            A source root holds system folders the converters need (``/usr/share``): it cannot be hidden;
            or an entry of RENDER_ALLOWED_HOSTS is not ``host[:port]``.
        """
        refuse_wide_roots(settings.SOURCE_ROOTS)
        try:
            return cls(
                settings.BWRAP,
                enabled=not settings.UNSAFE_NO_SANDBOX,
                hidden=(*settings.SOURCE_ROOTS, settings.DATA_DIR, settings.proxy_store_root, settings.plugin_dir),
                allowed_hosts=settings.RENDER_ALLOWED_HOSTS,
            )
        except ValueError as e:
            raise SettingInvalid(f"RENDER_ALLOWED_HOSTS: {e}") from e

    @property
    def identity(self) -> tuple[object, ...]:
        """What makes two sandboxes alike: a program kept running in one serves the other too (``kept.py``)."""
        return (self.bwrap, self.enabled, self.hidden, self.allowed_hosts)

    @property
    def egress_proxy(self) -> str | None:
        """The proxy a converter must use to reach the allowed hosts; ``None`` when it may reach none."""
        return EGRESS_PROXY if self.enabled and self.allowed_hosts else None

    def executable(self) -> str:
        """The full path of bubblewrap.

        Raises
        ------
        SandboxUnavailable
            It is not installed.
        """
        found = shutil.which(self.bwrap)
        if found is None:
            raise SandboxUnavailable(UNAVAILABLE % (NOT_INSTALLED % self.bwrap))
        return found

    def run(
        self,
        command: Sequence[str],
        reads: Sequence[Read],
        writes: Path,
        timeout: float,
        memory_mb: int | None = None,
        environment: Mapping[str, str] | None = None,
        egress: bool = False,
        within: Path | None = None,
        shown_as: Path | None = None,
        stdout: IO[bytes] | None = None,
    ) -> Finished:
        """Run ``command`` in a sandbox that sees ``reads`` and may write ``writes``.

        Parameters
        ----------
        reads
            Files and folders it may read (read-only, at their own paths), or
            ``(file, path)``: a file of the caller's own (a copy) shown at another path.
            Each is opened and checked before the sandbox is built, and that very file
            is mounted (``pinning.py``); one that is gone meanwhile is left out.
        writes
            The one folder it may write: make a fresh one per run.
        timeout
            Seconds it may take; then it and everything it started are killed.
        memory_mb
            The heap it may take.
        environment
            Variables it gets (the rest of the worker's environment is not passed).
        egress
            Whether it may reach the allowed hosts through :attr:`egress_proxy`.
        within
            Where every path of ``reads`` shown at its own place must really be.
        shown_as
            Where ``within`` appears inside (``/page``): what is under it is shown there, so the
            program sees none of the worker's paths. Ignored without the sandbox.
        stdout
            A file (of the caller's, outside) the program's output goes to; else it is dropped.

        Raises
        ------
        SandboxUnavailable
            The sandbox cannot be set up here; the program was not run.
        ViewChanged
            A file to show was replaced meanwhile; the program was not run.
        RunTimedOut
            It ran longer than ``timeout``.
        OSError
            It could not be started.
        """
        if not self.enabled:
            return run_bounded(command, timeout, {**os.environ, **(environment or {})}, memory_mb, stdout=stdout)
        bwrap = self.executable()
        with ExitStack() as stack:
            socket_path = None
            program = list(command)
            if egress and self.allowed_hosts:
                private = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="proxyservice-egress-")))
                socket_path = stack.enter_context(egress_socket(self.allowed_hosts, private, bwrap))
                program = relay_command(program, EGRESS_SOCKET)
            status_read, status_write = os.pipe()
            stack.callback(os.close, status_read)
            filter_fd, pinned = filter_and_reads(reads, within, stack, shown_as)
            try:
                full = bubblewrap_command(bwrap, program, pinned, writes, self.hidden, environment,
                                          status_fd=status_write, egress_socket=socket_path, seccomp_fd=filter_fd)
                # bubblewrap itself gets no more of the worker's environment than the program does:
                # its own processes stay in the sandbox, and their /proc/*/environ with them.
                finished = run_bounded(full, timeout, BWRAP_ENVIRONMENT, memory_mb,
                                       pass_fds=(status_write, filter_fd, *(fd for fd, _ in pinned)), stdout=stdout)
            finally:
                os.close(status_write)
            os.set_blocking(status_read, False)
            try:
                reported = os.read(status_read, 1 << 16)
            except BlockingIOError:
                reported = b""
        return run_outcome(finished, reported)

    def start(
        self,
        command: Sequence[str],
        reads: Sequence[Read],
        writes: Path,
        log: IO[bytes],
        memory_mb: int | None = None,
        environment: Mapping[str, str] | None = None,
    ) -> "subprocess.Popen[bytes]":
        """Start a long-lived program in a sandbox as :meth:`run` builds it; talk to it on its stdin and stdout.

        It sees ``reads`` and may write ``writes`` for as long as it lives, so a
        file it is to work on later is put in ``writes``. Stop it with
        :func:`~.runner.stop`; it dies with this process. Should the sandbox
        fail to start, the program ends at once, and bubblewrap's words are in ``log``.

        Parameters
        ----------
        log
            Where its stderr (and bubblewrap's) goes.

        Raises
        ------
        SandboxUnavailable
            bubblewrap is not installed.
        OSError
            It could not be started.
        """
        if not self.enabled:
            return start_bounded(command, {**os.environ, **(environment or {})}, memory_mb, stderr=log, talks=True)
        bwrap = self.executable()
        with ExitStack() as stack:
            filter_fd, pinned = filter_and_reads(reads, None, stack)
            full = bubblewrap_command(bwrap, command, pinned, writes, self.hidden, environment, seccomp_fd=filter_fd)
            # Its copies of the descriptors stay open in it until bubblewrap has mounted them.
            return start_bounded(full, BWRAP_ENVIRONMENT, memory_mb, pass_fds=(filter_fd, *(fd for fd, _ in pinned)),
                                 stderr=log, talks=True)

    @contextmanager
    def launcher(self, program: str, folder: Path, memory_mb: int | None = None,
                 environment: Mapping[str, str] | None = None, egress: bool = False,
                 nested_sandbox: bool = False) -> Iterator[Path]:
        """A script that runs ``program``, with the arguments it is given, in a sandbox as :meth:`start` builds it.

        For a program another library starts and talks to: Playwright starts
        Chromium with the script, and talks to it on descriptors 3 and 4,
        which the script and bubblewrap pass on. The program sees no file of
        the service and may write none (its ``/tmp`` is its own); whatever it
        is to work on, it is handed over the conversation. The script writes
        its PID to :data:`~.launcher.LAUNCHER_PID_FILE` in ``folder``: killing that
        process group ends the program and everything it started.

        Parameters
        ----------
        folder
            Where the script and its seccomp filter are written (the sandbox does not show it).
        memory_mb
            The heap each of its processes may take.
        egress
            Whether it may reach the allowed hosts through :attr:`egress_proxy` (while in the block).
        nested_sandbox
            Let it make a sandbox of its own for its children (``seccomp.py``).

        Raises
        ------
        SandboxUnavailable
            bubblewrap is not installed, or the egress proxy cannot start.
        """
        with ExitStack() as stack:
            command, filter_file = [program], None
            if self.enabled:
                socket_path = None
                if egress and self.allowed_hosts:
                    socket_path = stack.enter_context(egress_socket(self.allowed_hosts, folder, self.executable()))
                    command = relay_command(command, EGRESS_SOCKET)
                filter_file = write_seccomp_filter(folder, denying_filter(nested_sandbox))
                command = bubblewrap_command(self.executable(), command, [], None, self.hidden, environment,
                                             egress_socket=socket_path, seccomp_fd=LAUNCHER_FILTER_FD)
            yield write_launcher(folder, command, memory_mb, filter_file)

    def check(self, timeout: float = CHECK_TIMEOUT_SECONDS) -> str:
        """Start an empty sandbox, as every run does; return bubblewrap's version.

        Raises
        ------
        SandboxUnavailable
            It cannot start here, with bubblewrap's reason.
        """
        if not self.enabled:
            return "disabled (UNSAFE_NO_SANDBOX)"
        with tempfile.TemporaryDirectory(prefix="proxyservice-check-") as folder:
            try:
                self.run(["/bin/true"], (), Path(folder), timeout)
            except (RunTimedOut, OSError) as e:
                raise SandboxUnavailable(UNAVAILABLE % e) from e
        try:
            version = subprocess.run([self.executable(), "--version"], capture_output=True, text=True,
                                     timeout=timeout, check=True).stdout.strip()
        except (OSError, subprocess.SubprocessError) as e:
            raise SandboxUnavailable(UNAVAILABLE % e) from e
        return version
