"""The task queue against a real, private Redis."""

import json
import time
from pathlib import Path
from typing import Iterator

import pytest
import redis

from proxyservice.config import Settings
from proxyservice.services.task_queue import QueueUnavailable, TaskQueue
from tests.support import RedisServer


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def queue_for(url: str) -> TaskQueue:
    return TaskQueue(Settings.from_environ({}, REDIS_URL=url))


class TestSend:
    """Jobs reach the broker under their task id."""

    def test_a_job_is_queued_for_the_workers(self, broker: RedisServer) -> None:
        queue_for(broker.url).send("task-1", "html_preview::HTMLPreview", "m:f", ["a", 1])
        messages = redis.Redis(port=broker.port).lrange("celery", 0, -1)
        assert len(messages) == 1
        headers = json.loads(messages[0])["headers"]
        assert headers["id"] == "task-1" and headers["task"] == "proxyservice.run_plugin_job"

    def test_no_worker_answers_when_none_runs(self, broker: RedisServer) -> None:
        queue = queue_for(broker.url)
        assert queue.is_available()
        assert queue.workers_answering(0.3) == []


class TestBrokerDown:
    """The broker stops: the queue says so quickly, and recovers when it is back."""

    def test_send_fails_fast_and_works_again_after_a_restart(self, broker: RedisServer) -> None:
        queue = queue_for(broker.url)
        queue.send("before", "p::P", "m:f", [])
        broker.stop()

        started = time.monotonic()
        with pytest.raises(QueueUnavailable, match="unreachable"):
            queue.send("during", "p::P", "m:f", [])
        assert not queue.is_available()
        assert time.monotonic() - started < 3

        broker.start()
        queue.send("after", "p::P", "m:f", [])  # the same queue object reconnects
        assert queue.is_available()
