"""The sandbox itself, with a tiny program of the tests' own run through the same wrapper as the converters.

The program is Debian's Python (``/usr/bin/python3``, inside the sandbox's
``/usr``); it tries what a hostile converter would, and writes what it found
into the one folder it may write.
"""

import json
import os
import shutil
import socket
import subprocess
import random
import tempfile
from contextlib import ExitStack
from dataclasses import replace
import textwrap
import time
from pathlib import Path
from typing import Iterator

import pytest

from proxyservice.config import Settings, SettingInvalid
from proxyservice.services.sandbox import RunTimedOut, Sandbox, SandboxUnavailable
from proxyservice.services.sandbox.bubblewrap import bubblewrap_command
from proxyservice.services.sandbox.pinning import pin_reads
from tests.canary import Canary, SECRET_TEXT, plant_secrets
from tests.support import dockerfile_command, wait_until

PROBE = textwrap.dedent('''
    import json, os, socket, sys
    out, targets = sys.argv[1], json.loads(sys.argv[2])
    found = {}
    def attempt(name, action):
        try:
            found[name] = "ok: " + str(action())[:80]
        except Exception as e:
            found[name] = "refused: " + type(e).__name__
    for name, (host, port) in targets["connect"].items():
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        attempt("connect " + name, lambda: socket.create_connection((host, port), timeout=2).close())
    for name, path in targets["read"].items():
        attempt("read " + name, lambda: open(path).read())
    for name, path in targets["write"].items():
        attempt("write " + name, lambda: open(path, "w").write("x"))
    attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("1.1.1.1", 53)))
    attempt("environment", lambda: os.environ.get("PROXYSERVICE_SECRET_PROBE", "absent"))
    attempt("uid", lambda: os.getuid())
    attempt("list /usr/share/doc", lambda: os.listdir("/usr/share/doc"))
    with open(os.path.join(out, "found.json"), "w") as f:
        json.dump(found, f)
''')


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


@pytest.fixture
def world() -> Iterator[dict[str, Path]]:
    """A file the program may read, secrets it may not, and a folder of its own to write.

    Made in a folder an unprivileged user can reach (pytest's own are the test user's alone).
    """
    tmp_path = Path(tempfile.mkdtemp(prefix="sandbox-world-"))
    os.chmod(tmp_path, 0o755)
    yield _world(tmp_path)
    shutil.rmtree(tmp_path)


def _world(tmp_path: Path) -> dict[str, Path]:
    allowed = tmp_path / "view" / "allowed.txt"
    allowed.parent.mkdir(parents=True)
    allowed.write_text("readable")
    secrets = plant_secrets(tmp_path / "secrets")
    (tmp_path / "view" / "beside.txt").write_text(SECRET_TEXT)
    out = tmp_path / "out"
    out.mkdir()
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE)
    return {"allowed": allowed, "secret": secrets["text"], "beside": tmp_path / "view" / "beside.txt",
            "out": out, "probe": probe, "root": tmp_path}


def probe(sandbox: Sandbox, world: dict[str, Path], canary: Canary, as_user: list[str] | None = None) -> dict[str, str]:
    targets = {
        "connect": {"loopback": ["127.0.0.1", canary.port], "ipv6 loopback": ["::1", canary.port],
                    "redis": ["127.0.0.1", 6379]},
        "read": {"allowed": str(world["allowed"]), "secret": str(world["secret"]), "beside": str(world["beside"]),
                 "shadow": "/etc/shadow", "proc environ": "/proc/1/environ", "kernel keys": "/proc/keys"},
        "write": {"own folder": str(world["out"] / "made.txt"), "usr": "/usr/made.txt",
                  "next to the allowed file": str(world["allowed"].parent / "made.txt")},
    }
    command = ["/usr/bin/python3", str(world["probe"]), str(world["out"]), json.dumps(targets)]
    if as_user:
        # The very command line the sandbox runs, started by an unprivileged user.
        with ExitStack() as stack:
            pinned = pin_reads([world["allowed"], world["probe"]], None, stack)
            full = bubblewrap_command(sandbox.executable(), command, pinned, world["out"])
            result = subprocess.run([*as_user, *full], capture_output=True, text=True, timeout=60,
                                    pass_fds=[fd for fd, _ in pinned])
        assert result.returncode == 0, result.stderr
    else:
        finished = sandbox.run(command, [world["allowed"], world["probe"]], world["out"], timeout=30,
                               environment={"ONLY_THIS": "1"})
        assert finished.returncode == 0, finished.stderr
    return dict(json.loads((world["out"] / "found.json").read_text()))


