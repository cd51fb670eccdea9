"""Task records in a real SQLite file."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from proxyservice.domain import TaskRecord, TaskState
from proxyservice.services.task_records import RecordNotFound, RecordsUnavailable, TaskRecords

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def record(task_id: str = "t1", state: TaskState = TaskState.QUEUED) -> TaskRecord:
    return TaskRecord(task_id, "f" * 64, "html_preview::HTMLPreview", state, NOW, "m:f", ("a", 1))


class TestLifecycle:
    """A task from queued to finished, as another process would read it."""

    def test_a_record_survives_a_new_connection(self, tmp_path: Path) -> None:
        TaskRecords(tmp_path / "t.db").put(record())
        assert TaskRecords(tmp_path / "t.db").get("t1") == record()

    def test_started_then_finished_with_warnings(self, tmp_path: Path) -> None:
        records = TaskRecords(tmp_path / "t.db")
        records.put(record())
        started = records.mark_started("t1")
        assert started.state is TaskState.IN_PROGRESS and started.started is not None
        done = records.mark_finished("t1", TaskState.SUCCEEDED, warnings=("font missing",))
        assert done.state is TaskState.SUCCEEDED and done.warnings == ("font missing",)
        assert done.finished is not None and done.args == ("a", 1)

    def test_in_state_lists_only_that_state(self, tmp_path: Path) -> None:
        records = TaskRecords(tmp_path / "t.db")
        records.put(record("a"))
        records.put(record("b", TaskState.FAILED))
        assert [r.task_id for r in records.in_state(TaskState.QUEUED)] == ["a"]


class TestMissing:
    """Unknown ids and unusable databases."""

    def test_an_unknown_task(self, tmp_path: Path) -> None:
        records = TaskRecords(tmp_path / "t.db")
        assert records.find("nope") is None
        with pytest.raises(RecordNotFound):
            records.get("nope")

    def test_deleted_records_are_gone(self, tmp_path: Path) -> None:
        records = TaskRecords(tmp_path / "t.db")
        records.put(record())
        records.delete("t1")
        assert records.find("t1") is None

    def test_a_database_that_cannot_be_made_is_unavailable(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_text("x")
        records = TaskRecords(tmp_path / "file" / "t.db")
        assert not records.is_available()
        with pytest.raises(RecordsUnavailable):
            records.put(record())
