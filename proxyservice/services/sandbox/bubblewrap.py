"""The bubblewrap command line that gives one converter run its own small world.

What the program inside sees:

- new user, PID, IPC, UTS and network namespaces: its network is a loopback
  of its own, so no socket reaches anything outside; no capabilities;
- a seccomp filter (``seccomp.py``): no further namespaces, no mounts, no
  reading other processes, little of the kernel's rarer interfaces;
- ``/usr`` read-only (its libraries, fonts and helpers), with ``/usr/share/doc``
  and every folder the service keeps files in hidden under empty tmpfs;
- a handful of ``/etc`` entries (fonts, the loader cache, CA certificates);
- a ``/proc`` of its own PID namespace, and a minimal ``/dev``;
- the files this one run may read, read-only, at their own paths;
- one writable folder for its output, and a private ``/tmp``;
- a cleared environment.
"""

import os
from pathlib import Path
from typing import Mapping, Sequence

from ...config import SettingInvalid

SANDBOX_UID = 65534
"""The program runs as ``nobody`` inside its user namespace."""
SYSTEM_TREE = Path("/usr")
MERGED_USR_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
SYSTEM_FILES = (
    "/etc/fonts",
    "/etc/ld.so.cache",
    "/etc/ssl/certs",
    "/etc/alternatives",
    "/etc/localtime",
    "/var/cache/fontconfig",
    "/etc/libreoffice",
)
"""Read-only when present: font configuration, the loader cache, CA certificates, LibreOffice's registry."""
PROC_HIDDEN_FILES = ("kcore", "keys", "key-users", "kallsyms", "kmsg", "config.gz", "timer_list", "sched_debug",
                     "latency_stats", "timer_stats", "iomem", "sysrq-trigger")
PROC_HIDDEN_FOLDERS = ("acpi", "asound", "scsi", "driver", "irq", "bus")
"""What of the kernel a sandbox's /proc still shows and no converter needs: hidden, as Docker hides it."""
ALWAYS_HIDDEN = (Path("/usr/share/doc"),)
"""Inside ``/usr`` but no converter's business: every package's documentation."""
CONVERTERS_NEED = tuple(Path(folder) for folder in (
    "/usr/bin", "/usr/lib", "/usr/share/fonts", "/usr/share/fontconfig", "/usr/share/mime", "/usr/share/X11",
    "/usr/share/zoneinfo", "/usr/share/poppler", "/usr/lib/libreoffice", "/usr/share/javascript"))
"""Folders of the system tree the converters read (programs, libraries, fonts, MIME and locale data): a source root
that holds one cannot be hidden from them, so it is refused at start (the sandbox hides every source root)."""
ROOT_TOO_WIDE = ("SOURCE_ROOTS: %s holds what the converters need (%s), and the sandbox hides every source root "
                 "from them: name the folders below it that hold the files (such as /usr/share/doc)")
TMP_BYTES = 64 * 1024 * 1024
"""The private /tmp is a tmpfs of at most this size."""
RUNTIME_DIR = "/tmp/runtime"
EGRESS_SOCKET = "/run/egress.sock"
"""Where the egress proxy's socket appears inside, when the run may reach allowed hosts."""
BASE_ENVIRONMENT = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "LANG": "C.UTF-8",
    "XDG_RUNTIME_DIR": RUNTIME_DIR,
}


def _system_view() -> list[str]:
    arguments = ["--ro-bind", str(SYSTEM_TREE), str(SYSTEM_TREE)]
    for name in MERGED_USR_LINKS:
        top = Path("/") / name
        if top.is_symlink():
            arguments += ["--symlink", os.readlink(top), str(top)]
        elif top.is_dir():
            arguments += ["--ro-bind", str(top), str(top)]
    for entry in SYSTEM_FILES:
        arguments += ["--ro-bind-try", entry, entry]
    return arguments


def _proc_masks() -> list[str]:
    arguments: list[str] = []
    for name in PROC_HIDDEN_FILES:
        if os.path.isfile(f"/proc/{name}"):
            arguments += ["--ro-bind", "/dev/null", f"/proc/{name}"]
    for name in PROC_HIDDEN_FOLDERS:
        if os.path.isdir(f"/proc/{name}"):
            arguments += ["--tmpfs", f"/proc/{name}", "--remount-ro", f"/proc/{name}"]
    return arguments


