"""The task queue: sends jobs to the Celery workers through the broker."""

from .celery_config import CONVERTER_STATUS, RUN_PLUGIN_JOB, celery_config
from .errors import QueueError, QueueUnavailable
from .memory import InMemoryTaskQueue
from .queue import TaskQueue

__all__ = ["TaskQueue", "InMemoryTaskQueue", "QueueError", "QueueUnavailable", "celery_config", "RUN_PLUGIN_JOB",
           "CONVERTER_STATUS"]
