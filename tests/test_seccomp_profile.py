"""Docker's default seccomp profile stops the converter sandbox; config/seccomp-worker.json lets it run.

No Docker engine runs here, so each test starts a child the way Docker starts the
worker's container, and runs the project's own sandbox in it:

- a mount namespace of its own, where Docker's read-only and masked system paths
  (runc's ``readonlyPaths`` and ``maskedPaths``) are applied, unless the container
  has ``systempaths=unconfined``;
- the seccomp profile read as Docker reads it (moby/profiles' ``setupSeccomp``: an
  entry's ``includes``/``excludes`` by architecture, kernel and capability, the
  capabilities being the container's bounding set whoever its user is) and loaded
  as runc loads it, with libseccomp (through PyPI's ``pyseccomp``): conditions on
  one argument become separate rules, names this libseccomp does not know are
  skipped, ``no_new_privs`` is set only with ``no-new-privileges``;
- the container's capability bounding set, then its user (``setpriv``).

AppArmor is not modelled (this kernel has none): docs/deploying.md, "The worker's container", says what
Docker's ``docker-default`` profile refuses.

tests/fixtures/docker-default-seccomp.json is moby's default profile, unmodified:
github.com/moby/profiles, seccomp/default.json at tag seccomp/v0.2.3
(836ae4d37ef2ec995c77c99fc55f5b5f3af3a897), the same file as at cd3bed8061c7 (2026-06-30).
"""

import ctypes
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import AbstractSet, Any, NoReturn, Sequence

import pyseccomp
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PROFILE = ROOT / "tests" / "fixtures" / "docker-default-seccomp.json"
WORKER_PROFILE = ROOT / "config" / "seccomp-worker.json"

DOCKER_CAPABILITIES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
    "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
    "CAP_AUDIT_WRITE",
)
"""Docker's default capability set (moby's ``oci.DefaultCapabilities``)."""
READONLY_PATHS = ("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger")
MASKED_PATHS = ("/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
                "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap")
NOBODY = 65534
ARCHITECTURES = {"x86_64": ("amd64", "SCMP_ARCH_X86_64"), "aarch64": ("arm64", "SCMP_ARCH_AARCH64")}
"""This machine's architecture as Go names it (profile ``arches``) and as the profile's ``archMap`` does."""
COMPARISONS = {"SCMP_CMP_NE": pyseccomp.NE, "SCMP_CMP_LT": pyseccomp.LT, "SCMP_CMP_LE": pyseccomp.LE,
               "SCMP_CMP_EQ": pyseccomp.EQ, "SCMP_CMP_GE": pyseccomp.GE, "SCMP_CMP_GT": pyseccomp.GT,
               "SCMP_CMP_MASKED_EQ": pyseccomp.MASKED_EQ}
EPERM = 1
CLONE_NEWNS, MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20000, 1, 32, 4096, 16384, 1 << 18
PR_SET_NO_NEW_PRIVS = 38
LAUNCHER = "tests.test_seccomp_profile"
"""This module, run as the container's first process (see :func:`enter`)."""

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="making the container's mount namespace needs root"),
    pytest.mark.skipif(platform.machine() not in ARCHITECTURES, reason="architecture not modelled"),
]

INSIDE = textwrap.dedent('''
    import ctypes, json, sys
    from pathlib import Path
    from proxyservice.services.sandbox import Sandbox, SandboxUnavailable
    out = Path(sys.argv[1])
    try:
        found = {"check": Sandbox().check()}
    except SandboxUnavailable as e:
        print(json.dumps({"unavailable": str(e)}))
        raise SystemExit(0)
    wrote = Sandbox().run(["/bin/sh", "-c", f"echo ok > {out}/x"], [], out, 10)
    nested = Sandbox().run(["unshare", "--user", "true"], [], out, 10)
    found.update(wrote=(out / "x").read_text().strip(), nested_user_namespace=nested.returncode)
    # What the profile allows bubblewrap, the container itself still cannot do.
    libc = ctypes.CDLL(None, use_errno=True)
    found["mount_errno"] = ctypes.get_errno() if libc.mount(b"tmpfs", bytes(out), b"tmpfs", 0, None) else 0
    print(json.dumps(found))
''')
"""Run in the container as its user: the project's sandbox, checked and used."""


