"""The sweep for lost tasks: one worker at a time, at start and every RECOVERY_INTERVAL, sends them again.

Lost tasks are those whose worker died (their lease lapsed) and, when the
broker restarted without its data, those that were queued in it.
"""

import logging
import os
import socket
import time
import uuid
from datetime import timedelta

from ..container import Services
from ..domain import TaskState
from ..process.recovery import SETTLE, lost_tasks
from ..services.task_queue import QueueError
from ..services.task_records import TaskRecordsError

logger = logging.getLogger(__name__)

RECOVERY_LOCK = "recovery"
"""The records' lock that gives one worker at a time the recovery sweep."""


def recover_lost_tasks(sweeper: str, services: Services) -> list[str] | None:
    """Send again the tasks that were lost; return their ids, or ``None`` when another sweeper holds the turn.

    One sweeper at a time, across all workers on all
    hosts, holds the records' recovery lock, for RECOVERY_INTERVAL at a time,
    and keeps it while it sweeps. Lost tasks are those whose worker died
    (their lease lapsed) and, when the broker restarted without its data,
    those that were queued in it. The records give each to one sweeper
    (:meth:`TaskRecords.claim_lost`), so none is sent twice.

    Parameters
    ----------
    sweeper
        Who sweeps: this worker process, named uniquely.
    settings
        RECOVERY_INTERVAL: how long the turn is held.
    """
    queue, settings = services.queue, services.settings
    # This runs in the worker's main process while billiard forks pool children:
    # a child forked with a records connection open here loses its writes (see
    # TaskRecords.no_fork_while_open). The connection is closed before the broker is asked.
    with services.records.no_fork_while_open() as records:
        if not records.take_lock(RECOVERY_LOCK, sweeper, timedelta(seconds=settings.RECOVERY_INTERVAL)):
            return None
    broker_forgot = queue.forgot_its_tasks()
    with services.records.no_fork_while_open() as records:
        lapsed = records.lapsed()
        queued = records.in_state(TaskState.QUEUED) if broker_forgot else []
    lost = lost_tasks(queued, lapsed, broker_forgot)
    if not lost:
        return []
    with services.records.no_fork_while_open() as records:
        # Only those still as read (a task that finished meanwhile is not run again),
        # and not sent again by another worker within the settling time.
        taken = records.claim_lost(lost, SETTLE)
    orphans = {record.task_id for record in lapsed}
    for record in taken:
        why = "its worker died" if record.task_id in orphans else "the broker lost it"
        logger.warning("task %s: %s; sending it again", record.task_id, why)
        queue.send(record.task_id, record.plugin, record.job, list(record.args))
    return [record.task_id for record in taken]


def recover_forever(services: Services) -> None:
    """Sweep for lost tasks, and for what killed workers left half-made, every RECOVERY_INTERVAL; never returns."""
    settings = services.settings
    sweeper = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
    first = True
    while True:
        try:
            sent = recover_lost_tasks(sweeper, services)
            if first:
                done = "another worker holds the turn" if sent is None else f"{len(sent)} task(s) sent again"
                logger.info("lost-task recovery: first sweep done (%s); sweeping every %d s", done,
                            settings.RECOVERY_INTERVAL)
        except (QueueError, TaskRecordsError) as e:
            logger.warning("cannot recover lost tasks now: %s", e)
        first = False
        # What a killed worker left half-made: no task runs longer than its hard limit.
        services.store.sweep_temp(older_than=settings.TASK_TIME_LIMIT)
        time.sleep(settings.RECOVERY_INTERVAL)
