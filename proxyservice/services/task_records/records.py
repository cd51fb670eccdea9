"""Task records in a SQL database: a SQLite file in the data folder by default, PostgreSQL to share them.

The records are the service's own memory of every task: written before a task
is sent, updated by the worker, and still there after a worker restart, a
broker restart or Celery's result expiry. Every change that may race with
another process, on this host or another, is one conditional statement or
one locking transaction, so the database decides who wins:

- :meth:`TaskRecords.claim`: ``INSERT … ON CONFLICT (task_id) DO UPDATE …
  WHERE state NOT IN ('queued', 'in_progress')``; a row was written or not.
- :meth:`TaskRecords.start`: ``UPDATE … WHERE`` no live worker holds the task (its lease).
- :meth:`TaskRecords.take_lock`: ``INSERT … ON CONFLICT (name) DO UPDATE … WHERE``
  the lock is this holder's or has expired.
- :meth:`TaskRecords.claim_lost`: ``SELECT … FOR UPDATE SKIP LOCKED`` on
  PostgreSQL (``BEGIN IMMEDIATE`` on SQLite), then an ``UPDATE`` of the rows
  still as the sweeper read them.
"""

import logging
import threading
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import ColumnElement, Connection, bindparam, or_, select, update

from ...domain import TaskRecord, TaskState
from ...config import Settings
from ..context import SettingsService
from . import fork
from .engines import SINGLE_STATEMENT, SQLITE_BEGIN, Database
from .errors import RecordNotFound, RecordsUnavailable
from .schema import DATABASE_ERRORS, ready_engine
from .table import callbacks, insert_into, locks, tasks, to_record, upsert

TASK_BY_ID = select(tasks).where(tasks.c.task_id == bindparam("task_id"))
"""The most frequent query (every status read, every ingest), built once: building it cost as much as running it."""

logger = logging.getLogger(__name__)

UNDER_WAY = (TaskState.QUEUED.value, TaskState.IN_PROGRESS.value)
LOST_BATCH = 500
"""Lost tasks taken in one transaction: well under both databases' limits on bound values."""


def _unheld(now: datetime) -> ColumnElement[bool]:
    """Rows no live worker holds: not started, or started with a lapsed lease."""
    return or_(tasks.c.state != TaskState.IN_PROGRESS.value, tasks.c.lease_until.is_(None), tasks.c.lease_until <= now)


def utcnow() -> datetime:
    """The current time, in UTC."""
    return datetime.now(timezone.utc)