class TestTheTinyProgram:
    """A program of our own tries to get out: nothing but its own view works."""

    def test_no_socket_reaches_anything_and_no_file_outside_its_view_is_read(
            self, world: dict[str, Path], canary: Canary, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("PROXYSERVICE_SECRET_PROBE", "the worker's environment")
        found = probe(Sandbox(), world, canary)
        assert found["read allowed"] == "ok: readable", "the check can fail: what it may read, it reads"
        assert found["write own folder"].startswith("ok")
        refused = {name: said for name, said in found.items() if said.startswith("refused")}
        assert set(refused) == {"connect loopback", "connect ipv6 loopback", "connect redis", "read secret",
                                "read beside", "read shadow", "read kernel keys", "write usr", "udp"}, found
        # Its /proc is its own PID namespace's (pid 1 is bubblewrap, with none of the worker's
        # environment), with what Docker hides of the kernel hidden (/proc/keys...).
        assert "PROXYSERVICE_SECRET_PROBE" not in found["read proc environ"]
        # Beside its files is the sandbox's private /tmp: what it writes there never reaches the worker's disk.
        assert not (world["allowed"].parent / "made.txt").exists()
        assert found["environment"] == "ok: absent", "the worker's environment is not passed in"
        assert found["uid"] == "ok: 65534"
        assert found["list /usr/share/doc"] == "ok: []", "every package's documentation is hidden"
        assert canary.settle() == []

    def test_the_same_as_an_unprivileged_user(self, world: dict[str, Path], canary: Canary) -> None:
        """Workers run as an unprivileged user (the image's ``proxy``): the sandbox needs no privilege."""
        for path in world["root"].rglob("*"):
            os.chmod(path, 0o777 if path.is_dir() else 0o666)
        os.chmod(world["root"], 0o777)
        os.chmod(world["secret"], 0o644)
        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]
        found = probe(Sandbox(), world, canary, as_user=nobody)
        assert found["read allowed"] == "ok: readable"
        assert found["read secret"].startswith("refused") and found["connect loopback"].startswith("refused")
        assert canary.settle() == []

    def test_control_without_the_sandbox_everything_is_reached(
            self, world: dict[str, Path], canary: Canary) -> None:
        """The check can fail: unsandboxed (UNSAFE_NO_SANDBOX), the same program reaches the canary and the secret."""
        found = probe(Sandbox(enabled=False), world, canary)
        assert found["connect loopback"] == "ok: None" and found["read secret"] == f"ok: {SECRET_TEXT}"
        assert canary.settle() != []


