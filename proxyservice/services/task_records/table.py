"""The ``tasks`` table as SQLAlchemy Core sees it, and how its rows become :class:`TaskRecord` values and back.

Times are ``timestamptz`` on PostgreSQL and ISO 8601 text on SQLite, as the
records always kept them there; ``args`` and ``warnings`` are JSON lists.
The migrations in ``migrations/versions`` make this table; a change here
needs a migration there.
"""

import json
from dataclasses import fields
from datetime import datetime, timezone
from typing import Any, Mapping

from sqlalchemy import (JSON, BigInteger, Column, DateTime, Dialect, Float, Index, Integer, MetaData,
                        PrimaryKeyConstraint, Table, Text)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import Executable
from sqlalchemy.types import TypeDecorator, TypeEngine

from ...domain import TaskRecord, TaskState


class UtcTime(TypeDecorator[datetime]):
    """A moment, read back in UTC: ``timestamptz`` on PostgreSQL, ISO 8601 text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(Text() if dialect.name == "sqlite" else DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        moment = value.astimezone(timezone.utc) if value.tzinfo is not None else value
        # One format on SQLite, so that text comparison and ordering are those of the moments.
        return moment.isoformat() if dialect.name == "sqlite" else moment

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment = datetime.fromisoformat(value) if isinstance(value, str) else value
        return moment.astimezone(timezone.utc) if moment.tzinfo is not None else moment


class JsonList(TypeDecorator[tuple[Any, ...]]):
    """A tuple of plain values, kept as a JSON list in text."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: tuple[Any, ...] | None, dialect: Dialect) -> str:
        return json.dumps(list(value or ()))

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Any, ...]:
        return tuple(json.loads(value)) if value else ()


metadata = MetaData()
tasks = Table(
    "tasks",
    metadata,
    Column("task_id", Text, primary_key=True),
    Column("file_id", Text, nullable=False),
    Column("plugin", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("submitted", UtcTime, nullable=False),
    Column("job", Text, nullable=False),
    Column("args", JsonList, nullable=False),
    Column("started", UtcTime),
    Column("finished", UtcTime),
    Column("error", Text),
    Column("warnings", JsonList, nullable=False),
    Column("resent", UtcTime),
    Column("lease_until", UtcTime),
    Column("filename", Text, nullable=False, server_default=""),
    Index("tasks_by_state", "state"),
    Index("tasks_by_submitted", "submitted"),
    Index("tasks_by_file", "file_id"),
)
"""One row per task. ``resent``, when recovery last sent the task again (``NULL`` once it is submitted
anew), and ``lease_until``, until when the worker running it holds it (renewed while it runs), are
the recovery's own: they are not part of a :class:`TaskRecord`."""

locks = Table(
    "locks",
    metadata,
    Column("name", Text, primary_key=True),
    Column("holder", Text, nullable=False),
    Column("expires", UtcTime, nullable=False),
)
"""Locks with an expiry, shared by every host: one holder at a time until ``expires``."""

callbacks = Table(
    "callbacks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", Text, nullable=False),
    Column("url", Text, nullable=False),
    Index("callbacks_by_task", "task_id"),
)
"""URLs to call back when a task ends: one row per request that asked, taken (deleted) when they are sent."""

FIELDS = JSON().with_variant(postgresql.JSONB(), "postgresql")
"""An object of metadata values: JSONB on PostgreSQL (indexed by GIN), JSON text on SQLite."""

file_metadata = Table(
    "metadata",
    metadata,
    Column("file_id", Text, nullable=False),
    Column("namespace", Text, nullable=False),
    Column("fields", FIELDS, nullable=False),
    Column("updated", UtcTime, nullable=False),
    PrimaryKeyConstraint("file_id", "namespace"),
    Index("metadata_by_namespace", "namespace", "file_id"),
)
"""A file's metadata: one row per file and plugin namespace, its fields checked against the plugin's schema."""

ROW_ID = BigInteger().with_variant(Integer(), "sqlite")
"""SQLite's rowid itself (only ``INTEGER PRIMARY KEY`` is), which its index of names refers to."""
VALUE_TEXT = Text().with_variant(postgresql.TEXT(collation="C"), "postgresql")
"""Ordered by code point on both databases: a prefix is a range, whatever the server's locale."""

metadata_values = Table(
    "metadata_values",
    metadata,
    Column("id", ROW_ID, primary_key=True, autoincrement=True),
    Column("file_id", Text, nullable=False),
    Column("namespace", Text, nullable=False),
    Column("field", Text, nullable=False),
    Column("text_value", VALUE_TEXT),
    Column("num_value", Float),
    Index("values_of_file", "file_id", "namespace", "field"),
    Index("values_by_number", "namespace", "field", "num_value", "file_id"),
    Index("values_by_text", "namespace", "field", "text_value", "file_id"),
)
"""Each value of :data:`file_metadata` as an index entry (see migration 0007 and
:func:`~proxyservice.domain.file_query.index_entries`): what ``GET /files`` reads its pages from."""
NAMES_TABLE = "file_names"
"""SQLite only, when its FTS5 is there: the files' names by trigrams, each row's rowid the ``id`` of its name's
entry."""


def to_record(row: Mapping[Any, Any]) -> TaskRecord:
    """The record a row holds: a column for each of the record's fields, by its name."""
    values = {field.name: row[field.name] for field in fields(TaskRecord)}
    return TaskRecord(**{**values, "state": TaskState(row["state"])})


def to_values(record: TaskRecord) -> dict[str, Any]:
    """The values of a row holding ``record``, submitted anew (not resent, not held)."""
    values = {field.name: getattr(record, field.name) for field in fields(record)}
    return {**values, "state": record.state.value, "resent": None, "lease_until": None}


def upsert(dialect: str, record: TaskRecord, only_if: ColumnElement[bool] | None = None) -> Executable:
    """``INSERT … ON CONFLICT (task_id) DO UPDATE`` every column ``[WHERE only_if]``, in the dialect's words.

    Parameters
    ----------
    dialect
        ``postgresql`` or ``sqlite`` (3.24 or later).
    """
    statement = insert_into(dialect, tasks).values(to_values(record))
    upserting: Executable = statement.on_conflict_do_update(
        index_elements=[tasks.c.task_id],
        set_={column.name: statement.excluded[column.name] for column in tasks.columns if column.name != "task_id"},
        where=only_if,
    )
    return upserting


def insert_into(dialect: str, table: Table) -> Any:
    """An ``INSERT`` into ``table`` that can take ``ON CONFLICT``, in the dialect's words."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
