"""The task queue against real, private brokers: a Redis and a RabbitMQ node."""

import json
import time
from typing import Any, Iterator

import pytest
from kombu import Connection

from proxyservice.config import Settings
from proxyservice.services.task_queue import QueueUnavailable, TaskQueue
from tests.e2e.conftest import BROKERS
from tests.support import BrokerServer, broker_server, wait_until


@pytest.fixture(scope="module", params=BROKERS)
def broker(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerServer]:
    server = broker_server(request.param, tmp_path_factory.mktemp(request.param))
    yield server
    server.stop()


def queue_for(url: str) -> TaskQueue:
    return TaskQueue(Settings.from_environ({}, BROKER_URL=url))


def take_one(url: str) -> Any:
    """The next message in the tasks' queue, taken off it, as a worker would see it."""
    with Connection(url) as connection:
        message = connection.default_channel.basic_get("celery", no_ack=True)
        assert message is not None, "a message waits"
        return message


class TestSend:
    """Jobs reach the broker under their task id."""

    def test_a_job_is_queued_for_the_workers(self, broker: BrokerServer) -> None:
        queue = queue_for(broker.url)
        before = queue.length()
        queue.send("task-1", "html_preview::HTMLPreview", "m:f", ["a", 1])
        # AMQP publishes without waiting: the count, asked on another connection, may lag a moment.
        wait_until(lambda: queue.length() == before + 1, 5, "the queue to count the task")
        for _ in range(before):
            take_one(broker.url)
        message = take_one(broker.url)
        assert message.headers["id"] == "task-1" and message.headers["task"] == "proxyservice.run_plugin_job"
        assert json.loads(message.body)[0] == ["task-1", "html_preview::HTMLPreview", "m:f", ["a", 1]]
        assert queue.length() == 0

    def test_no_worker_answers_when_none_runs(self, broker: BrokerServer) -> None:
        queue = queue_for(broker.url)
        assert queue.is_available()
        assert queue.workers_answering(0.3) == []


class TestForgotItsTasks:
    """The broker is asked whether it lost what it held, by a marker message of the service's."""

    def test_a_plain_restart_forgets_on_redis_and_keeps_on_rabbitmq(self, broker: BrokerServer) -> None:
        queue = queue_for(broker.url)
        queue.forgot_its_tasks()  # a broker never seen before: the marker is put there
        assert queue.forgot_its_tasks() is False, "nothing lost since"
        queue.send("waiting", "p::P", "m:f", [])
        broker.restart()
        kept = broker.kind == "rabbitmq"  # durable queues, persistent messages
        assert queue.forgot_its_tasks() is not kept
        assert (queue.length() >= 1) is kept, "the waiting task is there only if the broker kept it"

    def test_a_restart_without_data_forgets_on_both(self, broker: BrokerServer) -> None:
        queue = queue_for(broker.url)
        queue.forgot_its_tasks()
        broker.restart_without_data()
        assert queue.forgot_its_tasks() is True
        assert queue.forgot_its_tasks() is False, "the marker is back"


class TestBrokerDown:
    """The broker stops: the queue says so quickly, and recovers when it is back."""

    def test_send_fails_fast_and_works_again_after_a_restart(self, broker: BrokerServer) -> None:
        queue = queue_for(broker.url)
        queue.send("before", "p::P", "m:f", [])
        broker.stop()

        started = time.monotonic()
        with pytest.raises(QueueUnavailable, match="unreachable"):
            queue.send("during", "p::P", "m:f", [])
        assert not queue.is_available()
        with pytest.raises(QueueUnavailable):
            queue.length()
        with pytest.raises(QueueUnavailable):
            queue.forgot_its_tasks()
        assert time.monotonic() - started < 3

        broker.start()
        queue.send("after", "p::P", "m:f", [])  # the same queue object reconnects
        assert queue.is_available()
