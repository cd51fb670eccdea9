"""The one way out of a sandbox that may reach allowed hosts: a filtering proxy behind a Unix socket.

Outside the sandbox, tinyproxy (a well-kept forward proxy, Debian's
``tinyproxy-bin``) lets through requests to the allowed hosts on their ports
only (``FilterDefaultDeny``, with a filter over whole URLs: ``http://host:port/``
and a tunnel's ``host:port``); socat puts it behind a Unix socket. Inside,
where the network is a loopback of the sandbox's own, socat relays a loopback
port to that socket, and the converter is told to use it as its proxy. A
request that does not go through the proxy (wkhtmltoimage sends WebSockets
past it) finds no network at all.

tinyproxy resolves names as it connects, where no check can be made, so it
runs in a bubblewrap of its own whose ``/etc/hosts`` is all it may resolve
with: the allowed names, each with the public addresses it had when checked
(``allowed_hosts.py``). A name that resolves elsewhere later (DNS rebinding)
still leads to the address that was checked. Its error pages ("Filtered",
"Unable to connect") are empty: a refused request draws nothing.
"""

import re
import shutil
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Sequence

from .allowed_hosts import AllowedHost, public_addresses
from .errors import SandboxUnavailable
from .runner import start_bounded, stop

INSIDE_PROXY_PORT = 3128
EGRESS_PROXY = f"http://127.0.0.1:{INSIDE_PROXY_PORT}"
"""The proxy a converter inside the sandbox is given when it may reach allowed hosts."""
STARTUP_SECONDS = 3.0
TINYPROXY_CONFIG = """\
Listen 127.0.0.1
Port {port}
Timeout 30
MaxClients 32
FilterDefaultDeny Yes
FilterType ere
FilterURLs On
Filter "{filter}"
{connect_ports}
DefaultErrorFile "{error_page}"
DisableViaHeader Yes
XTinyproxy No
LogLevel Critical
"""


def url_filter(host: str, port: int) -> str:
    """The filter lines that let through ``host:port``: plain HTTP's URLs, and a tunnel's ``host:port``."""
    name = re.escape(host)
    http_port = "(:80)?" if port == 80 else f":{port}"
    tunnel_port = "(:443)?" if port == 443 else f":{port}"
    # A path, or nothing, must follow the port: "http://host:80@elsewhere:9/" goes elsewhere.
    return f"^http://{name}{http_port}(/|$)\n^{name}{tunnel_port}$\n"


def reachable(allowed: Sequence[AllowedHost]) -> tuple[list[AllowedHost], str]:
    """Of ``allowed``, those the proxy may reach now, and the hosts file that pins each name to its checked addresses.

    A name that does not resolve, or resolves to an address that is not
    public, is left out (and logged).
    """
    addresses = public_addresses([entry.host for entry in allowed if not entry.is_address])
    kept, hosts = [], "127.0.0.1 localhost\n"
    for entry in allowed:
        found = () if entry.is_address else addresses[entry.host]
        if isinstance(found, str):
            continue
        kept.append(entry)
        hosts += "".join(f"{address} {entry.host}\n" for address in found)
    return kept, hosts


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


def _pinned(bwrap: str, folder: Path, hosts: str, command: list[str]) -> list[str]:
    """``command`` in a bubblewrap that shares the network but resolves names with ``hosts`` alone."""
    (folder / "hosts").write_text(hosts)
    (folder / "nsswitch.conf").write_text("hosts: files\n")
    return [bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--ro-bind", str(folder / "hosts"), "/etc/hosts",
            "--ro-bind", str(folder / "nsswitch.conf"), "/etc/nsswitch.conf", "--unshare-user", "--unshare-ipc",
            "--unshare-pid", "--die-with-parent", "--new-session", *command]


@contextmanager
def egress_socket(allowed: Sequence[AllowedHost], folder: Path, bwrap: str) -> Iterator[Path]:
    """A Unix socket in ``folder`` through which only ``allowed`` (on their ports) can be reached, while in the block.

    Raises
    ------
    SandboxUnavailable
        tinyproxy or socat is missing or does not start.
    """
    tinyproxy, socat = shutil.which("tinyproxy"), shutil.which("socat")
    if tinyproxy is None or socat is None:
        raise SandboxUnavailable("RENDER_ALLOWED_HOSTS needs tinyproxy and socat (Debian's tinyproxy-bin and socat)")
    kept, hosts = reachable(allowed)
    filter_file = folder / "allowed-hosts"
    filter_file.write_text("".join(url_filter(entry.host, port) for entry in kept for port in sorted(entry.ports)))
    ports = sorted({port for entry in allowed for port in entry.ports})
    (folder / "refused.html").write_text("")
    port = _free_port()
    config = folder / "tinyproxy.conf"
    config.write_text(TINYPROXY_CONFIG.format(
        port=port, filter=filter_file, error_page=folder / "refused.html",
        connect_ports="\n".join(f"ConnectPort {allowed_port}" for allowed_port in ports)))
    started: list["subprocess.Popen[bytes]"] = []
    try:
        proxy = start_bounded(_pinned(bwrap, folder, hosts, [tinyproxy, "-d", "-c", str(config)]),
                              stderr=subprocess.DEVNULL)
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