class TestEgress:
    """With allowed hosts, the one way out is the filtering proxy: to those hosts, on their ports."""

    def ask_through_the_proxy(self, tmp_path: Path, sandbox: Sandbox, requests: list[str]) -> list[bytes]:
        """What the proxy answered each request (all of it), asked from inside the sandbox."""
        script = tmp_path / "egress.py"
        script.write_text(textwrap.dedent('''
            import json, socket, sys
            def ask(request):
                s = socket.create_connection(("127.0.0.1", 3128), timeout=5)
                s.sendall(request.encode())
                answer = b""
                while chunk := s.recv(4096):
                    answer += chunk
                    if answer.startswith(b"HTTP/1.0 200 Connection established"):
                        break
                return answer.decode("latin-1")
            said = [ask(request) for request in json.loads(sys.argv[2])]
            open(sys.argv[1] + "/said.json", "w").write(json.dumps(said))
        '''))
        out = tmp_path / "out"
        out.mkdir()
        finished = sandbox.run(["/usr/bin/python3", str(script), str(out), json.dumps(requests)], [script], out, 30,
                               egress=True)
        assert finished.returncode == 0, finished.stderr
        return [said.encode("latin-1") for said in json.loads((out / "said.json").read_text())]

    def test_only_allowed_hosts_on_their_ports_through_the_proxy(self, tmp_path: Path, canary: Canary) -> None:
        other = Canary()
        try:
            said = self.ask_through_the_proxy(tmp_path, Sandbox(allowed_hosts=(f"127.0.0.1:{canary.port}",)), [
                f"GET http://127.0.0.1:{canary.port}/allowed HTTP/1.0\r\n\r\n",
                f"GET http://127.0.0.1:{other.port}/other-port HTTP/1.0\r\n\r\n",
                f"GET http://localhost:{canary.port}/other-name HTTP/1.0\r\n\r\n",
                f"GET http://127.0.0.1:{canary.port}@127.0.0.1:{other.port}/userinfo HTTP/1.0\r\n\r\n",
                f"CONNECT 127.0.0.1:{other.port} HTTP/1.0\r\n\r\n",
                f"CONNECT 127.0.0.1:{canary.port} HTTP/1.0\r\n\r\n",
                f"GET /no-absolute-uri HTTP/1.0\r\nHost: 127.0.0.1:{canary.port}\r\n\r\n"])
            allowed, other_port, other_name, userinfo, tunnel_out, tunnel_in, relative = said
            assert b" 200 " in allowed.split(b"\r\n")[0] and allowed.endswith(b"x")
            assert tunnel_in.startswith(b"HTTP/1.0 200 Connection established")
            for refused in (other_port, other_name, userinfo, tunnel_out):
                assert refused.split(b"\r\n")[0].endswith((b"403 Filtered", b"403 Access violation")), refused
                assert refused.endswith(b"\r\n\r\n"), "the proxy's error page is empty: nothing to draw"
            assert not relative.startswith(b"HTTP/1.1 200")
            assert canary.settle() == ["GET /allowed HTTP/1.0", "<connection>"]
            assert other.settle() == []
        finally:
            other.close()

    def test_a_bare_host_is_open_on_80_and_443_only(self, tmp_path: Path, canary: Canary) -> None:
        """The fault of issue 19, item 8: an allowed host was open on every port, the worker's metrics too."""
        said = self.ask_through_the_proxy(tmp_path, Sandbox(allowed_hosts=("127.0.0.1",)), [
            f"GET http://127.0.0.1:{canary.port}/metrics HTTP/1.0\r\n\r\n",
            f"CONNECT 127.0.0.1:{canary.port} HTTP/1.0\r\n\r\n"])
        assert [answer.split(b"\r\n")[0][9:] for answer in said] == [b"403 Filtered",
                                                                       b"403 Access violation"]
        assert all(answer.endswith(b"\r\n\r\n") for answer in said), "no error page"
        assert canary.settle() == []

    def test_a_name_that_resolves_to_loopback_is_refused(self, tmp_path: Path, canary: Canary) -> None:
        """``localhost`` is a name, and its address is the worker's own: only its address, listed, is reached."""
        said = self.ask_through_the_proxy(tmp_path, Sandbox(allowed_hosts=(f"localhost:{canary.port}",)), [
            f"GET http://localhost:{canary.port}/by-name HTTP/1.0\r\n\r\n"])
        assert said[0].split(b"\r\n")[0].endswith(b"403 Filtered")
        assert canary.settle() == []

    def test_no_egress_unless_asked(self, tmp_path: Path) -> None:
        out = tmp_path / "out"
        out.mkdir()
        finished = Sandbox(allowed_hosts=("127.0.0.1",)).run(
            ["/bin/sh", "-c", "test -e /run/egress.sock && echo there >&2; exit 0"], [], out, 10)
        assert "there" not in finished.stderr

    @pytest.mark.parametrize("host", ["*.example.org", "http://example.org", "example.org:0", "example.org:65536",
                                      "::1", "[::1]:80", "example.org:http", "exa_mple.org"])
    def test_allowed_hosts_are_exact_names_with_a_port(self, host: str) -> None:
        with pytest.raises(ValueError, match="is not host\\[:port\\]"):
            Sandbox(allowed_hosts=(host,))

    def test_a_bad_entry_is_refused_when_the_settings_are_read(self) -> None:
        with pytest.raises(SettingInvalid, match="RENDER_ALLOWED_HOSTS: 'example.org:99999' is not host"):
            Sandbox.from_settings(Settings.from_environ({"RENDER_ALLOWED_HOSTS": "fonts.example.org,example.org:99999"}))

    def test_entries_of_one_host_add_up(self) -> None:
        sandbox = Sandbox(allowed_hosts=("Fonts.Example.org", "fonts.example.org:8443", "10.0.0.5:8080"))
        assert [(entry.host, sorted(entry.ports), entry.is_address) for entry in sandbox.allowed_hosts] == [
            ("fonts.example.org", [80, 443, 8443], False), ("10.0.0.5", [8080], True)]


