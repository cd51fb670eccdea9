"""A query of ``GET /files`` read into a :class:`~proxyservice.domain.file_query.FileQuery`: the fields it names
checked against what the enabled plugins declare searchable, its values cast by each field's datatype.

The query's words (see docs/api.md): ``name`` (part of the name, any case);
``mimetype`` (exact, or a prefix ending in ``/``); ``<namespace>.<field>=v``
(equal: a number, a boolean, a text, or a date, a day meaning all of it);
``<namespace>.<field>.min`` and ``.max`` (a range, for Integer, Float and
Date fields); ``limit``; and ``cursor``, the ``next`` of the page before.
"""

import base64
import binascii
import json
import math
from typing import Any, Iterable, Mapping, Sequence

from ..domain.file_query import FieldFilter, FileQuery, Match, SortKey, day_range, moment_seconds
from ..domain.metadata import FILE_NAMESPACE, FILE_SCHEMA, LIST, MetadataField, metadata_fields
from ..errors import InputInvalid

DEFAULT_LIMIT = 50
BOUNDS = ("min", "max")
OWN_WORDS = ("name", "mimetype", "limit", "cursor")
NOT_SEARCHABLE = "%s: no enabled plugin declares this field searchable (GET /plugins lists the fields)"
NO_RANGE = "%s: only an Integer, Float or Date field takes a range (.min, .max); this one is a %s"
NOT_OF_TYPE = "%s: %r is not %s"
BAD_CURSOR = "cursor: not a cursor of this query; start again without one"
WANTED = {"Integer": "a whole number", "Float": "a number", "Boolean": "true or false",
          "Date": "an ISO 8601 day or moment (2026-12-08, 2026-12-08T10:00:00Z)", "String": "a text"}


class FileQueryInvalid(InputInvalid):
    """The query of a listing names a field no plugin makes searchable, or a value its field cannot hold."""


def searchable_fields(namespaces: Iterable[tuple[str, Sequence[Mapping[str, Any]]]]) -> dict[str, MetadataField]:
    """The fields a listing may filter on, by ``namespace.field``: the file's own, and each enabled plugin's.

    Parameters
    ----------
    namespaces
        ``(namespace, schema())`` of each enabled plugin.
    """
    found = {}
    for namespace, schema in [(FILE_NAMESPACE, FILE_SCHEMA), *namespaces]:
        for field in metadata_fields(schema):
            if field.searchable:
                found[f"{namespace}.{field.name}"] = field
    return found


def file_query(params: Mapping[str, str], searchable: Mapping[str, MetadataField]) -> FileQuery:
    """The query that ``params`` (already valid against ``FileQuery.json``) asks for.

    Raises
    ------
    FileQueryInvalid
        A field is not searchable, takes no range, or a value does not fit its datatype; or the cursor is not one.
    """
    filters: list[FieldFilter] = []
    mimetype = params.get("mimetype", "")
    if mimetype:
        match = Match.PREFIX if mimetype.endswith("/") else Match.EQUAL
        filters.append(FieldFilter(FILE_NAMESPACE, "mimetype", match, text=mimetype))
    ranges: dict[str, dict[str, str]] = {}
    for word, value in params.items():
        if word in OWN_WORDS:
            continue
        key, _, bound = word.rpartition(".") if word.endswith(BOUNDS) else (word, "", "")
        field = searchable.get(key)
        if field is None:
            raise FileQueryInvalid(NOT_SEARCHABLE % key)
        if bound:
            if not field.numeric:
                raise FileQueryInvalid(NO_RANGE % (key, field.datatype))
            ranges.setdefault(key, {})[bound] = value
        else:
            filters.append(_equal(key, field, value))
    filters += [_range(key, searchable[key], bounds) for key, bounds in ranges.items()]
    query = FileQuery(params.get("name", ""), tuple(filters), int(params.get("limit", DEFAULT_LIMIT)))
    cursor = params.get("cursor")
    if cursor:
        after = decode_cursor(cursor)
        if not query.drives(after):
            raise FileQueryInvalid(BAD_CURSOR)
        return FileQuery(query.name, query.filters, query.limit, after)
    return query


def _equal(key: str, field: MetadataField, value: str) -> FieldFilter:
    namespace, name = key.split(".", 1)
    datatype = (field.items or "String") if field.datatype == LIST else field.datatype
    if datatype == "String":
        return FieldFilter(namespace, name, Match.EQUAL, text=value)
    if datatype == "Date":
        day = day_range(value)
        if day is not None:  # a day is all of it
            return FieldFilter(namespace, name, Match.RANGE, low=day[0], high=day[1])
    number = _number(key, datatype, value, "min")
    return FieldFilter(namespace, name, Match.EQUAL, low=number, high=number)


def _range(key: str, field: MetadataField, bounds: Mapping[str, str]) -> FieldFilter:
    namespace, name = key.split(".", 1)
    low = _number(key + ".min", field.datatype, bounds["min"], "min") if "min" in bounds else None
    high = _number(key + ".max", field.datatype, bounds["max"], "max") if "max" in bounds else None
    return FieldFilter(namespace, name, Match.RANGE, low=low, high=high)


def _number(word: str, datatype: str, value: str, end: str) -> float:
    """A query's value as the number its field's index entries hold (a day as its first or last moment)."""
    number: float | None
    if datatype == "Date":
        day = day_range(value)
        number = (day[0] if end == "min" else day[1]) if day is not None else moment_seconds(value)
    elif datatype == "Boolean":
        number = {"true": 1.0, "false": 0.0}.get(value.lower())
    else:
        try:
            number = float(int(value)) if datatype == "Integer" else float(value)
        except ValueError:
            number = None
        if number is not None and not math.isfinite(number):
            number = None  # NaN and infinities order nothing
    if number is None:
        raise FileQueryInvalid(NOT_OF_TYPE % (word, value, WANTED.get(datatype, "of its type")))
    return number


def encode_cursor(key: SortKey) -> str:
    """The opaque ``next`` of a page: its last row's key, as URL-safe base64 of JSON."""
    return base64.urlsafe_b64encode(json.dumps(list(key), separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> SortKey:
    """The key a cursor holds.

    Raises
    ------
    FileQueryInvalid
        It is no cursor this service gave.
    """
    try:
        value, file_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError, binascii.Error) as e:
        raise FileQueryInvalid(BAD_CURSOR) from e
    if not isinstance(file_id, str) or not (value is None or isinstance(value, (str, int, float))) or isinstance(
            value, bool):
        raise FileQueryInvalid(BAD_CURSOR)
    return (float(value) if isinstance(value, int) else value), file_id
