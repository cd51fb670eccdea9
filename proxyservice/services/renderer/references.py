"""The files a page names for the engine to load, as the page names them: to say which ones it could not read.

wkhtmltoimage says "Blocked access to file" without the file's name when the
file does not exist where the page looks (in the sandbox, a file that is
missing or outside the page's tree is not there), so its warning named
nothing. The page's own markup says what it asked for: the stylesheets,
scripts, images and frames it names by a relative reference. Those its view
does not show are the ones it could not load, named as the page wrote them,
never by a path of the worker's. A reference made by a stylesheet or a
script is not found here: the warning then says only that one was refused.
"""

import html
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from ...domain import SourceView

LOADING_TAG = re.compile(rb"<(script|img|iframe|frame|source|video|audio|embed|input|link|object|track)\b([^>]*)>",
                         re.IGNORECASE)
"""Elements whose reference the engine loads while drawing (an ``<a href>`` is only followed when clicked)."""
ATTRIBUTE = re.compile(rb"""\s(src|href|data|poster|rel)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", re.IGNORECASE)
LOADED_LINKS = frozenset({"stylesheet"})
"""The ``<link rel>`` an engine loads to draw the page (not ``search``, ``index``, ``next``…)."""
MAX_REFERENCES = 5000
"""References looked at, at most: a page with more still gets its warning promptly."""


def page_references(page: bytes) -> list[str]:
    """The relative references ``page`` names for loading, in its order, each once, as written (entities decoded).

    References with a scheme (``http:``, ``data:``, ``file:``) or from the root (``/x``) are left out:
    those are not files of the page's tree, and are said otherwise or not at all.
    """
    found: dict[str, None] = {}
    for tag in LOADING_TAG.finditer(page):
        attributes = {name.lower(): (a if a is not None else b if b is not None else c)
                      for name, a, b, c in ATTRIBUTE.findall(tag.group(2))}
        if tag.group(1).lower() == b"link" and not LOADED_LINKS & set(
                attributes.get(b"rel", b"").decode("latin-1").lower().split()):
            continue
        for name in (b"src", b"href", b"data", b"poster"):
            raw = attributes.get(name)
            if raw is None:
                continue
            reference = html.unescape(raw.decode("utf-8", "replace")).strip()
            parts = urlsplit(reference)
            if reference and not parts.scheme and not parts.netloc and not reference.startswith(("/", "#", "\\")):
                found.setdefault(parts.path, None)
        if len(found) >= MAX_REFERENCES:
            break
    return list(found)


def unreadable_references(page: bytes, source: Path, view: SourceView) -> list[str]:
    """The references of ``page`` (at ``source`` in ``view``'s tree) that name no file the view shows.

    Decided on names alone, as the view was made: nothing is opened, and a reference that climbs out
    of the tree is unreadable whatever is there.
    """
    folder = str(view.folder)
    files = {str(path) for path in view.paths}
    unreadable = []
    for reference in page_references(page):
        if not unquote(reference):
            continue
        target = os.path.normpath(os.path.join(source.parent, unquote(reference)))
        inside = target.startswith(folder + os.sep)
        shown = inside and (target in files or any(
            target.startswith(str(PurePosixPath(path)) + os.sep) for path in view.paths[1:]))
        if not (shown and os.path.isfile(target)):
            unreadable.append(reference)
    return unreadable
