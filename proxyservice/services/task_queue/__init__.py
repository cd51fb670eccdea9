"""The task queue: sends jobs to the Celery workers through the broker."""

from .celery_config import CONVERTER_STATUS, DELIVER_CALLBACK, RUN_PLUGIN_JOB, celery_config
from .errors import QueueError, QueueUnavailable
from .memory import InMemoryTaskQueue
from .queue import TaskQueue

__all__ = ["TaskQueue", "InMemoryTaskQueue", "QueueError", "QueueUnavailable", "celery_config", "RUN_PLUGIN_JOB", "DELIVER_CALLBACK",
           "CONVERTER_STATUS"]
