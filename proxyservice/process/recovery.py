"""Which queued tasks the broker lost, and so must be sent again."""

from datetime import datetime, timedelta
from typing import Iterable

from ..domain import TaskRecord

SETTLE = timedelta(seconds=3)
"""A record is written just before its task is sent: a younger one may still be on its way."""


def lost_tasks(queued: Iterable[TaskRecord], held: set[str], now: datetime) -> list[TaskRecord]:
    """The queued tasks the broker does not hold: a broker restarted without its data lost them.

    Parameters
    ----------
    queued
        Records in the ``queued`` state.
    held
        Ids of the tasks the broker holds, waiting or taken.
    now
        The current time (UTC).
    """
    return [record for record in queued
            if record.job and record.task_id not in held and now - record.submitted >= SETTLE]
