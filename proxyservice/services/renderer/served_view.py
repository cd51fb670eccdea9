"""A page's view served to a browser that sees no file: each of its requests answered from the view, or refused.

Chromium, kept running between pages, cannot be shown each page's files the
way a fresh wkhtmltoimage is (bound into its sandbox at start). So it sees
none: the page is loaded from a name that exists nowhere
(``http://page.invalid/<path in its tree>``), and every request for that
name is answered here, from the view alone. A file is served only when it is
the page, or a regular file whose real path lies in one of the view's files
and folders, checked on the very descriptor it is read from: a link that
points out of the tree, or is swapped for one meanwhile, is refused.
"""

import os
import stat
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ...domain import SourceView

PAGE_HOST = "page.invalid"
"""The name pages are loaded from: reserved (RFC 2606), so it names no real host."""
MAX_ASSET_BYTES = 16 * 1024 * 1024
"""The largest file of its tree a page is served; a larger one is left out."""
MAX_SERVED_BYTES = 64 * 1024 * 1024
"""The most bytes one page is served in all (each read is held by the worker while it is handed over):
past it, its requests are refused, however often it asks for the same small file."""


class ServedView:
    """What a page may read of its tree, by URL.

    Parameters
    ----------
    view
        The page's view: itself first, then the files and folders of its tree it may read.
    page_bytes
        What is served for the page itself: the job's checked copy, cut if huge.
    """

    def __init__(self, view: SourceView, page_bytes: bytes) -> None:
        self.view = view
        self.page = view.paths[0]
        self.page_bytes = page_bytes
        folder = os.path.realpath(view.folder)
        real = (os.path.realpath(path) for path in view.paths[1:])
        self._shown = tuple(path for path in real if path == folder or path.startswith(folder + os.sep))
        self.served_bytes = 0
        """Bytes served so far, the page's own included."""

    @property
    def url(self) -> str:
        """The page's own URL."""
        return f"http://{PAGE_HOST}/{quote(str(self.page.relative_to(self.view.folder)))}"

    def _relative(self, url: str) -> str | None:
        """The path in the tree a URL of the page's host names; ``None`` for another host or outside the tree."""
        parts = urlsplit(url)
        if parts.hostname != PAGE_HOST:
            return None
        wanted = os.path.normpath("/" + unquote(parts.path)).lstrip("/")
        return wanted if wanted and "\0" not in wanted else None

    def named(self, url: str) -> str | None:
        """A URL of the page's host as the page names it: relative to the page's folder (never a worker's path)."""
        relative = self._relative(url)
        if relative is None:
            return None
        return os.path.relpath(relative, os.path.dirname(self.page.relative_to(self.view.folder)) or ".")

    def read(self, url: str) -> bytes | None:
        """The bytes a URL of the page's host names, when the page may read them; else ``None``."""
        relative = self._relative(url)
        if relative is None:
            return None
        path = self.view.folder / relative
        left = MAX_SERVED_BYTES - self.served_bytes
        if path == self.page:
            body: bytes | None = self.page_bytes
        else:
            body = read_within(path, self._shown, min(MAX_ASSET_BYTES, left))
        if body is None or len(body) > left:
            return None
        self.served_bytes += len(body)
        return body


def read_within(path: Path, shown: tuple[str, ...], limit: int | None = None) -> bytes | None:
    """The bytes of the regular file at ``path`` if the file opened really is, or is under, one of ``shown``.

    The check is made on the descriptor the bytes are read from, so a file
    swapped for a link meanwhile is refused. ``None`` also when it is larger than ``limit``.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except (OSError, ValueError):  # ValueError: a NUL in the name
        return None
    try:
        status = os.fstat(fd)
        real = os.readlink(f"/proc/self/fd/{fd}")
        if (not stat.S_ISREG(status.st_mode) or (limit is not None and status.st_size > limit)
                or not any(real == folder or real.startswith(folder + os.sep) for folder in shown)):
            return None
        with os.fdopen(os.dup(fd), "rb") as file:
            return file.read() if limit is None else file.read(limit + 1)[:limit]
    except OSError:
        return None
    finally:
        os.close(fd)
