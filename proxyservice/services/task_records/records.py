"""Task records in SQLite, in the data folder.

The records are the service's own memory of every task: written before a task
is sent, updated by the worker, and still there after a worker restart, a
broker restart or Celery's result expiry. SQLite in WAL mode lets the web
processes and the worker processes share one file safely.
"""

import json
import logging
import os
import sqlite3
import threading
import weakref
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from flask import Flask, g

from ...domain import TaskRecord, TaskState
from ..context import init_settings, session_on_g
from .errors import RecordNotFound, RecordsUnavailable

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS tasks (
    task_id   TEXT PRIMARY KEY,
    file_id   TEXT NOT NULL,
    plugin    TEXT NOT NULL,
    state     TEXT NOT NULL,
    submitted TEXT NOT NULL,
    job       TEXT NOT NULL,
    args      TEXT NOT NULL,
    started   TEXT,
    finished  TEXT,
    error     TEXT,
    warnings  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_by_state ON tasks (state);
"""
BUSY_TIMEOUT_SECONDS = 10.0
FORK_WAIT_SECONDS = 2 * BUSY_TIMEOUT_SECONDS
"""Longest a fork waits for a ``no_fork_while_open`` block, whose reads wait BUSY_TIMEOUT_SECONDS at most."""
FORKED_WITH_OPEN_CONNECTION = (
    "this process was forked while %s was open in its parent: SQLite's locks do not cross fork(),"
    " so writes from here could be lost. Close the records before forking (no_fork_while_open)"
)

# No connection may be open across fork() (SQLite's "How To Corrupt", 2.6).
# SQLite counts per process the locks it holds on a file; a child forked while
# a connection is open inherits the count but not the POSIX locks, so it never
# takes the SHARED lock it believes it holds. Another process closing its
# connection then finds itself the last user, checkpoints and deletes the WAL,
# and the child's later commits go to the deleted file: seen by the child, lost
# to every other process. A fork during an open or a close can also copy a held
# SQLite mutex: the child hangs at its first open. The worker's main process
# reads records in its recovery thread while billiard forks pool children:
# forks wait for such blocks to close, and a child that got an open connection
# anyway refuses the records rather than hang or lose writes.
_no_fork = threading.Lock()
_fork_waited = threading.local()
_connecting_or_open: "weakref.WeakSet[TaskRecords]" = weakref.WeakSet()
_open_at_fork: set[str] = set()
"""Databases (absolute paths) this process's parent had open when it forked this process."""


def _before_fork() -> None:
    _fork_waited.holds_lock = _no_fork.acquire(timeout=FORK_WAIT_SECONDS)
    if not _fork_waited.holds_lock:
        logger.error("forking after %.0f s with task records still open", FORK_WAIT_SECONDS)


def _after_fork_in_parent() -> None:
    if getattr(_fork_waited, "holds_lock", False):
        _fork_waited.holds_lock = False
        _no_fork.release()


def _after_fork_in_child() -> None:
    # Runs between fork and exec too (subprocess with preexec_fn): no I/O, no logging here.
    _after_fork_in_parent()
    _open_at_fork.update(os.path.abspath(r.path) for r in list(_connecting_or_open))


os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent, after_in_child=_after_fork_in_child)


def utcnow() -> datetime:
    """The current time, in UTC."""
    return datetime.now(timezone.utc)


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _record(row: sqlite3.Row) -> TaskRecord:
    return TaskRecord(
        task_id=row["task_id"],
        file_id=row["file_id"],
        plugin=row["plugin"],
        state=TaskState(row["state"]),
        submitted=datetime.fromisoformat(row["submitted"]),
        job=row["job"],
        args=tuple(json.loads(row["args"])),
        started=_time(row["started"]),
        finished=_time(row["finished"]),
        error=row["error"],
        warnings=tuple(json.loads(row["warnings"])),
    )


def _row(record: TaskRecord) -> tuple[Any, ...]:
    return (
        record.task_id,
        record.file_id,
        record.plugin,
        record.state.value,
        record.submitted.isoformat(),
        record.job,
        json.dumps(list(record.args)),
        record.started.isoformat() if record.started else None,
        record.finished.isoformat() if record.finished else None,
        record.error,
        json.dumps(list(record.warnings)),
    )


