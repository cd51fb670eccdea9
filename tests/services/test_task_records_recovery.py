"""Workers on several hosts sweep at once for lost tasks (``recover_lost_tasks``) over shared records."""

import multiprocessing
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

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
    """Four workers sweep at the same moment: one holds the turn, and sends each lost task once."""

    @pytest.mark.parametrize("broker_forgot", [True, False], ids=["broker-forgot", "broker-kept"])
    def test_one_sweeps_and_sends_each_lost_task_once(self, settings_of_every_host: dict[str, Any],
                                                      broker_forgot: bool) -> None:
        records = TaskRecords(Settings.from_environ({}, **settings_of_every_host).database_url)
        queued = [f"queued-{n}" for n in range(20)]
        orphans = [f"orphan-{n}" for n in range(10)]  # started, by workers that died: no lease
        for task_id in queued:
            records.put(task(task_id, TaskState.QUEUED, timedelta(hours=1)))
        for task_id in orphans:
            records.put(task(task_id, TaskState.IN_PROGRESS, timedelta(hours=1)))
        records.put(task("running", TaskState.QUEUED, timedelta(hours=1)))
        assert records.start("running", timedelta(minutes=5)) is not None  # a live worker holds it
        records.put(task("done", TaskState.SUCCEEDED, timedelta(hours=1)))
        records.close()
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(SWEEPERS) as pool:
            barrier = manager.Barrier(SWEEPERS, timeout=120)
            swept = pool.starmap(_sweep_as_a_worker, [(settings_of_every_host, barrier, broker_forgot)] * SWEEPERS)
        turns = [one for one in swept if one is not None]
        assert len(turns) == 1, "one sweeper at a time"
        assert sorted(turns[0]) == sorted(orphans + (queued if broker_forgot else [])), "each lost task sent once"
        assert all(records.get(task_id).state is TaskState.QUEUED for task_id in orphans)
        assert records.get("running").state is TaskState.IN_PROGRESS
        assert records.get("done").state is TaskState.SUCCEEDED


def _sweep_as_a_worker(overrides: dict[str, Any], barrier: Any, broker_forgot: bool) -> list[str] | None:
    """One worker's sweep; the ids it sent, or ``None`` when another held the turn."""
    import os

    from proxyservice.container import Services
    from proxyservice.services.task_queue import InMemoryTaskQueue
    from proxyservice.worker.recovery import recover_lost_tasks

    services = Services(Settings.from_environ({}, **overrides))
    broker = InMemoryTaskQueue(forgets=broker_forgot)
    services.queue = broker  # type: ignore[assignment]  # records what it is sent
    services.records.is_available()  # connected and migrated before the race
    barrier.wait()
    returned = recover_lost_tasks(f"worker-{os.getpid()}", services)
    sent = [task_id for task_id, _, _, _ in broker.sent]
    assert returned is None and sent == [] or returned == sent
    return returned
