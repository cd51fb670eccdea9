"""What a render says it could not load, in words a user can act on, and bounded however much that is."""

OUTSIDE = "the page refers to a file that is missing or outside its folder; it was not loaded"
"""Said of every file outside the page's tree, whether it exists or not (and of missing ones inside it:
wkhtmltoimage tells the two apart only by naming the files that exist), when which one is not known."""
OUTSIDE_NAMED = "the page refers to {what} missing or outside its folder: {names}; {which} not loaded"
"""Said of the files the page names that it could not read, as the page names them (``references.py``)."""
MAX_NAMED = 5
"""Files named in that sentence; the rest are counted ("and 12 more")."""


NOT_ALLOWED = "the page refers to {host}, which it may not reach (RENDER_ALLOWED_HOSTS); it was not loaded"
MAX_WARNINGS = 50
MAX_WARNING_LENGTH = 300


class Warnings:
    """What a render could not load, said once each: at most :data:`MAX_WARNINGS` lines of at most
    :data:`MAX_WARNING_LENGTH`, so that a page with 20,000 broken links says so in a line, not a megabyte.

    Files the page could not read are said together in one line, the first :data:`MAX_NAMED` by name.
    """

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._more = 0
        self._refused: dict[str, None] = {}
        self._refused_unnamed = False

    def add(self, line: str) -> None:
        """Say ``line``, unless it was said already."""
        line = line if len(line) <= MAX_WARNING_LENGTH else line[:MAX_WARNING_LENGTH - 1] + "…"
        if line in self._lines:
            return
        if len(self._lines) < MAX_WARNINGS:
            self._lines.append(line)
        else:
            self._more += 1

    def refused_file(self, name: str | None) -> None:
        """Say that a file the page refers to is missing or outside its folder: ``name`` as the page names
        it, or ``None`` when that is not known."""
        if name is None:
            self._refused_unnamed = True
        else:
            self._refused.setdefault(name[:MAX_WARNING_LENGTH // 2], None)

    @property
    def refused_unnamed(self) -> bool:
        """Whether a refused file was said without its name."""
        return self._refused_unnamed and not self._refused

    def said(self) -> tuple[str, ...]:
        """The lines, and how many more there were."""
        lines = list(self._lines)
        if self._refused:
            names = list(self._refused)
            shown = ", ".join(names[:MAX_NAMED]) + (f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED
                                                    else "")
            lines.insert(0, OUTSIDE_NAMED.format(what="a file that is" if len(names) == 1 else "files that are",
                                                 names=shown, which="it was" if len(names) == 1 else "they were"))
        elif self._refused_unnamed:
            lines.insert(0, OUTSIDE)
        return (*lines, f"… and {self._more} more") if self._more else tuple(lines)
