"""Several hosts on one machine: network namespaces joined by a bridge, and the servers of a state host.

Each host is a network namespace with one veth into a bridge of the test's
own; the test process stays in the machine's namespace and reaches every
host through the bridge. Nothing leaves the bridge: no route, no NAT.
Processes run on a host through ``ip netns exec``, which also gives each its
own mount namespace, where a folder can be made read-only for that host alone
(a read-only share).
"""

import atexit
import os
import pwd
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Callable, Sequence

from tests.support import wait_until

POSTGRES_BIN = Path("/usr/lib/postgresql/15/bin")


class NamespacesUnavailable(Exception):
    """Network namespaces cannot be made here; says why."""


def _ip(*arguments: str) -> None:
    done = subprocess.run(["ip", *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        raise NamespacesUnavailable(f"ip {' '.join(arguments)}: {done.stderr.strip()}")


class Network:
    """Hosts named by the caller, each a namespace with an address on a private /24 of the test's own.

    Parameters
    ----------
    hosts
        Their names; the bridge, in this process's namespace, is ``.1``.
    """

    def __init__(self, hosts: Sequence[str]) -> None:
        self.tag = secrets.token_hex(2)
        self.subnet = f"10.{random.randint(64, 250)}.{random.randint(0, 250)}"
        self.bridge = f"psbr{self.tag}"
        self.gateway = f"{self.subnet}.1"
        self.addresses = {name: f"{self.subnet}.{n}" for n, name in enumerate(hosts, start=2)}
        self.namespaces = {name: f"ps-{self.tag}-{name}" for name in hosts}

    def __enter__(self) -> "Network":
        try:
            if os.geteuid() != 0:
                raise NamespacesUnavailable("network namespaces need root")
            _ip("link", "add", self.bridge, "type", "bridge")
            _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
            _ip("link", "set", self.bridge, "up")
            for n, (name, namespace) in enumerate(self.namespaces.items()):
                outside = f"ps{self.tag}v{n}"
                _ip("netns", "add", namespace)
                _ip("link", "add", outside, "type", "veth", "peer", "name", f"ps{self.tag}p{n}")
                _ip("link", "set", f"ps{self.tag}p{n}", "netns", namespace)
                _ip("link", "set", outside, "master", self.bridge, "up")
                inside = ["-n", namespace]
                _ip(*inside, "link", "set", f"ps{self.tag}p{n}", "name", "eth0")
                _ip(*inside, "addr", "add", f"{self.addresses[name]}/24", "dev", "eth0")
                _ip(*inside, "link", "set", "eth0", "up")
                _ip(*inside, "link", "set", "lo", "up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        for namespace in self.namespaces.values():
            # Whatever still runs there (a server a failed test left) goes first.
            pids = subprocess.run(["ip", "netns", "pids", namespace], capture_output=True, text=True).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        subprocess.run(["ip", "link", "del", self.bridge], capture_output=True)

    def on(self, host: str, read_only: Path | None = None) -> list[str]:
        """The command prefix that runs a program on ``host``, with ``read_only`` a read-only share there."""
        prefix = ["ip", "netns", "exec", self.namespaces[host]]
        if read_only is None:
            return prefix
        # ip netns exec gives the program a mount namespace of its own: the bind is seen by that host alone.
        share = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
        return [*prefix, "sh", "-c", share, str(read_only)]


def _owned_folder(account: str, prefix: str) -> Path:
    """A new folder under /tmp that ``account`` owns (pytest's folders are root's alone); gone at exit."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    user = pwd.getpwnam(account)
    os.chown(folder, user.pw_uid, user.pw_gid)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


class Server:
    """A server process on a host, started by a command, ready when a check passes."""

    def __init__(self, command: list[str], log: Path, user: str | None = None) -> None:
        self.command = command
        self.log = log
        self.user = user
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready: Callable[[], bool], what: str) -> "Server":
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)

        def up() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(f"{what} exited ({self.process.returncode}): {self.log.read_text()[-3000:]}")
            return bool(ready())

        wait_until(up, 60, what)
        return self

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None:
            try:
                os.killpg(self.process.pid, sig)
                self.process.wait(timeout=30)
            except ProcessLookupError:
                pass
            self.process = None


def postgres_command(network: Network, host: str) -> list[str]:
    """A fresh PostgreSQL cluster made for ``host``'s address (trust from the private /24); the command that runs it."""
    data = _owned_folder("postgres", "proxyservice-pg-")
    subprocess.run([str(POSTGRES_BIN / "initdb"), "-D", str(data / "cluster"), "-A", "trust", "-U", "postgres"],
                   user="postgres", check=True, capture_output=True)
    with (data / "cluster" / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {network.subnet}.0/24 trust\n")
    return [*network.on(host), "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups",
            str(POSTGRES_BIN / "postgres"), "-D", str(data / "cluster"), "-k", str(data),
            "-c", f"listen_addresses={network.addresses[host]}", "-c", "fsync=off", "-c", "max_connections=200"]


def moto_command(network: Network, host: str, port: int) -> list[str]:
    """moto's S3 server (server mode) on ``host``."""
    return [*network.on(host), str(Path(sys.executable).parent / "moto_server"), "-H", network.addresses[host],
            "-p", str(port)]


def redis_command(network: Network, host: str, folder: Path) -> list[str]:
    """A Redis on ``host`` that keeps nothing on disk, as the machine's."""
    folder.mkdir(parents=True, exist_ok=True)
    return [*network.on(host), "redis-server", "--bind", network.addresses[host], "--port", "6379",
            "--save", "", "--appendonly", "no", "--dir", str(folder),
            # Reached from the other hosts on the private bridge, which is its only network.
            "--protected-mode", "no"]
