"""The one way out of a sandbox that may reach allowed hosts: a filtering proxy behind a Unix socket.

Outside the sandbox, tinyproxy (a well-kept forward proxy, Debian's
``tinyproxy-bin``) lets through requests to the allowed hosts only
(``FilterDefaultDeny``), HTTPS tunnels to port 443 only; socat puts it behind
a Unix socket. Inside, where the network is a loopback of the sandbox's own,
socat relays a loopback port to that socket, and the converter is told to use
it as its proxy. A request that does not go through the proxy (wkhtmltoimage
sends WebSockets past it) finds no network at all.
"""

import re
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .errors import SandboxUnavailable
from .runner import start_bounded, stop

INSIDE_PROXY_PORT = 3128
EGRESS_PROXY = f"http://127.0.0.1:{INSIDE_PROXY_PORT}"
"""The proxy a converter inside the sandbox is given when it may reach allowed hosts."""
HOST_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$")
STARTUP_SECONDS = 3.0
TINYPROXY_CONFIG = """\
Listen 127.0.0.1
Port {port}
Timeout 30
MaxClients 32
FilterDefaultDeny Yes
FilterType ere
FilterURLs Off
Filter "{filter}"
ConnectPort 443
DisableViaHeader Yes
XTinyproxy No
LogLevel Critical
"""


def check_host_names(hosts: Sequence[str]) -> tuple[str, ...]:
    """The allowed hosts, checked to be plain names or IPv4 addresses.

    Raises
    ------
    ValueError
        One is not (a URL, a wildcard, a port, an IPv6 address).
    """
    for host in hosts:
        if not HOST_NAME.match(host):
            raise ValueError(f"{host!r} is not a host name (write exact names like fonts.example.org)")
    return tuple(host.lower() for host in hosts)


def relay_command(program: Sequence[str], socket_inside: str) -> list[str]:
    """``program`` started after a relay from the sandbox's loopback port to the egress socket is listening."""
    script = (
        f"socat TCP-LISTEN:{INSIDE_PROXY_PORT},bind=127.0.0.1,fork,reuseaddr UNIX-CONNECT:{socket_inside} &"
        # Wait until the relay listens (at most about 2 s), then become the program.
        f" for _ in $(seq 400); do (: </dev/tcp/127.0.0.1/{INSIDE_PROXY_PORT}) 2>/dev/null && break; sleep 0.005; done;"
        ' exec "$@"'
    )
    return ["/bin/bash", "-c", script, "relay", *program]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.2):
            return True
    except OSError:
        return False


def _wait(ready: Callable[[], bool], process: "subprocess.Popen[bytes]", what: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not ready():
        if process.poll() is not None or time.monotonic() > deadline:
            raise SandboxUnavailable(f"the egress proxy cannot start: {what} did not come up")
        time.sleep(0.01)


@contextmanager
def egress_socket(allowed_hosts: Sequence[str], folder: Path) -> Iterator[Path]:
    """A Unix socket in ``folder`` through which only ``allowed_hosts`` can be reached, while in the block.

    Raises
    ------
    SandboxUnavailable
        tinyproxy or socat is missing or does not start.
    """
    tinyproxy, socat = shutil.which("tinyproxy"), shutil.which("socat")
    if tinyproxy is None or socat is None:
        raise SandboxUnavailable("RENDER_ALLOWED_HOSTS needs tinyproxy and socat (Debian's tinyproxy-bin and socat)")
    filter_file = folder / "allowed-hosts"
    filter_file.write_text("".join(f"^{re.escape(host)}$\n" for host in check_host_names(allowed_hosts)))
    port = _free_port()
    config = folder / "tinyproxy.conf"
    config.write_text(TINYPROXY_CONFIG.format(port=port, filter=filter_file))
    started: list["subprocess.Popen[bytes]"] = []
    try:
        proxy = start_bounded([tinyproxy, "-d", "-c", str(config)], stderr=subprocess.DEVNULL)
        started.append(proxy)
        _wait(lambda: _listening(port), proxy, "tinyproxy")
        path = folder / "egress.sock"
        relay = start_bounded([socat, f"UNIX-LISTEN:{path},fork,mode=600",
                               f"TCP:127.0.0.1:{port}"], stderr=subprocess.DEVNULL)
        started.append(relay)
        _wait(path.exists, relay, "socat")
        yield path
    except OSError as e:
        raise SandboxUnavailable(f"the egress proxy cannot start: {e}") from e
    finally:
        for process in started:
            stop(process)
