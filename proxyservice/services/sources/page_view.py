"""The files a page may load from its tree: its stylesheets, scripts, images and fonts; and which tree that is.

Other documents beside it (a sibling PDF, a text file, another page) stay
hidden, and so does anything a symbolic link leads to outside the tree.
Folders made only of such files are shown whole; other files one by one, up
to a bound, since each costs the sandbox a mount.
"""

import logging
import os
from pathlib import Path

from ...domain import SourceView

logger = logging.getLogger(__name__)

WEB_ASSET_SUFFIXES = frozenset({
    ".css", ".js", ".mjs",
    ".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif", ".ico", ".bmp",
    ".woff", ".woff2", ".ttf", ".otf", ".eot",
})
"""What a page may load from its folder: everything a browser draws with, nothing it would only read."""
MAX_MOUNTS = 200
"""Files and folders shown one by one, at most: bubblewrap's mounts cost more the more there are
(100 about 20 ms, 300 about 130 ms, 2,000 about 5 s)."""
MAX_ENTRIES_SCANNED = 20_000
"""Entries of the tree looked at, at most: a page in a huge tree still starts promptly."""
MAX_DEPTH = 16
"""Folders nested deeper under the tree are not looked into: a page's assets are never that deep,
and a tree made thousands of folders deep must not stop the scan."""


def _is_asset(entry: os.DirEntry[str], tree: Path) -> bool:
    """A web asset that is a regular file in the tree (a link counts if it stays in the tree)."""
    if not entry.name.lower().endswith(tuple(WEB_ASSET_SUFFIXES)):
        return False
    if entry.is_symlink():
        try:
            target = Path(entry.path).resolve()
        except (OSError, RuntimeError):  # the link changed while it was followed, or loops (RuntimeError)
            return False
        return target.is_relative_to(tree) and target.is_file()
    return entry.is_file(follow_symlinks=False)


class _Scan:
    def __init__(self, tree: Path, max_depth: int = MAX_DEPTH) -> None:
        self.tree = tree
        self.max_depth = max_depth
        self.scanned = 0
        self.truncated = False

    def folder(self, folder: Path, depth: int = 0) -> tuple[bool, list[Path]]:
        """Whether ``folder`` holds assets only (then it can be shown whole), and its assets one by one."""
        if depth > self.max_depth:
            self.truncated = self.max_depth == MAX_DEPTH
            return False, []
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError as e:
            logger.info("cannot list %s: %s", folder, e)
            return False, []
        pure, shown = True, list[Path]()
        for entry in entries:
            self.scanned += 1
            if self.scanned > MAX_ENTRIES_SCANNED:
                self.truncated = True
                return False, shown
            if entry.name.startswith("."):
                pure = False
            elif entry.is_dir(follow_symlinks=False):
                sub_pure, sub_shown = self.folder(Path(entry.path), depth + 1)
                if sub_pure and sub_shown:
                    shown.append(Path(entry.path))
                else:
                    pure = False
                    shown.extend(sub_shown)
            elif _is_asset(entry, self.tree):
                # A link is shown alone (its folder is not shown whole): it resolves inside the sandbox's view.
                pure = pure and not entry.is_symlink()
                shown.append(Path(entry.path))
            else:
                pure = False
        return pure, shown


def page_view(page: Path, tree: Path, recursive: bool = True) -> SourceView:
    """What a page may read: itself, and the web assets of ``tree`` (its folder or one above it).

    Parameters
    ----------
    page
        The page, resolved.
    tree
        The folder its references may reach, resolved.
    recursive
        Whether the assets of ``tree``'s subfolders are shown too (not for a source root itself).
    """
    scan = _Scan(tree, max_depth=MAX_DEPTH if recursive else 0)
    _, shown = scan.folder(tree)
    if len(shown) > MAX_MOUNTS:
        # The page's own folder first: what it links most directly.
        shown.sort(key=lambda path: (not path.is_relative_to(page.parent), len(path.parts)))
        shown, scan.truncated = shown[:MAX_MOUNTS], True
    if scan.truncated:
        logger.warning("%s: its tree %s holds more than can be shown; some of its files stay hidden", page, tree)
    return SourceView(tree, (page, *(path for path in shown if path != page)), scan.truncated)


def page_tree(page: Path, roots: tuple[Path, ...], levels_up: int) -> Path:
    """The folder a page's references may reach: its own, and up to ``levels_up`` above it.

    Never above the folder that holds it directly under its source root: with
    ``/usr/share/doc`` as a root, one package's documentation, never another's.

    Parameters
    ----------
    page
        The page, resolved: inside at least one of ``roots``.
    roots
        The source roots, resolved; the deepest that holds the page bounds it.
    levels_up
        Folders above the page's own it may reach (Sphinx pages load ``../_static``).
    """
    root = max((root for root in roots if page.is_relative_to(root)), key=lambda root: len(root.parts))
    below = page.relative_to(root).parts
    boundary = root / below[0] if len(below) > 1 else root
    folder = page.parent
    for _ in range(levels_up):
        if folder == boundary:
            break
        folder = folder.parent
    return folder
