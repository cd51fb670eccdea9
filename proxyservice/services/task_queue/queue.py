"""Sending jobs to the workers, and asking whether broker and workers are there.

Everything here goes through kombu's own calls (connect, declare a queue,
publish), so any broker Celery supports works the same: Redis or RabbitMQ.
"""

import logging
from contextlib import contextmanager
from functools import cached_property
from typing import Any, Iterator, Sequence

from celery import Celery
from kombu import Connection, Exchange, Producer, Queue
from kombu.entity import PERSISTENT_DELIVERY_MODE as PERSISTENT  # type: ignore[attr-defined]
from kombu.exceptions import OperationalError

from ...config import Settings
from ..context import SettingsService
from ..request_ids import TASK_HEADER, current_request_id
from .celery_config import CONVERTER_STATUS, DELIVER_CALLBACK, QUEUE, RUN_PLUGIN_JOB, celery_config
from .errors import QueueUnavailable

logger = logging.getLogger(__name__)

# A send that meets a stale connection reconnects once; a broker that is down
# is reported after about BROKER_TIMEOUT, never after a long hang.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}

MARKER = Queue("proxyservice.marker", Exchange("proxyservice.marker", type="direct", durable=True),
               routing_key="marker", durable=True, auto_delete=False)
"""A queue holding one message that nobody takes: gone, it says the broker lost what it held."""


