"""Task records in a SQL database: a SQLite file in the data folder by default, PostgreSQL to share them.

The records are the service's own memory of every task: written before a task
is sent, updated by the worker, and still there after a worker restart, a
broker restart or Celery's result expiry. Every change that may race with
another process, on this host or another, is one conditional statement or
one locking transaction, so the database decides who wins:

- :meth:`TaskRecords.claim`: ``INSERT … ON CONFLICT (task_id) DO UPDATE …
  WHERE state NOT IN ('queued', 'in_progress')``; a row was written or not.
- :meth:`TaskRecords.start`: ``UPDATE … WHERE`` no live worker holds the task (its lease).
- :meth:`TaskRecords.take_lock` and :meth:`TaskRecords.claim_lost`: see :mod:`.recovery`,
  which holds the queries of recovery; :mod:`.connection` holds the transactions.
"""

import logging
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator

from sqlalchemy import Connection, bindparam, select, update

from ...domain import TaskRecord, TaskState
from ...config import Settings
from ..context import SettingsService
from . import recovery
from .connection import RecordsConnection
from .errors import RecordNotFound, RecordsUnavailable
from .files import FileRecords
from .table import callbacks, tasks, to_record, upsert

TASK_BY_ID = select(tasks).where(tasks.c.task_id == bindparam("task_id"))
"""The most frequent query (every status read, every ingest), built once: building it cost as much as running it."""

logger = logging.getLogger(__name__)

UNDER_WAY = (TaskState.QUEUED.value, TaskState.IN_PROGRESS.value)
LOST_BATCH = 500
"""Lost tasks taken in one transaction: well under both databases' limits on bound values."""


def utcnow() -> datetime:
    """The current time, in UTC."""
    return datetime.now(timezone.utc)


class TaskRecords(RecordsConnection, FileRecords, SettingsService):
    """The task records in one database.

    Parameters
    ----------
    location
        A SQLite file's path (made, with its folder, on first use), or a
        database URL: ``postgresql://user:password@host/db`` or ``sqlite:///path``.
        The schema is brought to the newest migration when a process first uses it.
    """


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
        wanted = list({record.task_id: record for record in lost}.values())
        taken: list[TaskRecord] = []
        for start in range(0, len(wanted), LOST_BATCH):
            with self._transaction(immediate=True) as connection:
                taken += recovery.claim_lost(connection, wanted[start:start + LOST_BATCH], settle, utcnow())
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
        found = self.find(task_id)
        if found is None:
            raise RecordNotFound(f"no task {task_id!r}")
        return found

    def find(self, task_id: str) -> TaskRecord | None:
        """Return the record of a task, or ``None`` when there is none (the most frequent read: one SELECT)."""
        with self._transaction(one_read=True) as connection:
            row = connection.execute(TASK_BY_ID, {"task_id": task_id}).mappings().first()
        return None if row is None else to_record(row)

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
                       recovery.unheld(now))
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
            return recovery.lapsed(connection, utcnow())

    def take_lock(self, name: str, holder: str, hold: timedelta) -> bool:
        """Take or keep the lock ``name`` for ``hold`` from now; return whether ``holder`` has it.

        It is taken when free, expired, or already ``holder``'s: of many
        callers on any hosts, one holds it at a time, and a holder that died
        leaves it free once it expires.
        """
        with self._transaction() as connection:
            return recovery.take_lock(connection, name, holder, hold, utcnow())

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
            return recovery.in_state(connection, state)

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

    @staticmethod
    def _get(connection: Connection, task_id: str) -> TaskRecord:
        row = connection.execute(TASK_BY_ID, {"task_id": task_id}).mappings().first()
        if row is None:
            raise RecordNotFound(f"no task {task_id!r}")
        return to_record(row)
