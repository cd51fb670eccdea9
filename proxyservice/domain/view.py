"""What one conversion may read."""

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SourceView:
    """The files a converter sees of the sources while it makes one proxy.

    Nothing else of the source roots, the data folder or the worker's own
    files exists for it.
    """

    folder: Path
    """The folder its references are resolved in: the page's tree (or the file's own folder)."""
    paths: tuple[Path, ...]
    """What it may read: the file itself first, then files and whole folders under ``folder``."""
    truncated: bool = False
    """True when ``folder`` held more than could be shown; the rest stays hidden."""

    @classmethod
    def of_file(cls, path: Path) -> "SourceView":
        """A view of one file alone."""
        return cls(path.parent, (path,))
