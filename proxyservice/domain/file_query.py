"""A query of the files (``GET /files``) as values: a name part, filters on metadata fields, and where a page starts.

A page is read from one index, walked in order from where the last page
ended, so that it costs about the same at 100 files as at 100,000: the index
of the *driving* filter (:attr:`FileQuery.driver`), each other filter checked
per row by the file's own values. A range's rows come in the order of its
field's value, an equality's in the order of file ids; so a listing is in
``(value, file_id)`` order with a range and in ``file_id`` order without. A
page's end is that order's key of its last row (:data:`SortKey`).

The records keep each scalar value (and each item of a list) of every field
as an index entry (:func:`index_entries`): its text (cut to
:data:`TEXT_KEPT` characters), and a number for numbers, booleans and dates
(dates as seconds since 1970 in UTC, so a range of moments is a range of numbers).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from enum import Enum
from typing import Any, Iterable, Mapping

TEXT_KEPT = 300
"""Characters of a text value its index entry keeps; a longer value is kept cut, with an ellipsis (so it equals no
query value, which is at most this long). B-tree entries are bounded (2,704 bytes on PostgreSQL)."""
CUT = "…"
SECONDS_PER_DAY = 86_400
LAST_MOMENT_OF_DAY = SECONDS_PER_DAY - 1e-6

SortValue = float | str | None
SortKey = tuple[SortValue, str]
"""Where a listing is: the driving filter's value (``None`` without one, or with an equality) and the file id."""


class Match(Enum):
    """How a filter compares a field's value."""

    EQUAL = "equal"
    """The text, or the number, is the filter's (a list: one of its items is)."""
    RANGE = "range"
    """The number (a date's seconds) is within ``low`` and ``high``, both included; either may be open."""
    PREFIX = "prefix"
    """The text starts with the filter's (``image/`` for a media type)."""

    @property
    def ordered(self) -> bool:
        """Whether its index gives rows in the value's order (not only the file id's)."""
        return self is not Match.EQUAL


@dataclass(frozen=True)
class FieldFilter:
    """One condition on one metadata field."""

    namespace: str
    field: str
    match: Match
    text: str | None = None
    """For EQUAL on a text field, and PREFIX."""
    low: float | None = None
    high: float | None = None
    """For RANGE; for EQUAL on a number, both are the number."""

    @property
    def key(self) -> str:
        """``namespace.field``, as the query names it."""
        return f"{self.namespace}.{self.field}"

    @property
    def numeric(self) -> bool:
        """Whether it compares the entries' numbers (else their text)."""
        return self.text is None

    def accepts(self, text: str | None, number: float | None) -> bool:
        """Whether an index entry (:func:`index_entries`) fits: what the databases' queries decide, in Python."""
        if self.match is Match.PREFIX:
            return text is not None and self.text is not None and text.startswith(self.text)
        if self.text is not None:
            return text == self.text
        return number is not None and (self.low is None or number >= self.low) and (
            self.high is None or number <= self.high)

    def sort_value(self, text: str | None, number: float | None) -> SortValue:
        """The entry's place in a listing this filter drives."""
        if not self.match.ordered:
            return None
        return text if self.match is Match.PREFIX else number


@dataclass(frozen=True)
class FileQuery:
    """Which files to list, and from where."""

    name: str = ""
    """Part of the file's name, in any case (none: every name)."""
    filters: tuple[FieldFilter, ...] = ()
    limit: int = 50
    after: SortKey | None = None
    """The last row of the page before (none: the first page)."""

    @property
    def driver(self) -> FieldFilter | None:
        """The filter whose index a page is read from: the first range, else the first equality.

        ``None``: the page is read from the file names' index (with a name
        part), or from every file's.
        """
        return next((f for f in self.filters if f.match.ordered), self.filters[0] if self.filters else None)

    @property
    def checked(self) -> tuple[FieldFilter, ...]:
        """The filters other than the driver: checked on each row the driver's index gives."""
        driver = self.driver
        return tuple(f for f in self.filters if f is not driver)

    def drives(self, key: SortKey) -> bool:
        """Whether a cursor's key is of this query's order (a number, a text or nothing as its value)."""
        driver = self.driver
        if driver is None or not driver.match.ordered:
            return key[0] is None
        wanted = str if driver.match is Match.PREFIX else float
        return isinstance(key[0], wanted) or (wanted is float and isinstance(key[0], int))


@dataclass(frozen=True)
class ListedFile:
    """One file of a listing: its id and its metadata by namespace."""

    file_id: str
    metadata: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class FilePage:
    """A page of a listing, and where the next starts (``None``: this is the last)."""

    files: tuple[ListedFile, ...]
    next: SortKey | None


def moment_seconds(text: str) -> float | None:
    """Seconds since 1970 in UTC of an ISO 8601 day or moment (a day at its start, a moment without zone in UTC).

    ``None`` for text that is neither.
    """
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) if len(text) > 10 else datetime.combine(
            date.fromisoformat(text), time())
    except ValueError:
        return None
    return (moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)).timestamp()


def day_range(text: str) -> tuple[float, float] | None:
    """The first and last moments (seconds) of an ISO day (``2026-12-08``); ``None`` for a moment or other text."""
    if len(text) != 10:
        return None
    start = moment_seconds(text)
    return None if start is None else (start, start + LAST_MOMENT_OF_DAY)


def index_entries(fields: Mapping[str, Any]) -> list[tuple[str, str | None, float | None]]:
    """``(field, text, number)`` of each scalar value and list item, as the records index them (each once)."""
    entries: dict[tuple[str, str | None, float | None], None] = {}
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            entries[(name, *_entry(item))] = None
    return list(entries)


def _entry(value: Any) -> tuple[str | None, float | None]:
    if isinstance(value, bool):
        return ("true" if value else "false"), float(value)
    if isinstance(value, (int, float)):
        return None, float(value)
    if isinstance(value, str):
        text = value if len(value) <= TEXT_KEPT else value[:TEXT_KEPT] + CUT
        # A String that reads as a date gets its seconds too: only a Date field's are ever compared.
        return text, moment_seconds(value) if _looks_like_a_date(value) else None
    return None, None


def _looks_like_a_date(value: str) -> bool:
    return 10 <= len(value) <= 40 and value[:4].isdigit() and value[4:5] == "-"


def next_key(rows: Iterable[tuple[SortValue, str]], limit: int) -> SortKey | None:
    """The key of a page's last row when more rows follow it (``rows`` holds up to ``limit + 1``)."""
    read = list(rows)
    return read[limit - 1] if len(read) > limit else None


def later_than(key: SortKey, after: SortKey | None) -> bool:
    """Whether a row's key comes after ``after`` in a listing's order."""
    if after is None:
        return True
    return (key[0], key[1]) > (after[0], after[1]) if key[0] is not None else key[1] > after[1]

