"""The system calls a converter may not make inside its sandbox, as a seccomp filter (libseccomp).

bubblewrap loads it just before it starts the converter, after it has built
the sandbox. It narrows the kernel a hostile file can reach: no new namespaces
(the sandbox stays the last one), no mounts, no reading other processes, and
none of the rarely used interfaces that kernel exploits favour. Everything
else is allowed: converters are large programs with many needs. System calls
of another architecture (32-bit calls on x86-64) kill the program.

A program that sandboxes its own children (Chromium: each page in a renderer
process of new user, PID and network namespaces, under its own seccomp
filter) gets the filter with those three namespaces and ``chroot`` allowed,
and nothing else more: no mounts, no way into another namespace.
"""

import errno
import socket
import tempfile
from functools import cache

import pyseccomp

DENIED = (
    # The sandbox is the last namespace: no new ones, and no way into another.
    "unshare", "setns",
    # The filesystem view stays as bubblewrap built it.
    "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount",
    "fspick", "mount_setattr",
    # Other processes' memory.
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
    # Kernel interfaces no converter needs and exploits favour.
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module",
    "delete_module", "acct", "swapon", "swapoff", "reboot", "syslog", "quotactl", "lookup_dcookie",
    "open_by_handle_at", "name_to_handle_at", "fanotify_init", "uselib", "ioperm", "iopl",
    "settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "sethostname", "setdomainname",
)
NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000)
"""CLONE_NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET: ``clone`` with any of them is refused."""
NESTED_SANDBOX_FLAGS = (0x10000000, 0x20000000, 0x40000000)
"""CLONE_NEWUSER, NEWPID, NEWNET: what Chromium's own sandbox makes for each renderer."""
NESTED_SANDBOX_CALLS = ("unshare", "chroot")
"""Also allowed to it: ``unshare`` (with those flags only) and ``chroot`` into an empty folder."""
SOCKET_FAMILIES = (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6, socket.AF_NETLINK)
"""The only socket families a converter may open (its network is the sandbox's own loopback anyway)."""
HIGHEST_FAMILY = 64
TIOCSTI = 0x5412
"""Pushing input into a terminal: refused (bubblewrap's --new-session stops it too)."""


@cache
def denying_filter(nested_sandbox: bool = False) -> bytes:
    """The filter as a BPF program, made once per process, for bubblewrap's ``--seccomp``.

    Parameters
    ----------
    nested_sandbox
        Let the program make user, PID and network namespaces and ``chroot``, for a sandbox of its own.
    """
    rules = pyseccomp.SyscallFilter(defaction=pyseccomp.ALLOW)
    refuse = pyseccomp.ERRNO(errno.EPERM)
    for name in DENIED:
        if nested_sandbox and name in NESTED_SANDBOX_CALLS:
            continue
        try:
            rules.add_rule(refuse, name)
        except ValueError:  # not a system call of this architecture
            continue
    # clone3 passes its flags in memory a filter cannot read: say it does not exist, and
    # the C library falls back to clone, whose flags can be checked.
    rules.add_rule(pyseccomp.ERRNO(errno.ENOSYS), "clone3")
    for flag in NAMESPACE_FLAGS:
        if nested_sandbox and flag in NESTED_SANDBOX_FLAGS:
            continue
        rules.add_rule(refuse, "clone", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag))
        if nested_sandbox:
            rules.add_rule(refuse, "unshare", pyseccomp.Arg(0, pyseccomp.MASKED_EQ, flag, flag))
    no_family = pyseccomp.ERRNO(errno.EAFNOSUPPORT)
    for family in range(HIGHEST_FAMILY):
        if family not in SOCKET_FAMILIES:
            rules.add_rule(no_family, "socket", pyseccomp.Arg(0, pyseccomp.EQ, family))
    rules.add_rule(no_family, "socket", pyseccomp.Arg(0, pyseccomp.GE, HIGHEST_FAMILY))
    rules.add_rule(refuse, "ioctl", pyseccomp.Arg(1, pyseccomp.MASKED_EQ, 0xFFFFFFFF, TIOCSTI))
    with tempfile.TemporaryFile() as program:
        rules.export_bpf(program)
        program.seek(0)
        return program.read()
