"""Workers on several hosts sweep at once for the tasks a broker lost (``recover_lost_tasks``) over shared records."""

import multiprocessing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from proxyservice.config import Settings
from proxyservice.domain import TaskRecord, TaskState
from proxyservice.services.task_records import TaskRecords
from tests.conftest import TEST_SECRET, UNREACHABLE_REDIS

SWEEPERS = 4


def task(task_id: str, state: TaskState, age: timedelta) -> TaskRecord:
    then = datetime.now(timezone.utc) - age
    return TaskRecord(task_id, "f" * 64, "p::P", state, then, "m:f", (task_id,),
                      started=then if state is TaskState.IN_PROGRESS else None)


@pytest.fixture(params=["sqlite", "postgresql"])
def settings_of_every_host(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    """The settings each worker is started with: records in one shared database."""
    url = request.getfixturevalue("postgres_databases")() if request.param == "postgresql" else ""
    return {"DATA_DIR": tmp_path / "data", "DATABASE_URL": url, "REDIS_URL": UNREACHABLE_REDIS,
            "AUTH_SECRET": TEST_SECRET}


class TestSweepersAtOnce:
    """Redis came back empty; four workers sweep at the same moment."""

    def test_each_lost_task_is_sent_again_by_exactly_one_worker(self, settings_of_every_host: dict[str, Any]) -> None:
        records = TaskRecords(Settings.from_environ({}, **settings_of_every_host).database_url)
        lost = [f"lost-{n}" for n in range(30)]
        for n, task_id in enumerate(lost):
            records.put(task(task_id, TaskState.IN_PROGRESS if n % 3 == 0 else TaskState.QUEUED, timedelta(hours=1)))
        records.put(task("held", TaskState.QUEUED, timedelta(hours=1)))  # the broker still has this one
        records.put(task("done", TaskState.SUCCEEDED, timedelta(hours=1)))
        records.close()
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(SWEEPERS) as pool:
            barrier = manager.Barrier(SWEEPERS, timeout=120)
            swept = pool.starmap(_sweep_as_a_worker, [(settings_of_every_host, barrier)] * SWEEPERS)
        sent = [task_id for one in swept for task_id in one]
        assert sorted(sent) == sorted(lost), "each lost task sent once, by one worker"
        assert all(records.get(task_id).state is TaskState.QUEUED for task_id in lost)
        assert records.get(task_id="done").state is TaskState.SUCCEEDED


def _sweep_as_a_worker(overrides: dict[str, Any], barrier: Any) -> list[str]:
    """One worker's sweep against a broker that holds one task only; the ids it sent."""
    from proxyservice import tasks
    from proxyservice.factory import create_web_app
    from proxyservice.services.task_queue import InMemoryTaskQueue

    app = create_web_app(Settings.from_environ({}, **overrides), serve_http=False)
    broker = InMemoryTaskQueue()
    broker.send("held", "p::P", "m:f", ["held"])
    with mock.patch.object(tasks, "TaskQueue") as seam, app.app_context():
        seam.current_session.return_value = broker
        TaskRecords.current_session().is_available()  # connected and migrated before the race
        barrier.wait()
        returned = tasks.recover_lost_tasks()
    sent = [task_id for task_id, _, _, _ in broker.sent[1:]]
    assert returned == sent
    return sent