class TestFailures:
    """Where the sandbox cannot be set up, nothing runs, and the reason is said."""

    def test_no_bubblewrap(self, tmp_path: Path) -> None:
        sandbox = Sandbox(bwrap="no-such-bwrap")
        with pytest.raises(SandboxUnavailable, match="no converter is run.*no-such-bwrap.*bubblewrap"):
            sandbox.run(["/bin/true"], [], tmp_path, 10)
        with pytest.raises(SandboxUnavailable):
            sandbox.check()

    def test_user_namespaces_refused(self, tmp_path: Path) -> None:
        """As in a container under Docker's default seccomp profile: bubblewrap cannot make its namespaces."""
        refusing = tmp_path / "bwrap"
        # A real refusal by the kernel: bubblewrap itself, started in a user namespace whose
        # user is unmapped, where no further namespace may be made.
        refusing.write_text(f'#!/bin/sh\nexec unshare --user {shutil.which("bwrap")} "$@"\n')
        refusing.chmod(0o755)
        sandbox = Sandbox(bwrap=str(refusing))
        with pytest.raises(SandboxUnavailable, match="cannot start on this worker"):
            sandbox.check()

    def test_a_file_that_vanished_is_not_shown(self, tmp_path: Path) -> None:
        finished = Sandbox().run(["/bin/sh", "-c", f"test -e {tmp_path}/gone.html"], [tmp_path / "gone.html"],
                                 tmp_path, 10)
        assert finished.returncode == 1

    def test_a_hidden_folder_that_holds_another_is_hidden_once(self, tmp_path: Path) -> None:
        """/usr/share/doc is always hidden; a root above it covered it, then could not remount it read-only."""
        finished = Sandbox(hidden=(Path("/usr/share"),)).run(["/bin/sh", "-c", "test -z \"$(ls /usr/share)\""], [],
                                                            tmp_path, 10)
        assert finished.returncode == 0, finished.stderr

    @pytest.mark.parametrize("root", ["/usr/share", "/usr", "/"])
    def test_a_source_root_that_holds_the_converters_files_is_refused_at_start(self, tmp_path: Path,
                                                                               root: str) -> None:
        settings = Settings.from_environ({}, DATA_DIR=tmp_path, SOURCE_ROOTS=(Path("/usr/share/doc"), Path(root)))
        with pytest.raises(SettingInvalid, match=f"SOURCE_ROOTS: {root} holds what the converters need"):
            Sandbox.from_settings(settings)
        assert Sandbox.from_settings(replace(settings, SOURCE_ROOTS=(Path("/usr/share/doc"), tmp_path))).enabled

    def test_a_worker_with_such_a_root_does_not_start_and_says_why(self, tmp_path: Path) -> None:
        environment = {**os.environ, "DATA_DIR": str(tmp_path), "SOURCE_ROOTS": "/usr/share",
                       "BROKER_URL": "redis://127.0.0.1:9/0"}
        started = subprocess.run([*dockerfile_command("Dockerfile-worker"), "--without-gossip"], env=environment,
                                 capture_output=True, text=True, timeout=120)
        assert started.returncode != 0
        assert "SOURCE_ROOTS: /usr/share holds what the converters need" in started.stdout + started.stderr

    def test_the_check_names_bubblewraps_version(self) -> None:
        assert Sandbox().check().startswith("bubblewrap ")
        assert "UNSAFE" in Sandbox(enabled=False).check()

    def test_a_program_past_its_time_is_killed_with_all_it_started(self, tmp_path: Path) -> None:
        first, second = random.sample(range(10_000, 99_999), 2)  # durations no other process sleeps
        started = time.monotonic()
        with pytest.raises(RunTimedOut):
            Sandbox().run(["/bin/sh", "-c", f"sleep {first} & sleep {second}"], [], tmp_path, 1)
        assert time.monotonic() - started < 5
        time.sleep(0.2)
        left = subprocess.run(["pgrep", "-f", f"sleep ({first}|{second})"], capture_output=True, text=True).stdout
        assert left == "", "nothing the program started is left running"


