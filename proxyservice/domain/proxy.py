"""Proxies: the preview images made from a source file."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ProxySize:
    """The box a proxy image is scaled to fit in, in pixels."""

    width: int
    height: int


@dataclass(frozen=True)
class ProxyFile:
    """One proxy of one source file, as it stands in the proxy store."""

    file_id: str
    """Content hash of the source file the proxy was made from."""
    typeidentifier: str
    """What kind of proxy this is (``preview``, ``thumbnail``); unique per file."""
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