class TaskRecords(SettingsService):
    """The task records in one database.

    Parameters
    ----------
    location
        A SQLite file's path (made, with its folder, on first use), or a
        database URL: ``postgresql://user:password@host/db`` or ``sqlite:///path``.
        The schema is brought to the newest migration when a process first uses it.
    """

    def __init__(self, location: Path | str, keep_connections: bool = False) -> None:
        self.location = location
        self.keep_connections = keep_connections
        """SQLite: :meth:`close` gives the connection back to a pool, open (only in a process that never forks)."""
        self._database: Database | None = None
        self._connection: Connection | None = None
        """SQLite only: this object's connection, open from first use until :meth:`close`."""
        self._lock = threading.RLock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "TaskRecords":
        """The records at DATABASE_URL, or in the SQLite file in DATA_DIR."""
        return cls(settings.database_url)

    def put(self, record: TaskRecord) -> None:
        """Write a record, replacing one with the same task id."""
        with self._transaction() as connection:
            connection.execute(upsert(connection.dialect.name, record))

    def claim(self, record: TaskRecord) -> bool:
        """Write a new task's record unless the same task is queued or under way; return whether it was written.

        One conditional write, so that of many requests for the same task at
        once, in any process on any host, exactly one claims it (and sends it):
        the database decides, not a read followed by a write.
        """
        with self._transaction() as connection:
            written = connection.execute(
                upsert(connection.dialect.name, record, only_if=tasks.c.state.not_in(UNDER_WAY)),
                execution_options={"preserve_rowcount": True},  # psycopg's cursor, not kept after an INSERT otherwise
            )
            return written.rowcount == 1

    def claim_lost(self, lost: Iterable[TaskRecord], settle: timedelta) -> list[TaskRecord]:
        """Take, for sending again, the tasks a sweeper found lost; return those this caller must send.

        A task is taken if its record is still as the sweeper read it and no
        sweeper sent it again within ``settle``; it becomes ``queued`` (a
        started one is no longer). Of several sweepers, on any hosts, taking
        the same tasks at once, each task goes to one: PostgreSQL locks the
        rows (``FOR UPDATE SKIP LOCKED``: rows another sweeper is taking are
        left to it), SQLite's ``BEGIN IMMEDIATE`` lets one sweeper in at a time.

        Parameters
        ----------
        lost
            Records, as read, of tasks the broker lost or whose worker died. A
            started one is taken only if its lease is still lapsed.
        settle
            How long a task sent again is left to reach the broker before it
            may be counted lost again.
        """
        wanted = {record.task_id: record for record in lost}
        ids = list(wanted)
        taken: list[TaskRecord] = []
        for start in range(0, len(ids), LOST_BATCH):
            with self._transaction(immediate=True) as connection:
                now = utcnow()
                rows = connection.execute(
                    select(tasks).where(tasks.c.task_id.in_(ids[start:start + LOST_BATCH]), _unheld(now))
                    .order_by(tasks.c.submitted, tasks.c.task_id)
                    .with_for_update(skip_locked=True)
                ).mappings()
                found = [(to_record(row), row["resent"]) for row in rows]
                mine = [record for record, resent in found
                        if record == wanted[record.task_id] and (resent is None or now - resent >= settle)]
                if mine:
                    connection.execute(
                        update(tasks).where(tasks.c.task_id.in_([record.task_id for record in mine]))
                        .values(state=TaskState.QUEUED.value, started=None, resent=now, lease_until=None)
                    )
                taken += [replace(record, state=TaskState.QUEUED, started=None) for record in mine]
        return taken

    def add_callback(self, task_id: str, url: str) -> None:
        """Call ``url`` back when the task ends (once per request that asked)."""
        with self._transaction() as connection:
            connection.execute(callbacks.insert().values(task_id=task_id, url=url))

    def take_callbacks(self, task_id: str) -> list[str]:
        """The URLs to call back for a task that ended, removed as they are read: each is taken once."""
        with self._transaction() as connection:
            taken = connection.execute(
                callbacks.delete().where(callbacks.c.task_id == task_id).returning(callbacks.c.url)
            ).scalars()
            return list(taken)

    def get(self, task_id: str) -> TaskRecord:
        """Return the record of a task.

        Raises
        ------
        RecordNotFound
            No task has that id.
        """
        with self._transaction(one_read=True) as connection:
            return self._get(connection, task_id)

    def find(self, task_id: str) -> TaskRecord | None:
        """Return the record of a task, or ``None`` when there is none."""
        try:
            return self.get(task_id)
        except RecordNotFound:
            return None

    def delete(self, task_id: str) -> None:
        """Forget a task (one whose sending failed)."""
        with self._transaction() as connection:
            connection.execute(tasks.delete().where(tasks.c.task_id == task_id))

    def start(self, task_id: str, lease: timedelta) -> TaskRecord | None:
        """Take a task for running, held for ``lease``; ``None`` when it succeeded or a live worker holds it.

        One conditional write: a task delivered again while its first worker
        still runs it (that worker renews its lease, :meth:`held`) is not run
        twice at once, and one whose worker died (its lease lapsed) is taken over.
        An earlier outcome is cleared.

        Raises
        ------
        RecordNotFound
            No task has that id.
        """
        with self._transaction() as connection:
            now = utcnow()
            taken = connection.execute(
                update(tasks)
                .where(tasks.c.task_id == task_id, tasks.c.state != TaskState.SUCCEEDED.value,
                       _unheld(now))
                .values(state=TaskState.IN_PROGRESS.value, started=now, lease_until=now + lease,
                        finished=None, error=None, warnings=())
            )
            record = self._get(connection, task_id)
            return record if taken.rowcount == 1 else None

    def renew(self, task_id: str, lease: timedelta) -> bool:
        """Hold a running task for ``lease`` from now; return whether it is still running."""
        with self._transaction() as connection:
            renewed = connection.execute(
                update(tasks).where(tasks.c.task_id == task_id, tasks.c.state == TaskState.IN_PROGRESS.value)
                .values(lease_until=utcnow() + lease)
            )
            return renewed.rowcount == 1

    @contextmanager
    def held(self, task_id: str, lease: timedelta) -> Iterator[None]:
        """Renew the task's lease every third of it, from a thread of its own, until the block ends.

        The thread has its own connection: a job's long call never delays it.
        """
        stop = threading.Event()

        def renew_until_stopped() -> None:
            renewer = TaskRecords(self.location)
            try:
                while not stop.wait(lease.total_seconds() / 3):
                    try:
                        renewer.renew(task_id, lease)
                    except RecordsUnavailable as e:  # the next renewal may pass; a lapse only risks a second run
                        logger.warning("cannot renew the lease of task %s: %s", task_id, e)
            finally:
                renewer.close()

        renewing = threading.Thread(target=renew_until_stopped, name=f"lease-{task_id}", daemon=True)
        renewing.start()
        try:
            yield
        finally:
            stop.set()
            renewing.join()

    def lapsed(self) -> list[TaskRecord]:
        """Started tasks no worker holds any more: their lease lapsed (their worker died), oldest first."""
        with self._transaction() as connection:
            rows = connection.execute(
                select(tasks)
                .where(tasks.c.state == TaskState.IN_PROGRESS.value,
                       _unheld(utcnow()))
                .order_by(tasks.c.submitted, tasks.c.task_id)
            ).mappings()
            return [to_record(row) for row in rows]

    def take_lock(self, name: str, holder: str, hold: timedelta) -> bool:
        """Take or keep the lock ``name`` for ``hold`` from now; return whether ``holder`` has it.

        It is taken when free, expired, or already ``holder``'s: of many
        callers on any hosts, one holds it at a time, and a holder that died
        leaves it free once it expires.
        """
        with self._transaction() as connection:
            now = utcnow()
            statement = insert_into(connection.dialect.name, locks).values(name=name, holder=holder, expires=now + hold)
            taken = connection.execute(
                statement.on_conflict_do_update(
                    index_elements=[locks.c.name],
                    set_={"holder": statement.excluded.holder, "expires": statement.excluded.expires},
                    where=or_(locks.c.holder == holder, locks.c.expires <= now),
                ),
                execution_options={"preserve_rowcount": True},
            )
            return taken.rowcount == 1

    def mark_finished(
        self,
        task_id: str,
        state: TaskState,
        error: str | None = None,
        warnings: tuple[str, ...] = (),
    ) -> TaskRecord:
        """Record a task's outcome."""
        with self._transaction() as connection:
            connection.execute(
                update(tasks).where(tasks.c.task_id == task_id)
                .values(state=state.value, finished=utcnow(), error=error, warnings=warnings, lease_until=None)
            )
            return self._get(connection, task_id)

    def in_state(self, state: TaskState) -> list[TaskRecord]:
        """All records in one state, oldest first."""
        with self._transaction() as connection:
            rows = connection.execute(
                select(tasks).where(tasks.c.state == state.value).order_by(tasks.c.submitted, tasks.c.task_id)
            ).mappings()
            return [to_record(row) for row in rows]

    def recent(self, name_contains: str = "", state: TaskState | None = None, limit: int = 50) -> list[TaskRecord]:
        """The newest tasks first, at most ``limit``: those whose file name holds ``name_contains`` (any case),
        in ``state`` when given."""
        query = select(tasks)
        if name_contains:
            query = query.where(tasks.c.filename.icontains(name_contains, autoescape=True))
        if state is not None:
            query = query.where(tasks.c.state == state.value)
        with self._transaction() as connection:
            rows = connection.execute(
                query.order_by(tasks.c.submitted.desc(), tasks.c.task_id).limit(limit)
            ).mappings()
            return [to_record(row) for row in rows]

    def is_available(self) -> bool:
        """Whether the database can be used now (within BUSY_TIMEOUT_SECONDS to connect or wait for a lock)."""
        try:
            with self._transaction() as connection:
                connection.execute(select(1))
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
        with fork.no_fork():
            try:
                yield self
            finally:
                self.close()

    def close(self) -> None:
        """Close the connection, if open (a SQLite file's; a server's go back to the process's pool after each use)."""
        with self._lock:
            try:
                if self._connection is not None:
                    self._connection.close()
            finally:
                self._connection = None
                fork.closed(self)

    def _database_at(self) -> Database:
        if self._database is None:
            self._database = Database.at(self.location, self.keep_connections)
        return self._database

    @contextmanager
    def _transaction(self, immediate: bool = False, one_read: bool = False) -> Iterator[Connection]:
        """A transaction, committed at the end of the block; database errors become RecordsUnavailable.

        Parameters
        ----------
        immediate
            On SQLite, take the write lock at the start (for a read that decides a write).
        one_read
            The block runs one SELECT: on SQLite it is its own transaction, without BEGIN and COMMIT
            (two statements more than the read itself, at every status read).
        """
        database = self._database_at()
        path = database.sqlite_path
        if path is None:
            try:
                with ready_engine(database).begin() as connection:
                    yield connection
            except DATABASE_ERRORS as e:
                raise database.unavailable(e) from e
            return
        if fork.open_in_parent(str(path)):
            raise RecordsUnavailable(fork.FORKED_WITH_OPEN_CONNECTION % path)
        with self._lock:
            try:
                connection = self._open(database, path)
                mode = "IMMEDIATE" if immediate else SINGLE_STATEMENT if one_read else "DEFERRED"
                connection.execution_options(**{SQLITE_BEGIN: mode})
                with connection.begin():
                    yield connection
            except DATABASE_ERRORS as e:
                self.close()
                raise database.unavailable(e) from e

    def _open(self, database: Database, path: Path) -> Connection:
        if self._connection is None:
            # From here until close() returns, SQLite holds state of this file that a fork must not copy.
            fork.opening(self, str(path))
            try:
                self._connection = ready_engine(database).connect()
            except BaseException:
                self.close()
                raise
        return self._connection

    @staticmethod
    def _get(connection: Connection, task_id: str) -> TaskRecord:
        row = connection.execute(TASK_BY_ID, {"task_id": task_id}).mappings().first()
        if row is None:
            raise RecordNotFound(f"no task {task_id!r}")
        return to_record(row)
