"""Which hosts, on which ports, a page may reach: RENDER_ALLOWED_HOSTS read, and each name's addresses checked.

An entry is ``host[:port]``: a bare host is open on ports 80 and 443 only.
A host written as an IPv4 address is reached as written, wherever it is; a
host written as a name is reached only while every address it resolves to is
public: a name that resolves to loopback, link-local, a private network (or
any address that is not global) is refused, since whoever holds its DNS could
point it at the worker itself. To let pages reach a server on your own
network, list its address.
"""

import ipaddress
import logging
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Sequence

logger = logging.getLogger(__name__)

DEFAULT_PORTS = frozenset({80, 443})
"""The ports of an entry that names none: HTTP's and HTTPS's."""
ENTRY = re.compile(r"^(?P<host>[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*)"
                   r"(:(?P<port>[0-9]{1,5}))?$")
NOT_AN_ENTRY = "{entry!r} is not host[:port] (write exact names or IPv4 addresses, like fonts.example.org:8080)"
RESOLVE_SECONDS = 3.0
"""The longest the names are looked up for, all at once; a name not answered by then is refused this time."""
REMEMBER_SECONDS = 60.0
"""How long a name's checked addresses are used before it is looked up again."""
INTERNAL = "{host} resolves to {address}, which is not a public address: list the address itself to allow it"
UNRESOLVED = "{host} could not be resolved"

_looked_up: dict[str, tuple[float, tuple[str, ...] | str]] = {}
"""A name's public addresses, or why it is refused, with when it was looked up."""


@dataclass(frozen=True)
class AllowedHost:
    """One host pages may reach, and its ports."""

    host: str
    ports: frozenset[int]

    @property
    def is_address(self) -> bool:
        """Whether it is written as an address (reached as written, even on loopback or a private network)."""
        try:
            ipaddress.IPv4Address(self.host)
        except ValueError:
            return False
        return True


def parse_allowed_hosts(entries: Sequence[str]) -> tuple[AllowedHost, ...]:
    """The entries as hosts with their ports; entries naming one host add up.

    Raises
    ------
    ValueError
        An entry is not ``host[:port]`` (a URL, a wildcard, an IPv6 address, a port out of range).
    """
    ports: dict[str, set[int]] = {}
    for entry in entries:
        match = ENTRY.match(entry.strip())
        port = int(match["port"]) if match and match["port"] else None
        if not match or (port is not None and not 0 < port < 65536):
            raise ValueError(NOT_AN_ENTRY.format(entry=entry))
        ports.setdefault(match["host"].lower(), set()).update(DEFAULT_PORTS if port is None else {port})
    return tuple(AllowedHost(host, frozenset(found)) for host, found in ports.items())


def is_public(address: str) -> bool:
    """Whether ``address`` is a global one: not loopback, link-local, private, reserved or unspecified."""
    parsed = ipaddress.ip_address(address.split("%")[0])
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return parsed.is_global and not parsed.is_multicast


def _look_up(host: str) -> tuple[str, ...] | str:
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return UNRESOLVED.format(host=host)
    addresses = tuple(dict.fromkeys(str(info[4][0]) for info in found))
    internal = [address for address in addresses if not is_public(address)]
    if internal:
        return INTERNAL.format(host=host, address=internal[0])
    return addresses or UNRESOLVED.format(host=host)


def public_addresses(hosts: Sequence[str]) -> dict[str, tuple[str, ...] | str]:
    """Each name's addresses, all public, or why it is refused; looked up at once, remembered a minute.

    A name looked up again within :data:`REMEMBER_SECONDS` gets the same
    answer, so what the proxy was told and what a request is checked against
    agree.
    """
    now = time.monotonic()
    wanted = [host for host in dict.fromkeys(hosts)
              if host not in _looked_up or now - _looked_up[host][0] > REMEMBER_SECONDS]
    if wanted:
        pool = ThreadPoolExecutor(max_workers=min(8, len(wanted)), thread_name_prefix="resolve")
        futures = {host: pool.submit(_look_up, host) for host in wanted}
        wait(futures.values(), timeout=RESOLVE_SECONDS)
        pool.shutdown(wait=False, cancel_futures=True)  # a lookup that hangs ends on its own; it is not waited for
        for host, future in futures.items():
            answer = future.result() if future.done() else UNRESOLVED.format(host=host)
            if isinstance(answer, str):
                logger.warning("RENDER_ALLOWED_HOSTS: %s; pages cannot reach it", answer)
            _looked_up[host] = (now, answer)
    return {host: _looked_up[host][1] for host in hosts}


def refusal(allowed: Sequence[AllowedHost], host: str, port: int) -> str | None:
    """Why a request to ``host:port`` may not go out, or ``None`` when it may."""
    entry = next((entry for entry in allowed if entry.host == host.lower()), None)
    if entry is None or port not in entry.ports:
        return f"{host}:{port} is not allowed (RENDER_ALLOWED_HOSTS)"
    if entry.is_address:
        return None
    answer = public_addresses([entry.host])[entry.host]
    return answer if isinstance(answer, str) else None