class TaskRecords:
    """The task records in one SQLite file.

    Parameters
    ----------
    path
        The database file; made, with its folder, on first use.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None

    @staticmethod
    def init_app(app: Flask) -> None:
        """Give ``app`` settings for the records and close them when a context ends."""
        init_settings(app)

        @app.teardown_appcontext
        def close_task_records(_: BaseException | None) -> None:
            records = g.pop("task_records", None)
            if records is not None:
                records.close()

    @classmethod
    def current_session(cls) -> "TaskRecords":
        """The records of the current application context."""
        return session_on_g("task_records", lambda s: cls(s.task_db_path))

    def put(self, record: TaskRecord) -> None:
        """Write a record, replacing one with the same task id."""
        self._execute("INSERT OR REPLACE INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _row(record))

    def claim(self, record: TaskRecord) -> bool:
        """Write a new task's record unless the same task is queued or under way; return whether it was written.

        One conditional write, so that of many requests for the same task at
        once exactly one claims it (and sends it): the database decides, not
        a read followed by a write.
        """
        changed = self._change(
            "INSERT INTO tasks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task_id) DO UPDATE SET"
            " file_id = excluded.file_id, plugin = excluded.plugin, state = excluded.state,"
            " submitted = excluded.submitted, job = excluded.job, args = excluded.args, started = excluded.started,"
            " finished = excluded.finished, error = excluded.error, warnings = excluded.warnings"
            " WHERE tasks.state NOT IN (?, ?)",
            (*_row(record), TaskState.QUEUED.value, TaskState.IN_PROGRESS.value),
        )
        return changed == 1

    def requeue_if_unchanged(self, record: TaskRecord) -> bool:
        """Put a started task back to ``queued`` if its record is still as read; return whether it was."""
        return self._change(
            "UPDATE tasks SET state = ?, started = NULL WHERE task_id = ? AND state = ? AND started IS ?",
            (TaskState.QUEUED.value, record.task_id, record.state.value,
             record.started.isoformat() if record.started else None),
        ) == 1

    def get(self, task_id: str) -> TaskRecord:
        """Return the record of a task.

        Raises
        ------
        RecordNotFound
            No task has that id.
        """
        rows = self._execute("SELECT * FROM tasks WHERE task_id = ?", (task_id,))
        if not rows:
            raise RecordNotFound(f"no task {task_id!r}")
        return _record(rows[0])

    def find(self, task_id: str) -> TaskRecord | None:
        """Return the record of a task, or ``None`` when there is none."""
        try:
            return self.get(task_id)
        except RecordNotFound:
            return None

    def latest_succeeded(self, file_id: str, plugin: str) -> TaskRecord | None:
        """The task that last made this plugin's proxies of a file: theirs are the ones stored."""
        rows = self._execute(
            "SELECT * FROM tasks WHERE file_id = ? AND plugin = ? AND state = ?"
            " ORDER BY finished DESC LIMIT 1",
            (file_id, plugin, TaskState.SUCCEEDED.value),
        )
        return _record(rows[0]) if rows else None

    def delete(self, task_id: str) -> None:
        """Forget a task (one whose sending failed)."""
        self._execute("DELETE FROM tasks WHERE task_id = ?", (task_id,))

    def mark_started(self, task_id: str) -> TaskRecord:
        """Record that a worker began the task; clears an earlier outcome."""
        self._execute(
            "UPDATE tasks SET state = ?, started = ?, finished = NULL, error = NULL,"
            " warnings = '[]' WHERE task_id = ?",
            (TaskState.IN_PROGRESS.value, utcnow().isoformat(), task_id),
        )
        return self.get(task_id)

    def mark_finished(
        self,
        task_id: str,
        state: TaskState,
        error: str | None = None,
        warnings: tuple[str, ...] = (),
    ) -> TaskRecord:
        """Record a task's outcome."""
        self._execute(
            "UPDATE tasks SET state = ?, finished = ?, error = ?, warnings = ? WHERE task_id = ?",
            (state.value, utcnow().isoformat(), error, json.dumps(list(warnings)), task_id),
        )
        return self.get(task_id)

    def in_state(self, state: TaskState) -> list[TaskRecord]:
        """All records in one state, oldest first."""
        rows = self._execute(
            "SELECT * FROM tasks WHERE state = ? ORDER BY submitted", (state.value,)
        )
        return [_record(row) for row in rows]

    def is_available(self) -> bool:
        """Whether the database can be read now."""
        try:
            self._execute("SELECT 1", ())
        except RecordsUnavailable as e:
            logger.warning("task records unavailable: %s", e)
            return False
        return True

    @contextmanager
    def no_fork_while_open(self) -> Iterator["TaskRecords"]:
        """These records, closed at the end of the block; ``os.fork()`` in other threads waits for it.

        For a thread that reads records in a process whose other threads fork
        children that use the records too (the worker's main process, which
        forks pool children at any time). Keep the block to the records' own
        work: never fork in it, and leave slow calls (the broker) outside.
        Blocks of several threads run one at a time.
        """
        with _no_fork:
            try:
                yield self
            finally:
                self.close()

    def close(self) -> None:
        """Close the connection, if open."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        _connecting_or_open.discard(self)

    def _connect(self) -> sqlite3.Connection:
        if _open_at_fork and os.path.abspath(self.path) in _open_at_fork:
            raise RecordsUnavailable(FORKED_WITH_OPEN_CONNECTION % self.path)
        if self._connection is None:
            # From here until close() returns, SQLite holds state of this file that a fork must not copy.
            _connecting_or_open.add(self)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._connection = sqlite3.connect(
                    self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None,
                    check_same_thread=False,
                )
                self._connection.row_factory = sqlite3.Row
                self._connection.execute("PRAGMA journal_mode=WAL")
                self._connection.executescript(SCHEMA)
            except BaseException:
                self.close()
                raise
        return self._connection

    def _change(self, sql: str, params: tuple[Any, ...]) -> int:
        """Run a write; return how many rows it changed."""
        try:
            return int(self._connect().execute(sql, params).rowcount)
        except (sqlite3.Error, OSError) as e:
            raise RecordsUnavailable(f"task records at {self.path}: {e}") from e

    def _execute(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        try:
            return self._connect().execute(sql, params).fetchall()
        except (sqlite3.Error, OSError) as e:
            raise RecordsUnavailable(f"task records at {self.path}: {e}") from e
