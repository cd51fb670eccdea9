"""Proxies: the preview images made from a source file."""

from dataclasses import dataclass
from typing import Mapping


@dataclass(frozen=True)
class ProxySize:
    """The box a proxy image is scaled to fit in, in pixels."""

    width: int
    height: int


def sized_typeidentifier(typeidentifier: str, box: ProxySize, default: ProxySize,
                         named: Mapping[str, ProxySize]) -> str:
    """The name a proxy of ``typeidentifier`` made to fit ``box`` is kept under, beside its other sizes.

    The default box keeps the plain name (``preview``); a named size adds its name
    (``preview@large``), any other box its dimensions (``preview@640x480``).
    """
    if box == default:
        return typeidentifier
    label = next((name for name, size in named.items() if size == box), f"{box.width}x{box.height}")
    return f"{typeidentifier}@{label}"


@dataclass(frozen=True)
class ProxyFile:
    """One proxy of one source file, as it stands in the proxy store."""

    file_id: str
    """Content hash of the source file the proxy was made from."""
    typeidentifier: str
    """What kind of proxy this is (``preview``, ``thumbnail``), and at which size when not the default
    (``preview@large``, ``thumbnail@640x480``); unique per file."""
    filename: str
    """The name a client saves it under (``preview.png``)."""
    mimetype: str
    width: int
    height: int
    bytes: int
    checksum: str
    """SHA-256 of the proxy's bytes, hex; also its ETag."""
    plugin: str
    """Namespace of the plugin that made it."""