def test_a_socket_outside_is_not_reachable_by_path_either(tmp_path: Path) -> None:
    """A Unix socket of the worker's (Redis's, say) is not in the view."""
    path = tmp_path / "service.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.listen(1)
    out = tmp_path / "out"
    out.mkdir()
    try:
        finished = Sandbox().run(["/usr/bin/python3", "-c",
                                  f"import socket; socket.socket(socket.AF_UNIX).connect({str(path)!r})"], [], out, 10)
        assert finished.returncode != 0 and "FileNotFoundError" in finished.stderr
    finally:
        server.close()


@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the probe uses x86-64 system call numbers")
class TestSeccomp:
    """Inside, the converter cannot make namespaces, mount, trace, or reach the kernel's rarer interfaces."""

    ATTEMPTS = textwrap.dedent('''
        import ctypes, errno, json, os, socket, sys
        libc = ctypes.CDLL(None, use_errno=True)
        found = {}
        def call(label, name, *args):
            result = getattr(libc, name)(*args)
            found[label] = "ok" if result >= 0 else errno.errorcode[ctypes.get_errno()]
        call("unshare", "unshare", 0x10000000)               # CLONE_NEWUSER
        call("mount", "mount", b"none", b"/tmp", b"tmpfs", 0, None)
        call("ptrace", "ptrace", 16, 1, None, None)          # PTRACE_ATTACH to pid 1
        call("io_uring_setup", "syscall", 425, 1, None)      # x86-64 numbers
        call("bpf", "syscall", 321, 0, None, 0)
        call("clone3", "syscall", 435, None, 0)
        try:
            socket.socket(socket.AF_PACKET, socket.SOCK_RAW); found["packet socket"] = "ok"
        except OSError as e:
            found["packet socket"] = errno.errorcode[e.errno]
        socket.socket(socket.AF_INET6).close(); found["inet6 socket"] = "ok"
        found["fork"] = "ok" if os.fork() or os._exit(0) else "?"
        open(sys.argv[1] + "/found.json", "w").write(json.dumps(found))
    ''')

    def test_what_it_may_not_do(self, tmp_path: Path) -> None:
        script = tmp_path / "attempts.py"
        script.write_text(self.ATTEMPTS)
        out = tmp_path / "out"
        out.mkdir()
        finished = Sandbox().run(["/usr/bin/python3", str(script), str(out)], [script], out, 30)
        assert finished.returncode == 0, finished.stderr
        found = json.loads((out / "found.json").read_text())
        assert found == {"unshare": "EPERM", "mount": "EPERM", "ptrace": "EPERM", "io_uring_setup": "EPERM",
                         "bpf": "EPERM", "clone3": "ENOSYS", "packet socket": "EAFNOSUPPORT",
                         "inet6 socket": "ok", "fork": "ok"}

    def test_control_unfiltered_the_same_calls_get_further(self, tmp_path: Path) -> None:
        """The check can fail: without the sandbox the same calls are not refused by a filter."""
        script = tmp_path / "attempts.py"
        script.write_text(self.ATTEMPTS)
        out = tmp_path / "out"
        out.mkdir()
        Sandbox(enabled=False).run(["/usr/bin/python3", str(script), str(out)], [script], out, 30)
        found = json.loads((out / "found.json").read_text())
        assert found["unshare"] == "ok" and found["clone3"] != "ENOSYS" and found["packet socket"] != "EAFNOSUPPORT"


