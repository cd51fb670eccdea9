"""Source files: what a client asked proxies for."""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath

from .proxy import ProxySize


def file_identity(content_sha256: str, path: str | None) -> str:
    """A file's id: for an upload, the SHA-256 of its bytes; for a file read by path, of its bytes and its path.

    What a preview shows may depend on the files around the file (a page's
    stylesheets), so the same bytes in two places are two files; an upload
    sees nothing but itself.
    """
    if path is None:
        return content_sha256
    return hashlib.sha256(f"{content_sha256}\0{path}".encode("utf-8", "surrogateescape")).hexdigest()


def page_identity(files_sha256: str, page: str) -> str:
    """The id of a page uploaded with its files: the hash of the whole set of files, and which of them is the page.

    A page's preview depends on every file it was sent with, so the same page
    with other stylesheets is another file, and another page of the same set
    is another file too; the same files, zipped or sent one by one, are the
    same set.
    """
    return hashlib.sha256(f"page\0{files_sha256}\0{page}".encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class SourceFile:
    """A file accepted for ingest, with what plugins need to know of it.

    This is the ``fileinfo`` handed to :meth:`ProxyPlugin.process`.
    """

    file_id: str
    """:func:`file_identity`, hex: the same bytes (and, by path, in the same place) have the same id."""
    path: str
    """Absolute path that the web app and the workers both read."""
    size: int
    mimetype: str
    proxy_size: ProxySize
    sha256: str = ""
    """The SHA-256 of its bytes, hex (``""`` where it was not read)."""
    modified: datetime | None = None
    """When its bytes last changed (an upload: when it was kept), in UTC."""
    pages: int | None = None
    """How many pages (of a video, frames) to make a numbered proxy of (``page-1``…), for the plugins that make
    them (:attr:`ProxyPlugin.MAKES_PAGES`); ``None``: the first page's proxies alone, as without ``pages``."""

    @property
    def name(self) -> str:
        """The file's base name."""
        return PurePath(self.path).name

    @property
    def ext(self) -> str:
        """The lower-case extension with its dot (``.html``), or ``""``."""
        return PurePath(self.path).suffix.lower()


FileInfo = SourceFile
"""The plugin API's name for a :class:`SourceFile`: the ``fileinfo`` handed to :meth:`ProxyPlugin.process`."""
