"""Which tasks were lost: those whose worker died, and the queued ones of a broker that forgot them."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from proxyservice.domain import TaskRecord, TaskState
from proxyservice.process.recovery import lost_tasks

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


def queued(task_id: str, age_seconds: float, job: str = "m:f") -> TaskRecord:
    return TaskRecord(task_id, "f" * 64, "p::P", TaskState.QUEUED, NOW - timedelta(seconds=age_seconds), job)


def started(task_id: str) -> TaskRecord:
    return replace(queued(task_id, 600), state=TaskState.IN_PROGRESS, started=NOW - timedelta(seconds=60))


class TestLostTasks:
    def test_a_broker_that_kept_its_tasks_loses_none_of_the_queued(self) -> None:
        assert lost_tasks([queued("waiting", 60)], [], broker_forgot=False) == []

    def test_a_broker_that_forgot_loses_every_queued_task_even_a_young_one(self) -> None:
        """It says so once: a task left for a later sweep would never be sent again."""
        lost = lost_tasks([queued("sent", 60), queued("just-sent", 0.5)], [], broker_forgot=True)
        assert [r.task_id for r in lost] == ["sent", "just-sent"]

    def test_a_started_task_whose_lease_lapsed_is_lost_whatever_the_broker_kept(self) -> None:
        for forgot in (False, True):
            assert [r.task_id for r in lost_tasks([], [started("orphan")], forgot)] == ["orphan"]

    def test_work_done_in_process_has_nothing_to_send(self) -> None:
        assert lost_tasks([queued("inline", 60, job="")], [], broker_forgot=True) == []