@dataclass(frozen=True)
class Container:
    """What Docker gives the worker's container, as far as the sandbox is concerned."""

    profile: str
    capabilities: tuple[str, ...] = ()
    """The bounding set: Docker's default set, or none with ``cap_drop: [ALL]``."""
    user: int = 0
    no_new_privileges: bool = False
    systempaths_unconfined: bool = False

    def to_json(self) -> str:
        """The container, for :func:`enter` in the child."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Container":
        """The container :meth:`to_json` wrote."""
        fields = json.loads(text)
        return cls(**{**fields, "capabilities": tuple(fields["capabilities"])})


def as_composed(profile: Path = WORKER_PROFILE, user: int = NOBODY, systempaths_unconfined: bool = True) -> Container:
    """The worker as config/compose.yaml runs it: cap_drop ALL, no-new-privileges, systempaths=unconfined."""
    return Container(str(profile), (), user, no_new_privileges=True, systempaths_unconfined=systempaths_unconfined)


def _action(name: str, errno: int | None) -> int:
    simple = {"SCMP_ACT_ALLOW": pyseccomp.ALLOW, "SCMP_ACT_LOG": pyseccomp.LOG, "SCMP_ACT_TRAP": pyseccomp.TRAP,
              "SCMP_ACT_KILL": pyseccomp.KILL, "SCMP_ACT_KILL_THREAD": pyseccomp.KILL_THREAD,
              "SCMP_ACT_KILL_PROCESS": pyseccomp.KILL_PROCESS}
    if name in simple:
        return int(simple[name])
    if name == "SCMP_ACT_ERRNO":
        return int(pyseccomp.ERRNO(EPERM if errno is None else errno))
    raise ValueError(f"{name} is not modelled here")


def _kernel_at_least(version: str) -> bool:
    major, minor = platform.release().split("-")[0].split(".")[:2]
    return (int(major), int(minor)) >= tuple(int(part) for part in version.split("."))


def _applies(entry: dict[str, Any], arch: str, capabilities: AbstractSet[str]) -> bool:
    """Whether Docker keeps a profile entry for this architecture, kernel and bounding set."""
    excludes, includes = entry.get("excludes") or {}, entry.get("includes") or {}
    if arch in excludes.get("arches", ()) or set(excludes.get("caps", ())) & capabilities:
        return False
    if excludes.get("minKernel") and _kernel_at_least(excludes["minKernel"]):
        return False
    if includes.get("arches") and arch not in includes["arches"]:
        return False
    if not set(includes.get("caps", ())) <= capabilities:
        return False
    return not (includes.get("minKernel") and not _kernel_at_least(includes["minKernel"]))


def docker_filter(profile: dict[str, Any], capabilities: AbstractSet[str]) -> pyseccomp.SyscallFilter:
    """The filter Docker and runc load for ``profile`` in a container with this bounding set."""
    arch, native = ARCHITECTURES[platform.machine()]
    default = _action(profile["defaultAction"], profile.get("defaultErrnoRet"))
    rules = pyseccomp.SyscallFilter(default)
    rules.set_attr(pyseccomp.Attr.CTL_NNP, 0)  # runc sets no_new_privs itself, only with no-new-privileges
    for mapping in profile.get("archMap", ()):
        if mapping["architecture"] == native:
            for sub in mapping.get("subArchitectures") or ():
                rules.add_arch(getattr(pyseccomp.Arch, sub.removeprefix("SCMP_ARCH_")))
    for entry in profile["syscalls"]:
        action = _action(entry["action"], entry.get("errnoRet"))
        if not _applies(entry, arch, capabilities) or action == default:
            continue  # runc skips a rule that repeats the default action
        args = entry.get("args") or []
        conditions = [pyseccomp.Arg(a["index"], COMPARISONS[a["op"]], a["value"], a.get("valueTwo", 0)) for a in args]
        indexes = [a["index"] for a in args]
        # As runc: two conditions on one argument are two rules (either may match), else one rule (all must).
        groups = [[c] for c in conditions] if len(set(indexes)) < len(indexes) else [conditions]
        for name in entry["names"]:
            if pyseccomp.resolve_syscall(pyseccomp.Arch.NATIVE, name) == -1:
                continue  # unknown to this libseccomp: runc skips it too
            for group in groups:
                rules.add_rule(action, name, *group)
    return rules


def enter(container: Container, command: Sequence[str]) -> NoReturn:
    """Become the container's process (as root, in a child), then exec ``command`` as its user."""
    libc = ctypes.CDLL(None, use_errno=True)

    def mount(source: str | None, target: str, kind: str | None, flags: int) -> None:
        if libc.mount(source.encode() if source else None, target.encode(), kind.encode() if kind else None,
                      flags, None):
            raise OSError(ctypes.get_errno(), f"mount {target}")

    if libc.unshare(CLONE_NEWNS):
        raise OSError(ctypes.get_errno(), "unshare")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    if not container.systempaths_unconfined:
        for path in filter(os.path.exists, READONLY_PATHS):
            mount(path, path, None, MS_BIND | MS_REC)
            mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY)
        for path in filter(os.path.exists, MASKED_PATHS):
            if os.path.isdir(path):
                mount("tmpfs", path, "tmpfs", MS_RDONLY)
            else:
                mount("/dev/null", path, None, MS_BIND)
    rules = docker_filter(json.loads(Path(container.profile).read_text()), set(container.capabilities))
    if container.no_new_privileges:
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    rules.load()
    kept = "".join(f",+{name.removeprefix('CAP_').lower()}" for name in container.capabilities)
    setpriv = ["setpriv", f"--bounding-set=-all{kept}", "--inh-caps=-all"]
    if container.user:
        setpriv += [f"--reuid={container.user}", f"--regid={container.user}", "--clear-groups"]
    os.execvp(setpriv[0], [*setpriv, "--", *command])