class TaskQueue(SettingsService):
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

    @classmethod
    def from_settings(cls, settings: Settings) -> "TaskQueue":
        """The queue of the broker these settings name."""
        return cls(settings)

    def send(self, task_id: str, plugin: str, job: str, args: Sequence[Any]) -> None:
        """Send one plugin job to the workers under a given task id.

        Raises
        ------
        QueueUnavailable
            The broker could not be reached in time.
        """
        try:
            request_id = current_request_id.get()
            self.celery.send_task(
                RUN_PLUGIN_JOB,
                args=[task_id, plugin, job, list(args)],
                task_id=task_id,
                headers={TASK_HEADER: request_id} if request_id else None,
                retry=True,
                retry_policy=PUBLISH_RETRY_POLICY,
            )
        except self._broker_errors as e:
            raise QueueUnavailable(f"cannot send task {task_id}: the broker is unreachable ({e})") from e

    def send_callback(self, task_id: str, url: str) -> None:
        """Have a worker call ``url`` back with the state of the task that ended.

        Raises
        ------
        QueueUnavailable
            The broker could not be reached in time.
        """
        try:
            self.celery.send_task(DELIVER_CALLBACK, args=[task_id, url], retry=True, retry_policy=PUBLISH_RETRY_POLICY)
        except self._broker_errors as e:
            raise QueueUnavailable(f"cannot send the callback of task {task_id}: the broker is unreachable ({e})") from e

    def length(self) -> int:
        """How many tasks wait in the queue.

        Raises
        ------
        QueueUnavailable
            The broker could not be reached.
        """
        # Asked at every ingest: on a connection of the pool the sending uses, kept open between requests.
        # One that fails in any way (the broker restarted since) is dropped, and a new one answers.
        try:
            with self._pooled_channel("read the queue's length") as (connection, channel):
                return _waiting(connection, channel)
        except QueueUnavailable:
            pass
        with self._channel("read the queue's length") as (connection, channel):
            return _waiting(connection, channel)

    def forgot_its_tasks(self) -> bool:
        """Whether the broker lost what it held since this was last asked.

        The broker is asked for :data:`MARKER`'s one message: a broker that
        restarted without its data (a Redis that keeps nothing on disk, a
        RabbitMQ node on a new volume) no longer has it, nor the tasks sent
        before. The marker is put back, so the next call answers for the time
        since this one. A broker never seen before counts as one that forgot.

        Raises
        ------
        QueueUnavailable
            The broker could not be reached.
        """
        with self._channel("ask the broker what it kept") as (_, channel):
            MARKER(channel).declare()
            # Declared again as it is (not passive: Redis calls an empty queue missing), for its count.
            if channel.queue_declare(MARKER.name, durable=True, auto_delete=False).message_count:
                return False
            Producer(channel).publish({"marker": True}, exchange=MARKER.exchange,
                                      routing_key=MARKER.routing_key, delivery_mode=PERSISTENT)
            return True

    def is_available(self, timeout: float | None = None) -> bool:
        """Whether the broker accepts a connection within ``timeout`` seconds."""
        try:
            with self._channel("connect", timeout):
                return True
        except QueueUnavailable as e:
            logger.warning("broker unreachable: %s", e)
            return False

    @cached_property
    def _broker_errors(self) -> tuple[type[BaseException], ...]:
        """What this broker's client raises when the broker is away (redis-py's, py-amqp's…), and kombu's."""
        transport = Connection(self.settings.broker_url)
        return _errors(transport.connection_errors, transport.channel_errors)

    def _seconds(self, timeout: float | None) -> float:
        return timeout or self.settings.BROKER_TIMEOUT

    @contextmanager
    def _channel(self, doing: str, timeout: float | None = None) -> Iterator[tuple[Connection, Any]]:
        """A new connection to the broker and its channel, closed after the block.

        Connects and reads give up after ``timeout`` (BROKER_TIMEOUT); the
        broker's errors in the block become :class:`QueueUnavailable`, saying
        what could not be done.
        """
        seconds = self._seconds(timeout)
        options = {**self.celery.conf.broker_transport_options,
                   "socket_connect_timeout": seconds, "socket_timeout": max(seconds, 5.0)}
        with Connection(self.settings.broker_url, connect_timeout=seconds, transport_options=options) as connection:
            try:
                # Connected here, once: kombu's own first use would retry for seconds.
                connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
                yield connection, connection.default_channel
            except _errors(connection.connection_errors, connection.channel_errors) as e:
                raise QueueUnavailable(f"cannot {doing}: {e}") from e

    @contextmanager
    def _pooled_channel(self, doing: str) -> Iterator[tuple[Connection, Any]]:
        """A connection of the Celery app's pool (connected once, kept) and its channel, for a quick question.

        A connection the broker dropped is connected again once; the broker's
        errors in the block become :class:`QueueUnavailable`, and the broken
        connection is dropped, so the pool's next user connects afresh.
        """
        # app.pool holds Connections (its stubs say Producers: that is app.producer_pool).
        connection: Connection = self.celery.pool.acquire(  # type: ignore[assignment]
            block=True, timeout=self._seconds(None))
        try:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0)
            yield connection, connection.default_channel
        except _errors(connection.connection_errors, connection.channel_errors) as e:
            connection.collect()
            raise QueueUnavailable(f"cannot {doing}: {e}") from e
        finally:
            connection.release()

    def workers_answering(self, timeout: float | None = None) -> list[str]:
        """Names of workers answering a ping within ``timeout`` seconds; stops at the first."""
        seconds = self._seconds(timeout)
        try:
            replies = self.celery.control.ping(timeout=seconds, limit=1) or []
        except self._broker_errors as e:
            logger.warning("cannot ping workers: %s", e)
            return []
        return sorted(name for reply in replies for name in reply)

    def converter_status(self, timeout: float | None = None) -> tuple[str, dict[str, Any]] | None:
        """The first worker to answer within ``timeout`` seconds, with its converters' state; ``None`` if none did."""
        seconds = self._seconds(timeout)
        try:
            replies = self.celery.control.broadcast(CONVERTER_STATUS, reply=True, timeout=seconds, limit=1) or []
        except self._broker_errors as e:
            logger.warning("cannot ask workers for their converters: %s", e)
            return None
        for reply in replies:
            for name, status in reply.items():
                if isinstance(status, dict):
                    return name, status
        return None


def _waiting(connection: Connection, channel: Any) -> int:
    """How many tasks the broker holds in the queue; 0 when it has no such queue (on Redis: an empty one)."""
    try:
        return int(channel.queue_declare(QUEUE, passive=True).message_count)
    except _errors(connection.channel_errors) as e:
        if str(getattr(e, "reply_code", "")) == NOT_FOUND:  # py-amqp's is an int, kombu's a str
            return 0
        raise


def _errors(*groups: Any) -> tuple[type[BaseException], ...]:
    """The errors that mean the broker is unusable: the transport's ``groups``, kombu's, and the socket's."""
    return (*(error for group in groups for error in group), OperationalError, OSError)


NOT_FOUND = "404"
"""The reply code of a passive declaration of a queue the broker does not have (AMQP's, and kombu's for Redis)."""
