"""The queries that find and take back lost tasks, and the lock that lets one sweeper at a time do it.

Each function runs inside a transaction its caller opened (:class:`.TaskRecords`
opens it), and is given the time to act at, read once the transaction began.
Which rows a live worker holds (:func:`unheld`) is decided by their lease,
which :meth:`.TaskRecords.start` sets and :meth:`.TaskRecords.renew` extends.
The two that may race with another sweeper let the database decide who wins:

- :func:`take_lock`: ``INSERT … ON CONFLICT (name) DO UPDATE … WHERE``
  the lock is this holder's or has expired.
- :func:`claim_lost`: ``SELECT … FOR UPDATE SKIP LOCKED`` on
  PostgreSQL (``BEGIN IMMEDIATE`` on SQLite), then an ``UPDATE`` of the rows
  still as the sweeper read them.
"""

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import ColumnElement, Connection, or_, select, update

from ...domain import TaskRecord, TaskState
from .table import insert_into, locks, tasks, to_record


def unheld(now: datetime) -> ColumnElement[bool]:
    """Rows no live worker holds: not started, or started with a lapsed lease.

    Parameters
    ----------
    now
        The moment a lease must have ended by to count as lapsed.
    """
    return or_(tasks.c.state != TaskState.IN_PROGRESS.value, tasks.c.lease_until.is_(None), tasks.c.lease_until <= now)


def lapsed(connection: Connection, now: datetime) -> list[TaskRecord]:
    """Started tasks no worker holds any more: their lease lapsed (their worker died), oldest first.

    Parameters
    ----------
    connection
        In a transaction.
    now
        The moment a lease must have ended by.
    """
    rows = connection.execute(
        select(tasks)
        .where(tasks.c.state == TaskState.IN_PROGRESS.value,
               unheld(now))
        .order_by(tasks.c.submitted, tasks.c.task_id)
    ).mappings()
    return [to_record(row) for row in rows]


def in_state(connection: Connection, state: TaskState) -> list[TaskRecord]:
    """All records in one state, oldest first.

    Parameters
    ----------
    connection
        In a transaction.
    state
        The state the records are in.
    """
    rows = connection.execute(
        select(tasks).where(tasks.c.state == state.value).order_by(tasks.c.submitted, tasks.c.task_id)
    ).mappings()
    return [to_record(row) for row in rows]


def claim_lost(connection: Connection, lost: Sequence[TaskRecord], settle: timedelta,
               now: datetime) -> list[TaskRecord]:
    """Take, for sending again, those of a batch of lost tasks still as read and not sent again lately.

    The rows are read ``FOR UPDATE SKIP LOCKED`` (PostgreSQL: rows another
    sweeper is taking are left to it); on SQLite the caller's transaction
    holds the write lock from its start (``BEGIN IMMEDIATE``). A task taken
    becomes ``queued`` (a started one is no longer).

    Parameters
    ----------
    connection
        In a transaction that decides the write it makes.
    lost
        Records, as read, of tasks the broker lost or whose worker died, one
        per task: few enough for one statement's bound values.
    settle
        How long a task sent again is left to reach the broker before it may
        be counted lost again.
    now
        The time of the transaction, after it took its locks.

    Returns
    -------
    list[TaskRecord]
        The tasks taken, as they now are: this caller must send them.
    """
    wanted = {record.task_id: record for record in lost}
    rows = connection.execute(
        select(tasks).where(tasks.c.task_id.in_(list(wanted)), unheld(now))
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
    return [replace(record, state=TaskState.QUEUED, started=None) for record in mine]


def take_lock(connection: Connection, name: str, holder: str, hold: timedelta, now: datetime) -> bool:
    """Take or keep the lock ``name`` until ``now + hold``; return whether ``holder`` has it.

    One conditional write (``INSERT … ON CONFLICT (name) DO UPDATE … WHERE``):
    it is taken when free, expired, or already ``holder``'s.

    Parameters
    ----------
    connection
        In a transaction.
    name
        The lock's name: locks are by name.
    holder
        Who takes it, the same at each renewal.
    hold
        How long it is held from ``now`` unless taken again.
    now
        The time of the transaction.
    """
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