def run_sandbox_in(container: Container) -> dict[str, Any]:
    """What the project's sandbox does in ``container``: its check, a run that writes, and more."""
    out = Path(tempfile.mkdtemp(prefix="seccomp-out-"))
    try:
        os.chmod(out, 0o777)  # the container's user writes here
        result = subprocess.run(
            [sys.executable, "-m", LAUNCHER, container.to_json(), sys.executable, "-c", INSIDE, str(out)],
            cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return dict(json.loads(result.stdout))
    finally:
        shutil.rmtree(out)


def profile_without(name: str, folder: Path) -> Path:
    """The worker's profile with ``name`` taken out of its additions (Docker's own entries kept)."""
    profile = json.loads(WORKER_PROFILE.read_text())
    kept = len(json.loads(DEFAULT_PROFILE.read_text())["syscalls"])
    additions = [{**entry, "names": [n for n in entry["names"] if n != name]} for entry in profile["syscalls"][kept:]]
    profile["syscalls"][kept:] = [entry for entry in additions if entry["names"]]
    path = folder / f"without-{name}.json"
    path.write_text(json.dumps(profile))
    return path


class TestDockersDefaultProfile:
    """A plain ``docker run`` of the worker image: bubblewrap cannot make its namespaces, and says so."""

    @pytest.mark.parametrize("user", [NOBODY, 0], ids=["image user", "root"])
    def test_the_sandbox_is_unavailable_and_no_converter_runs(self, user: int) -> None:
        found = run_sandbox_in(Container(str(DEFAULT_PROFILE), DOCKER_CAPABILITIES, user))
        # clone(CLONE_NEWUSER|...) needs CAP_SYS_ADMIN here (Debian's words; upstream bubblewrap's say "creating").
        assert "cannot start on this worker" in found["unavailable"]
        assert "No permissions to creat" in found["unavailable"] and "new namespace" in found["unavailable"]


class TestWorkerProfile:
    """The worker with config/seccomp-worker.json."""

    @pytest.mark.parametrize("container", [
        as_composed(),
        Container(str(WORKER_PROFILE), DOCKER_CAPABILITIES, 0, systempaths_unconfined=True),
    ], ids=["image user as composed", "root with Docker's capabilities"])
    def test_the_sandbox_runs_and_gives_the_container_nothing_more(self, container: Container) -> None:
        found = run_sandbox_in(container)
        assert found.get("check", "").startswith("bubblewrap "), found
        assert found["wrote"] == "ok"
        assert found["nested_user_namespace"] != 0, "the converter cannot make user namespaces of its own"
        assert found["mount_errno"] == EPERM, "outside bubblewrap's namespaces, mount is still refused"

    @pytest.mark.parametrize("name, step", [
        ("clone", "new namespace"),
        ("unshare", "unshare user ns: Operation not permitted"),
        ("mount", "Failed to make / slave: Operation not permitted"),
        ("pivot_root", "pivot_root: Operation not permitted"),
        ("umount2", "unmount old root: Operation not permitted"),
        ("sethostname", "Can't set hostname to sandbox: Operation not permitted"),
    ])
    def test_each_addition_is_needed(self, name: str, step: str, tmp_path: Path) -> None:
        found = run_sandbox_in(as_composed(profile_without(name, tmp_path)))
        assert step in found.get("unavailable", ""), found

    def test_dockers_masked_system_paths_stop_it(self) -> None:
        """Hence systempaths=unconfined: the sandbox mounts a /proc of its own (WebKit needs /proc/self/maps),
        and the kernel refuses a new proc where Docker has masked parts of the container's."""
        found = run_sandbox_in(as_composed(systempaths_unconfined=False))
        assert "Can't mount proc on /newroot/proc: Operation not permitted" in found.get("unavailable", ""), found

    def test_root_without_capabilities_cannot_start_it(self) -> None:
        """With cap_drop ALL, root cannot map itself into a user namespace (that needs CAP_SETFCAP since Linux 5.12).

        So the worker must keep the image's user; run as root, it runs no converter at all.
        """
        found = run_sandbox_in(as_composed(user=0))
        assert "setting up uid map: Operation not permitted" in found.get("unavailable", ""), found


if __name__ == "__main__":
    enter(Container.from_json(sys.argv[1]), sys.argv[2:])