class TestLauncher:
    """A program another library starts (Chromium by Playwright) runs through a launcher script, in the sandbox."""

    NESTED = textwrap.dedent('''
        import ctypes, errno, json, os
        libc = ctypes.CDLL(None, use_errno=True)
        found = {}
        def call(label, name, *args):
            result = getattr(libc, name)(*args)
            found[label] = "ok" if result >= 0 else errno.errorcode[ctypes.get_errno()]
        call("mount", "mount", b"none", b"/tmp", b"tmpfs", 0, None)
        call("unshare mount namespace", "unshare", 0x00020000)
        call("setns", "setns", os.open("/proc/self/ns/net", os.O_RDONLY), 0)
        call("unshare user namespace", "unshare", 0x10000000)
        found["sees the service's files"] = os.path.exists(os.environ.get("PROBE", "/nonexistent"))
        print(json.dumps(found))
    ''')

    @pytest.mark.parametrize("nested", [False, True])
    def test_a_nested_sandbox_may_make_user_namespaces_and_no_more(self, tmp_path: Path, nested: bool) -> None:
        with Sandbox(hidden=(tmp_path,)).launcher("/usr/bin/python3", tmp_path, nested_sandbox=nested,
                                                  environment={"PROBE": str(tmp_path)}) as script:
            ran = subprocess.run([str(script), "-c", self.NESTED], capture_output=True, text=True, timeout=30)
        assert ran.returncode == 0, ran.stderr
        found = json.loads(ran.stdout)
        assert found == {"mount": "EPERM", "unshare mount namespace": "EPERM", "setns": "EPERM",
                         "unshare user namespace": "ok" if nested else "EPERM", "sees the service's files": False}

    def test_its_memory_is_bounded(self, tmp_path: Path) -> None:
        with Sandbox().launcher("/usr/bin/python3", tmp_path, memory_mb=200) as script:
            ran = subprocess.run([str(script), "-c", "bytearray(400 * 1024 * 1024)"], capture_output=True,
                                 text=True, timeout=30)
        assert "MemoryError" in ran.stderr

    def test_killing_the_process_group_it_writes_ends_all_of_it(self, tmp_path: Path) -> None:
        """Started in a session of its own (as Playwright starts Chromium): its PID file is what stops it."""
        with Sandbox().launcher("/usr/bin/python3", tmp_path) as script:
            started = subprocess.Popen([str(script), "-c", "import subprocess; subprocess.run(['sleep', '600'])"],
                                       start_new_session=True)
            try:
                wait_until(lambda: subprocess.run(["pgrep", "-f", "sleep 600"]).returncode == 0, 10, "the program")
                assert int((tmp_path / "launcher.pid").read_text()) == started.pid
                os.killpg(started.pid, 9)
                assert started.wait(timeout=10) != 0
                time.sleep(0.3)
                left = subprocess.run(["pgrep", "-f", "sleep 600"], capture_output=True, text=True).stdout
                assert left == "", f"left running: {left}"
            finally:
                if started.poll() is None:
                    started.kill()
