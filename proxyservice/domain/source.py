"""Source files: what a client asked proxies for."""

from dataclasses import dataclass
from pathlib import PurePath

from .proxy import ProxySize


@dataclass(frozen=True)
class SourceFile:
    """A file accepted for ingest, with what plugins need to know of it.

    This is the ``fileinfo`` handed to :meth:`ProxyPlugin.process`.
    """

    file_id: str
    """SHA-256 of the file's bytes, hex: the same bytes have the same id."""
    path: str
    """Absolute path that the web app and the workers both read."""
    size: int
    mimetype: str
    proxy_size: ProxySize

    @property
    def name(self) -> str:
        """The file's base name."""
        return PurePath(self.path).name

    @property
    def ext(self) -> str:
        """The lower-case extension with its dot (``.html``), or ``""``."""
        return PurePath(self.path).suffix.lower()
