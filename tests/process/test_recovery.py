"""Which queued or started tasks were lost by the broker."""

from dataclasses import replace
from datetime import datetime, timedelta, timezone

from proxyservice.domain import TaskRecord, TaskState
from proxyservice.process.recovery import lost_tasks

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


def queued(task_id: str, age_seconds: float, job: str = "m:f") -> TaskRecord:
    return TaskRecord(task_id, "f" * 64, "p::P", TaskState.QUEUED, NOW - timedelta(seconds=age_seconds), job)


def started(task_id: str, age_seconds: float) -> TaskRecord:
    return replace(queued(task_id, 600), state=TaskState.IN_PROGRESS, started=NOW - timedelta(seconds=age_seconds))


class TestLostTasks:
    """A record the broker does not hold, and old enough to have been sent or taken."""

    def test_only_those_the_broker_does_not_hold(self) -> None:
        records = [queued("held", 60), queued("lost", 60)]
        assert [r.task_id for r in lost_tasks(records, {"held"}, NOW)] == ["lost"]

    def test_a_record_still_on_its_way_is_left_alone(self) -> None:
        assert lost_tasks([queued("fresh", 0.5)], set(), NOW) == []

    def test_work_done_in_process_has_nothing_to_send(self) -> None:
        assert lost_tasks([queued("inline", 60, job="")], set(), NOW) == []

    def test_a_started_task_whose_message_is_gone_is_lost(self) -> None:
        """Its worker was killed and the broker forgot it: a running task stays held until it is acked."""
        records = [started("running", 60), started("orphan", 60), started("just-taken", 0.5)]
        assert [r.task_id for r in lost_tasks(records, {"running"}, NOW)] == ["orphan"]
