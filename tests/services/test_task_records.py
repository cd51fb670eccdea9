"""Task records in a real SQLite file."""

import os
import threading
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


def wait_for_child(pid: int) -> int:
    """The exit code of a forked child."""
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


class TestFork:
    """A worker forks a pool child while another of its threads reads the records (the recovery thread)."""

    def test_a_child_forked_during_a_read_finishes_a_task_every_process_sees(self, tmp_path: Path) -> None:
        db = tmp_path / "t.db"
        setup = TaskRecords(db)
        setup.put(record())
        setup.close()
        reading, forked = threading.Event(), threading.Event()

        def recovery() -> None:
            with TaskRecords(db).no_fork_while_open() as records:
                records.in_state(TaskState.QUEUED)
                reading.set()
                # Keeps the connection open past the fork below unless the fork
                # waits for this block; the outcome does not depend on the time.
                forked.wait(0.5)

        thread = threading.Thread(target=recovery)
        thread.start()
        reading.wait()
        started_read, started_write = os.pipe()
        go_read, go_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the pool child: starts the task, then finishes it once the web app has looked
            code = 1
            try:
                os.close(started_read)
                os.close(go_write)
                child = TaskRecords(db)
                child.mark_started("t1")
                os.write(started_write, b"s")
                os.read(go_read, 1)
                child.mark_finished("t1", TaskState.SUCCEEDED)
                child.close()
                code = 0
            finally:
                os._exit(code)
        forked.set()
        thread.join()
        os.close(started_write)
        os.close(go_read)
        assert os.read(started_read, 1) == b"s", "the child started the task"
        # The web app reads and closes: the last connection it knows of, so it
        # deletes the WAL unless the child really holds its lock.
        web = TaskRecords(db)
        assert web.get("t1").state is TaskState.IN_PROGRESS
        web.close()
        os.write(go_write, b"g")
        os.close(go_write)
        os.close(started_read)
        assert wait_for_child(pid) == 0
        after = TaskRecords(db)
        assert after.get("t1").state is TaskState.SUCCEEDED
        after.close()

    def test_a_child_forked_with_a_connection_open_refuses_the_records(self, tmp_path: Path) -> None:
        db = tmp_path / "t.db"
        parent = TaskRecords(db)
        parent.put(record())  # and left open across the fork
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:
            message = b"no error"
            try:
                os.close(reader)
                TaskRecords(db).get("t1")
            except RecordsUnavailable as e:
                message = str(e).encode()
            finally:
                os.write(writer, message)
                os._exit(0)
        os.close(writer)
        with os.fdopen(reader, "rb") as pipe:
            message = pipe.read().decode()
        assert wait_for_child(pid) == 0
        parent.close()
        assert message.startswith(f"this process was forked while {db} was open in its parent")
        assert TaskRecords(db).get("t1") == record(), "the parent's records are untouched"


class TestClaim:
    """Of many requests for the same task at once, exactly one claims it."""

    def test_only_while_the_task_is_not_queued_or_under_way(self, tmp_path: Path) -> None:
        from datetime import datetime, timezone

        from proxyservice.domain import TaskRecord, TaskState

        records = TaskRecords(tmp_path / "tasks.sqlite3")
        record = TaskRecord("t1", "f" * 64, "html_preview::HTMLPreview", TaskState.QUEUED,
                            datetime.now(timezone.utc), "m:f", ("a",))
        assert records.claim(record) is True
        assert records.claim(record) is False, "queued: claimed already"
        records.mark_started("t1")
        assert records.claim(record) is False, "under way: claimed already"
        records.mark_finished("t1", TaskState.FAILED, error="boom")
        assert records.claim(record) is True, "finished: may run again"
        assert records.get("t1").state is TaskState.QUEUED and records.get("t1").error is None

    def test_threads_and_processes_racing_claim_once(self, tmp_path: Path) -> None:
        import multiprocessing
        from concurrent.futures import ThreadPoolExecutor

        path = tmp_path / "tasks.sqlite3"
        TaskRecords(path).is_available()  # the schema, before the race
        context = multiprocessing.get_context("spawn")
        with context.Pool(4) as pool:
            claimed = pool.map(_claim_in_a_process, [str(path)] * 8)
        with ThreadPoolExecutor(8) as threads:
            claimed += list(threads.map(lambda _: _claim_in_a_process(str(path)), range(16)))
        assert claimed.count(True) == 1


def _claim_in_a_process(path: str) -> bool:
    from datetime import datetime, timezone

    from proxyservice.domain import TaskRecord, TaskState

    records = TaskRecords(Path(path))
    try:
        return records.claim(TaskRecord("race", "f" * 64, "p::P", TaskState.QUEUED, datetime.now(timezone.utc)))
    finally:
        records.close()
