"""Sending jobs to the workers, and asking whether broker and workers are there."""

import json
import logging
from typing import Any, Sequence

import redis
from celery import Celery
from flask import Flask
from kombu.exceptions import OperationalError

from ...config import Settings
from ..context import init_settings, session_on_g
from .celery_config import CONVERTER_STATUS, QUEUE, RUN_PLUGIN_JOB, UNACKED, celery_config
from .errors import QueueUnavailable

logger = logging.getLogger(__name__)

# A send that meets a stale connection reconnects once; a broker that is down
# is reported after about BROKER_TIMEOUT, never after a long hang.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}


class TaskQueue:
    """Celery, as the web app uses it: to send jobs and to look at the workers.

    Parameters
    ----------
    settings
        Which broker, and how long to wait for it.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.celery = Celery("proxyservice-sender")
        self.celery.conf.update(celery_config(settings))

    @staticmethod
    def init_app(app: Flask) -> None:
        """Make sure ``app`` has settings for the queue."""
        init_settings(app)

    @classmethod
    def current_session(cls) -> "TaskQueue":
        """The queue of the current application context; one per process and settings."""
        return session_on_g("task_queue", _shared_queue)

    def send(self, task_id: str, plugin: str, job: str, args: Sequence[Any]) -> None:
        """Send one plugin job to the workers under a given task id.

        Raises
        ------
        QueueUnavailable
            The broker could not be reached in time.
        """
        try:
            self.celery.send_task(
                RUN_PLUGIN_JOB,
                args=[task_id, plugin, job, list(args)],
                task_id=task_id,
                retry=True,
                retry_policy=PUBLISH_RETRY_POLICY,
            )
        except (OperationalError, redis.RedisError, OSError) as e:
            raise QueueUnavailable(f"cannot send task {task_id}: the broker is unreachable ({e})") from e

    def length(self) -> int:
        """How many tasks wait in the queue.

        Raises
        ------
        QueueUnavailable
            The broker could not be reached.
        """
        with self._client() as client:
            try:
                return int(client.llen(QUEUE))
            except (redis.RedisError, OSError) as e:
                raise QueueUnavailable(f"cannot read the queue's length: {e}") from e

    def held_ids(self) -> set[str]:
        """Ids of every task the broker holds: waiting, or taken and not yet acked.

        Raises
        ------
        QueueUnavailable
            The broker could not be reached.
        """
        held: set[str] = set()
        with self._client() as client:
            try:
                for raw in client.lrange(QUEUE, 0, -1):
                    held.add(json.loads(raw)["headers"]["id"])
                for raw in client.hvals(UNACKED):
                    held.add(json.loads(raw)[0]["headers"]["id"])
            except (redis.RedisError, OSError) as e:
                raise QueueUnavailable(f"cannot read the queue: {e}") from e
            except (ValueError, KeyError, IndexError, TypeError) as e:
                logger.warning("a message in the queue is not a task of ours: %s", e)
        return held

    def _client(self) -> "redis.Redis":
        seconds = self.settings.BROKER_TIMEOUT
        return redis.Redis.from_url(self.settings.REDIS_URL, socket_connect_timeout=seconds, socket_timeout=max(seconds, 5.0))

    def is_available(self, timeout: float | None = None) -> bool:
        """Whether the broker answers a ping within ``timeout`` seconds."""
        seconds = timeout or self.settings.BROKER_TIMEOUT
        client = redis.Redis.from_url(
            self.settings.REDIS_URL, socket_connect_timeout=seconds, socket_timeout=seconds
        )
        try:
            return bool(client.ping())
        except (redis.RedisError, OSError) as e:
            logger.warning("broker %s unreachable: %s", self.settings.REDIS_URL, e)
            return False
        finally:
            client.close()

    def workers_answering(self, timeout: float | None = None) -> list[str]:
        """Names of workers answering a ping within ``timeout`` seconds; stops at the first."""
        seconds = timeout or self.settings.BROKER_TIMEOUT
        try:
            replies = self.celery.control.ping(timeout=seconds, limit=1) or []
        except (OperationalError, redis.RedisError, OSError) as e:
            logger.warning("cannot ping workers: %s", e)
            return []
        return sorted(name for reply in replies for name in reply)

    def converter_status(self, timeout: float | None = None) -> tuple[str, dict[str, Any]] | None:
        """The first worker to answer within ``timeout`` seconds, with its converters' state; ``None`` if none did."""
        seconds = timeout or self.settings.BROKER_TIMEOUT
        try:
            replies = self.celery.control.broadcast(CONVERTER_STATUS, reply=True, timeout=seconds, limit=1) or []
        except (OperationalError, redis.RedisError, OSError) as e:
            logger.warning("cannot ask workers for their converters: %s", e)
            return None
        for reply in replies:
            for name, status in reply.items():
                if isinstance(status, dict):
                    return name, status
        return None


_QUEUES: dict[Settings, TaskQueue] = {}


def _shared_queue(settings: Settings) -> TaskQueue:
    # A Celery app holds a connection pool: keep one per process, not per request.
    if settings not in _QUEUES:
        _QUEUES[settings] = TaskQueue(settings)
    return _QUEUES[settings]
