"""Callbacks of tasks that ended: each URL that asked is sent the task's status document, signed, once."""

import logging

from ..container import Services
from ..documents import task_body
from ..services.task_queue import QueueError

logger = logging.getLogger(__name__)


def call_back(task_id: str, services: Services) -> None:
    """Send a callback of a task that ended to each URL that asked for one; each is taken once.

    A broker that is down loses the callbacks, not the task's outcome: the
    record keeps it, and ``GET /status/<task_id>`` shows it.
    """
    for url in services.records.take_callbacks(task_id):
        try:
            services.queue.send_callback(task_id, url)
        except QueueError as e:
            logger.warning("task %s: the callback to %s is lost: %s", task_id, url, e)


def deliver_callback(task_id: str, url: str, services: Services) -> None:
    """POST the task's status document to ``url``, signed.

    Raises
    ------
    ProxyServiceError
        Of its family: one that passes (the receiver did not take it, the
        records are away) is tried again later; another (a URL refused) is not.
    """
    services.webhooks.deliver(url, task_body(services.records.get(task_id)))
    logger.info("task %s: called back %s", task_id, url)
