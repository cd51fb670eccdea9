"""Which tasks the broker lost, and so must be sent again."""

from datetime import datetime, timedelta
from typing import Iterable

from ..domain import TaskRecord

SETTLE = timedelta(seconds=3)
"""A record is written just before its task is sent, and marked started just after a worker took it:
a younger one may still be on its way."""


def lost_tasks(records: Iterable[TaskRecord], held: set[str], now: datetime) -> list[TaskRecord]:
    """The queued or started tasks the broker does not hold: a broker restarted without its data lost them.

    A task a worker runs stays held (taken, not yet acknowledged) until it
    finishes, so a started task the broker does not hold has no worker left:
    it was killed, and the broker forgot it.

    Parameters
    ----------
    records
        Records in the ``queued`` or ``in_progress`` state.
    held
        Ids of the tasks the broker holds, waiting or taken.
    now
        The current time (UTC).
    """
    return [record for record in records
            if record.job and record.task_id not in held and now - (record.started or record.submitted) >= SETTLE]