def _hidden(hidden: Sequence[Path]) -> list[Path]:
    """The folders to cover with an empty tmpfs: those that would show inside ``/usr``, the outermost of nested ones
    (a folder inside another covered one is gone with it, and could not be remounted read-only once covered)."""
    inside = [(folder.resolve() if folder.exists() else folder) for folder in (*ALWAYS_HIDDEN, *hidden)]
    inside = [real for real in inside if real.is_relative_to(SYSTEM_TREE) and real != SYSTEM_TREE]
    return [real for index, real in enumerate(inside)
            if real not in inside[:index] and not any(real != other and real.is_relative_to(other) for other in inside)]


def refuse_wide_roots(roots: Sequence[Path]) -> None:
    """Refuse a source root that holds system folders the converters need: hidden, it would hide them too.

    Raises
    ------
    SettingInvalid
        Such a root (``/usr/share``), with what it holds and what to name instead.
    """
    for root in roots:
        real = root.resolve() if root.exists() else root
        needed = [str(folder) for folder in CONVERTERS_NEED if folder.is_relative_to(real)]
        if needed:
            raise SettingInvalid(ROOT_TOO_WIDE % (root, ", ".join(needed[:3])))


def bubblewrap_command(
    bwrap: str,
    program: Sequence[str],
    reads: Sequence[tuple[int, Path]],
    writes: Path | None,
    hidden: Sequence[Path] = (),
    environment: Mapping[str, str] | None = None,
    status_fd: int | None = None,
    egress_socket: Path | None = None,
    seccomp_fd: int | None = None,
) -> list[str]:
    """The command that runs ``program`` inside a sandbox of its own.

    Parameters
    ----------
    bwrap
        The bubblewrap executable.
    reads
        ``(descriptor, path)``: the files and folders the program may read, opened and
        checked beforehand (``pinning.py``), each bound read-only at its path.
    writes
        The one folder it may write, at its own path.
    hidden
        Folders that must not show even where ``/usr`` is visible (source roots, the data folder).
    environment
        Variables set inside, besides a minimal PATH, HOME, LANG and XDG_RUNTIME_DIR.
    status_fd
        A descriptor bubblewrap writes its JSON status to (``{"exit-code": N}`` once the program ran).
    egress_socket
        A Unix socket to bind inside at :data:`EGRESS_SOCKET`: the only way out.
    seccomp_fd
        A descriptor to read the program's seccomp filter from (a BPF program).
    """
    arguments = [
        bwrap,
        "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
        "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID),
        "--cap-drop", "ALL",
        "--die-with-parent",
        # A program with no controlling terminal of ours cannot push input into one (TIOCSTI).
        "--new-session",
        "--hostname", "sandbox",
        *_system_view(),
        "--dev", "/dev",
        # A proc of the sandbox's own PID namespace: it shows no process outside. WebKit needs
        # /proc/self/maps (glibc finds the main thread's stack there); without it, renders crash.
        "--proc", "/proc",
        *_proc_masks(),
        "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
        "--perms", "0700", "--dir", RUNTIME_DIR,
    ]
    covered = _hidden(hidden)
    for folder in covered:
        arguments += ["--tmpfs", str(folder)]
    for fd, shown_at in reads:
        arguments += ["--ro-bind-fd", str(fd), str(shown_at)]
    if writes is not None:
        arguments += ["--bind", str(writes), str(writes)]
    if egress_socket is not None:
        arguments += ["--ro-bind", str(egress_socket), EGRESS_SOCKET]
    for folder in covered:
        arguments += ["--remount-ro", str(folder)]
    arguments += ["--remount-ro", "/", "--chdir", "/tmp", "--clearenv"]
    for name, value in {**BASE_ENVIRONMENT, **(environment or {})}.items():
        arguments += ["--setenv", name, value]
    if status_fd is not None:
        arguments += ["--json-status-fd", str(status_fd)]
    if seccomp_fd is not None:
        arguments += ["--seccomp", str(seccomp_fd)]
    return [*arguments, "--", *program]
