"""Which tasks were lost, and so must be sent again."""

from datetime import timedelta
from typing import Iterable

from ..domain import TaskRecord

SETTLE = timedelta(seconds=3)
"""How long a task sent again is left to reach the broker before another sweep may send it again."""


def lost_tasks(queued: Iterable[TaskRecord], lapsed: Iterable[TaskRecord], broker_forgot: bool) -> list[TaskRecord]:
    """The tasks to send again: those whose worker died, and, if the broker lost what it held, the queued ones.

    A worker renews the lease of the task it runs, so a started task whose
    lease lapsed has no worker left: it was killed. A queued task waits in
    the broker, unless the broker restarted without its data: then every
    queued task is sent again, the young ones too. The broker says it forgot
    once only, and a task sent after its restart and sent again runs once
    all the same (the second delivery finds it held or succeeded).

    Parameters
    ----------
    queued
        Records in the ``queued`` state.
    lapsed
        Records in the ``in_progress`` state whose lease lapsed.
    broker_forgot
        Whether the broker lost what it held since the last sweep.
    """
    waiting = list(queued) if broker_forgot else []
    return [record for record in [*lapsed, *waiting] if record.job]
