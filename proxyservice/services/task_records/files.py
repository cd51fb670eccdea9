"""What the records know of one file: its metadata (one row per plugin namespace) and its tasks.

Each value is also entered in ``metadata_values`` (and a file's name in
SQLite's ``file_names``), in the same transaction, so that a listing
(:meth:`FileRecords.files`, see :mod:`.listing`) reads its pages from
indexes. The values were checked against the plugin's schema before they
reach here (:mod:`proxyservice.process.metadata`). Fields stored again (a
render at another size, a forced one) replace the same fields; the plugin's
others stay (a job may store its fields in several calls). A file id stands
for its bytes, so what was read of them stays true.
"""

from contextlib import AbstractContextManager
from datetime import datetime, timezone
from typing import Any, Callable, Mapping

from sqlalchemy import Connection, delete, func, select, text
from sqlalchemy.sql.expression import Executable
from sqlalchemy.dialects import postgresql, sqlite

from ...domain import TaskRecord
from ...domain.file_query import FilePage, FileQuery
from .listing import forget_entries, page_of_files, write_entries
from .table import NAMES_TABLE, callbacks, file_metadata, tasks, to_record


class FileRecords:
    """The per-file methods of :class:`.TaskRecords`, over its transactions."""

    _transaction: Callable[..., AbstractContextManager[Connection]]
    _names_table: bool | None = None
    """SQLite: whether the FTS5 table of names is there (read once; PostgreSQL: never)."""

    def put_metadata(self, file_id: str, namespace: str, fields: Mapping[str, Any]) -> None:
        """Keep ``fields`` as what ``namespace`` read of the file, beside (or in place of) what it read before."""
        values = {"file_id": file_id, "namespace": namespace, "fields": dict(fields),
                  "updated": datetime.now(timezone.utc)}
        with self._transaction() as connection:
            statement: Executable
            if connection.dialect.name == "postgresql":
                on_postgresql = postgresql.insert(file_metadata).values(**values)
                statement = on_postgresql.on_conflict_do_update(index_elements=["file_id", "namespace"], set_={
                    "fields": file_metadata.c.fields.op("||")(on_postgresql.excluded.fields),
                    "updated": values["updated"]}).returning(file_metadata.c.fields)
            else:
                on_sqlite = sqlite.insert(file_metadata).values(**values)
                statement = on_sqlite.on_conflict_do_update(index_elements=["file_id", "namespace"], set_={
                    "fields": func.json_patch(file_metadata.c.fields, on_sqlite.excluded.fields),
                    "updated": values["updated"]}).returning(file_metadata.c.fields)
            merged = connection.execute(statement).scalar_one()
            # The index entries of all the plugin's fields now, the merged ones and those it kept.
            write_entries(connection, file_id, namespace, dict(merged), self._names_indexed(connection))

    def metadata_of(self, file_id: str) -> dict[str, dict[str, Any]]:
        """Everything stored of a file, by namespace (``{}`` when nothing is)."""
        with self._transaction(one_read=True) as connection:
            rows = connection.execute(
                select(file_metadata.c.namespace, file_metadata.c.fields)
                .where(file_metadata.c.file_id == file_id).order_by(file_metadata.c.namespace)
            )
            return {namespace: dict(fields) for namespace, fields in rows}

    def forget_metadata(self, file_id: str) -> None:
        """Remove everything stored of a file."""
        with self._transaction() as connection:
            forget_entries(connection, file_id, None, self._names_indexed(connection))
            connection.execute(delete(file_metadata).where(file_metadata.c.file_id == file_id))

    def forget_file(self, file_id: str) -> bool:
        """Remove everything known of a file, in one transaction: its metadata, index entries, tasks and callbacks.

        A worker still running one of its tasks finds the record gone when the
        job ends, and removes what it stored (:mod:`proxyservice.worker.jobs`);
        a queued one is not run (a task without a record never is).

        Returns
        -------
        bool
            Whether anything of the file was known.
        """
        with self._transaction() as connection:
            forget_entries(connection, file_id, None, self._names_indexed(connection))
            its_tasks = select(tasks.c.task_id).where(tasks.c.file_id == file_id)
            connection.execute(delete(callbacks).where(callbacks.c.task_id.in_(its_tasks)))
            gone = connection.execute(delete(tasks).where(tasks.c.file_id == file_id),
                                      execution_options={"preserve_rowcount": True}).rowcount
            gone += connection.execute(delete(file_metadata).where(file_metadata.c.file_id == file_id),
                                       execution_options={"preserve_rowcount": True}).rowcount
            return gone > 0

    def files(self, query: FileQuery) -> FilePage:
        """A page of the files ``query`` asks for, read from indexes (see :mod:`.listing`)."""
        with self._transaction() as connection:
            return page_of_files(connection, query, self._names_indexed(connection))

    def _names_indexed(self, connection: Connection) -> bool:
        if self._names_table is None:
            self._names_table = connection.dialect.name == "sqlite" and connection.execute(
                text("SELECT 1 FROM sqlite_master WHERE name = :name"), {"name": NAMES_TABLE}).first() is not None
        return self._names_table

    def tasks_of(self, file_id: str) -> list[TaskRecord]:
        """Every task of a file, the newest first (by the index on ``file_id``)."""
        with self._transaction(one_read=True) as connection:
            rows = connection.execute(
                select(tasks).where(tasks.c.file_id == file_id).order_by(tasks.c.submitted.desc(), tasks.c.task_id)
            ).mappings()
            return [to_record(row) for row in rows]
