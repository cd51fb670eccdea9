"""The queries of ``GET /files``: a page read from the driving filter's index, the others checked per row.

See :mod:`proxyservice.domain.file_query` for the order and the driver, and
migration 0007 for the indexes. ``EXISTS`` checks look up one file's entries
by ``values_of_file``; the page's metadata is read by the primary key.
"""

from typing import Any

from sqlalchemy import Connection, Select, column, exists, insert, literal, select, table, text, tuple_
from sqlalchemy.sql.elements import ColumnElement

from ...domain.file_query import FieldFilter, FilePage, FileQuery, ListedFile, Match, index_entries, next_key
from ...domain.metadata import FILE_NAMESPACE
from .table import NAMES_TABLE, file_metadata, metadata_values

file_names = table(NAMES_TABLE, column("rowid"), column("name"))
TRIGRAM = 3
"""The shortest name part the trigram index finds (a shorter one reads every name)."""
LIKE_WILDCARDS = ("%", "_", "\\")


def page_of_files(connection: Connection, query: FileQuery, names_indexed: bool) -> FilePage:
    """A page of the files ``query`` asks for, and where the next starts.

    Parameters
    ----------
    names_indexed
        SQLite: whether its FTS5 table of names is there (migration 0007 makes it when it can).
    """
    if connection.dialect.name == "postgresql":
        # psycopg prepares a statement run five times; PostgreSQL would then plan it once for any values, and
        # that plan (not knowing how much of the index a range holds) reads the whole range: 100 times slower.
        connection.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    rows = connection.execute(_page(query, names_indexed and connection.dialect.name == "sqlite")).all()
    keys = [(sort, file_id) for file_id, sort in rows]
    ids = [file_id for _, file_id in keys[:query.limit]]
    metadata: dict[str, dict[str, dict[str, Any]]] = {file_id: {} for file_id in ids}
    if ids:
        read = connection.execute(
            select(file_metadata.c.file_id, file_metadata.c.namespace, file_metadata.c.fields)
            .where(file_metadata.c.file_id.in_(ids)).order_by(file_metadata.c.namespace))
        for file_id, namespace, fields in read:
            metadata[file_id][namespace] = dict(fields)
    return FilePage(tuple(ListedFile(file_id, metadata[file_id]) for file_id in ids), next_key(keys, query.limit))


def _page(query: FileQuery, fts: bool) -> Select[Any]:
    driver = query.driver
    entries = metadata_values.alias("driver")
    sort: ColumnElement[Any] | None = None
    if driver is not None:
        file_id = entries.c.file_id
        if driver.match.ordered:
            sort = entries.c.text_value if driver.match is Match.PREFIX else entries.c.num_value
        resumed = driver.match.ordered and query.after is not None
        page = select(file_id).where(*_fits(entries, driver, lower_bound=not resumed))
    elif query.name:
        file_id = entries.c.file_id
        if fts and len(query.name) >= TRIGRAM and not any(c in query.name for c in LIKE_WILDCARDS):
            # The FTS5 table's rows, found by trigram, lead to the names' entries by rowid (as a join, SQLite would
            # rather walk every entry and ask the FTS5 table of each).
            page = select(file_id).where(entries.c.id.in_(
                select(file_names.c.rowid).where(file_names.c.name.like(f"%{query.name}%"))))
        else:
            page = select(file_id).where(*_named(entries, query.name))
    else:
        file_id = file_metadata.c.file_id
        page = select(file_id).where(file_metadata.c.namespace == FILE_NAMESPACE)
    if query.name and driver is not None:
        named = metadata_values.alias("named")
        page = page.where(exists().where(named.c.file_id == file_id, *_named(named, query.name)))
    for index, checked in enumerate(query.checked):
        other = metadata_values.alias(f"checked{index}")
        page = page.where(exists().where(other.c.file_id == file_id, *_fits(other, checked)))
    if query.after is not None and sort is None:
        page = page.where(file_id > query.after[1])
    elif query.after is not None and driver is not None:
        # The page's one lower bound in the index (a database uses one): the cursor, or the range's start when
        # a cursor was made before it ("" comes before every file id).
        value, after = max(query.after, (driver.text if driver.match is Match.PREFIX else driver.low, ""),
                           key=lambda key: (key[0] is not None, key))
        page = page.where(tuple_(sort, file_id) > tuple_(literal(value), literal(after)))
    order = [file_id] if sort is None else [sort, file_id]
    return page.add_columns(sort if sort is not None else literal(None)).order_by(*order).limit(query.limit + 1)


def _fits(entries: Any, wanted: FieldFilter, lower_bound: bool = True) -> list[ColumnElement[bool]]:
    """The conditions on an entry of ``wanted``'s field that hold it (without its lower bound: a cursor's is)."""
    conditions = [entries.c.namespace == wanted.namespace, entries.c.field == wanted.field]
    if wanted.match is Match.PREFIX and wanted.text:
        # A range, not LIKE: on both databases it is read from the index (the text is in code point order).
        if lower_bound:
            conditions.append(entries.c.text_value >= wanted.text)
        conditions.append(entries.c.text_value < _after_prefix(wanted.text))
    elif wanted.text is not None:
        conditions.append(entries.c.text_value == wanted.text)
    else:
        if wanted.low is not None and lower_bound:
            conditions.append(entries.c.num_value >= wanted.low)
        if wanted.high is not None:
            conditions.append(entries.c.num_value <= wanted.high)
        if wanted.low is None and wanted.high is None:
            conditions.append(entries.c.num_value.is_not(None))
    return conditions


def _named(entries: Any, part: str) -> list[ColumnElement[bool]]:
    return [entries.c.namespace == FILE_NAMESPACE, entries.c.field == "name",
            entries.c.text_value.icontains(part, autoescape=True)]


def _after_prefix(prefix: str) -> str:
    """The first text after every text that starts with ``prefix``."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def write_entries(connection: Connection, file_id: str, namespace: str, fields: dict[str, Any],
                  names_indexed: bool) -> None:
    """Enter the values of ``fields`` (what ``namespace`` read of the file), in place of those entered before."""
    forget_entries(connection, file_id, namespace, names_indexed)
    rows = [{"file_id": file_id, "namespace": namespace, "field": field, "text_value": text, "num_value": number}
            for field, text, number in index_entries(fields)]
    if not rows:
        return
    connection.execute(insert(metadata_values), rows)
    if names_indexed and namespace == FILE_NAMESPACE and isinstance(fields.get("name"), str):
        entry = connection.execute(select(metadata_values.c.id).where(*_name_entry(file_id))).scalar()
        connection.execute(insert(file_names).values(rowid=entry, name=fields["name"]))


def forget_entries(connection: Connection, file_id: str, namespace: str | None, names_indexed: bool) -> None:
    """Remove the entries of what ``namespace`` (every namespace: ``None``) read of the file."""
    if names_indexed and namespace in (None, FILE_NAMESPACE):
        connection.execute(file_names.delete().where(
            file_names.c.rowid.in_(select(metadata_values.c.id).where(*_name_entry(file_id)))))
    which = [metadata_values.c.file_id == file_id]
    if namespace is not None:
        which.append(metadata_values.c.namespace == namespace)
    connection.execute(metadata_values.delete().where(*which))


def _name_entry(file_id: str) -> list[ColumnElement[bool]]:
    return [metadata_values.c.file_id == file_id, metadata_values.c.namespace == FILE_NAMESPACE,
            metadata_values.c.field == "name"]
