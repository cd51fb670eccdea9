"""The Prometheus exposition of the web app: its processes' metrics and the queue's length."""

from http import HTTPStatus

from ..services.metrics import CONTENT_TYPE, QueueLength, exposition
from ..services.task_queue import TaskQueue
from . import Response


def metrics() -> Response:
    """Every metric of the web processes, with the broker's queue length asked now."""
    queue = TaskQueue.current_session()
    return exposition(QueueLength(queue.length)), HTTPStatus.OK, {"Content-Type": CONTENT_TYPE,
                                                                   "Cache-Control": "no-store"}
