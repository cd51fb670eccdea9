"""The Prometheus exposition of the web app: its processes' metrics and the queue's length."""

from http import HTTPStatus

from ..container import Services
from ..services.metrics import CONTENT_TYPE, QueueLength, exposition
from . import Response


def metrics(services: Services) -> Response:
    """Every metric of the web processes, with the broker's queue length asked now."""
    queue = services.queue
    return exposition(QueueLength(queue.length)), HTTPStatus.OK, {"Content-Type": CONTENT_TYPE,
                                                                   "Cache-Control": "no-store"}
