"""Which queued tasks were lost by the broker."""

from datetime import datetime, timedelta, timezone

from proxyservice.domain import TaskRecord, TaskState
from proxyservice.process.recovery import lost_tasks

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc)


def queued(task_id: str, age_seconds: float, job: str = "m:f") -> TaskRecord:
    return TaskRecord(task_id, "f" * 64, "p::P", TaskState.QUEUED, NOW - timedelta(seconds=age_seconds), job)


class TestLostTasks:
    """A queued record the broker does not hold, and old enough to have been sent."""

    def test_only_those_the_broker_does_not_hold(self) -> None:
        records = [queued("held", 60), queued("lost", 60)]
        assert [r.task_id for r in lost_tasks(records, {"held"}, NOW)] == ["lost"]

    def test_a_record_still_on_its_way_is_left_alone(self) -> None:
        assert lost_tasks([queued("fresh", 0.5)], set(), NOW) == []

    def test_work_done_in_process_has_nothing_to_send(self) -> None:
        assert lost_tasks([queued("inline", 60, job="")], set(), NOW) == []
