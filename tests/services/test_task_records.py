"""Task records in a real database: a SQLite file, and PostgreSQL (the machine's; skipped when none answers).

The same scenarios run on both, and on the in-memory twin where it applies.
"""

import gc
import multiprocessing
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import psycopg
import pytest
from sqlalchemy import text

from proxyservice.domain import TaskRecord, TaskState
from proxyservice.process.recovery import SETTLE, lost_tasks
from proxyservice.services.task_records import (
    InMemoryTaskRecords, RecordNotFound, RecordsUnavailable, TaskRecords, migrate,
)
from proxyservice.services.task_records.engines import Database

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
LEASE = timedelta(minutes=5)
"""A lease no test outlives."""
BACKENDS = ["sqlite", "postgresql"]
PASSWORD = "not-a-real-password-7f3a"
UNREACHABLE_POSTGRES = f"postgresql://proxy:{PASSWORD}@127.0.0.1:9/records"  # the discard port: nothing answers

Location = Path | str
"""A SQLite file, or a database URL."""


def record(task_id: str = "t1", state: TaskState = TaskState.QUEUED) -> TaskRecord:
    return TaskRecord(task_id, "f" * 64, "html_preview::HTMLPreview", state, NOW, "m:f", ("a", 1))


def emptied(url: str) -> str:
    """The database at ``url``, migrated and with no records."""
    migrate(url)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DELETE FROM tasks")
        connection.execute("DELETE FROM metadata")
        connection.execute("DELETE FROM metadata_values")
    return url


def location_for(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Location:
    if backend == "sqlite":
        return tmp_path / "t.db"
    return emptied(request.getfixturevalue("postgres_url"))


@pytest.fixture(params=BACKENDS)
def location(request: pytest.FixtureRequest, tmp_path: Path) -> Location:
    """Where one test's records are: a new SQLite file, or the session's PostgreSQL database, emptied."""
    return location_for(request.param, request, tmp_path)


@pytest.fixture(params=[*BACKENDS, "memory"])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Records in each database, and the in-memory twin."""
    if request.param == "memory":
        return InMemoryTaskRecords()
    return TaskRecords(location_for(request.param, request, tmp_path))


class TestLifecycle:
    """A task from queued to finished, as another process would read it."""

    def test_a_record_survives_a_new_connection(self, location: Location) -> None:
        first = TaskRecords(location)
        first.put(record())
        first.close()
        assert TaskRecords(location).get("t1") == record()

    def test_started_then_finished_with_warnings(self, book: Any) -> None:
        book.put(record())
        started = book.start("t1", LEASE)
        assert started.state is TaskState.IN_PROGRESS and started.started is not None
        done = book.mark_finished("t1", TaskState.SUCCEEDED, warnings=("font missing",))
        assert done.state is TaskState.SUCCEEDED and done.warnings == ("font missing",)
        assert done.finished is not None and done.args == ("a", 1)

    def test_in_state_lists_only_that_state_oldest_first(self, book: Any) -> None:
        book.put(TaskRecord("late", "f" * 64, "p::P", TaskState.QUEUED, NOW + timedelta(seconds=1)))
        book.put(record("early"))
        book.put(record("b", TaskState.FAILED))
        assert [r.task_id for r in book.in_state(TaskState.QUEUED)] == ["early", "late"]

    def test_recent_finds_the_newest_first_by_part_of_the_name_in_any_case(self, book: Any) -> None:
        for second, (task_id, name) in enumerate([("a", "Report 2025.html"), ("b", "notes.txt"),
                                                   ("c", "old-report.PDF"), ("d", "100%_done.html")]):
            book.put(TaskRecord(task_id, "f" * 64, "p::P", TaskState.QUEUED, NOW + timedelta(seconds=second),
                                filename=name))
        book.mark_finished("a", TaskState.FAILED, error="boom")
        assert [r.task_id for r in book.recent()] == ["d", "c", "b", "a"]
        assert [r.filename for r in book.recent("REPORT")] == ["old-report.PDF", "Report 2025.html"]
        assert [r.task_id for r in book.recent("report", TaskState.FAILED)] == ["a"]
        assert [r.task_id for r in book.recent(limit=2)] == ["d", "c"]
        # What a user types is text, never a pattern: % and _ match only themselves.
        assert [r.task_id for r in book.recent("%")] == ["d"] == [r.task_id for r in book.recent("_")]
        assert book.recent("no such name") == []

    def test_times_come_back_as_the_same_moments_in_utc(self, location: Location) -> None:
        elsewhere = timezone(timedelta(hours=5, minutes=30))
        TaskRecords(location).put(TaskRecord("t1", "f" * 64, "p::P", TaskState.QUEUED,
                                             datetime(2026, 1, 2, 8, 34, 5, 123456, tzinfo=elsewhere)))
        submitted = TaskRecords(location).get("t1").submitted
        assert submitted == datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
        assert submitted.utcoffset() == timedelta(0)


class TestMissing:
    """Unknown ids and unusable databases."""

    def test_an_unknown_task(self, book: Any) -> None:
        assert book.find("nope") is None
        with pytest.raises(RecordNotFound):
            book.get("nope")
        with pytest.raises(RecordNotFound):
            book.start("nope", LEASE)

    def test_deleted_records_are_gone(self, book: Any) -> None:
        book.put(record())
        book.delete("t1")
        assert book.find("t1") is None

    def test_a_database_that_cannot_be_made_is_unavailable(self, tmp_path: Path) -> None:
        (tmp_path / "file").write_text("x")
        records = TaskRecords(tmp_path / "file" / "t.db")
        assert not records.is_available()
        with pytest.raises(RecordsUnavailable):
            records.put(record())

    def test_a_server_that_does_not_answer_is_unavailable_and_its_password_never_shows(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        records = TaskRecords(UNREACHABLE_POSTGRES)
        assert not records.is_available()
        with pytest.raises(RecordsUnavailable) as raised:
            records.put(record())
        message = str(raised.value)
        assert message.startswith("task records at postgresql+psycopg://proxy:***@127.0.0.1:9/records: ")
        assert "Connection refused" in message
        assert PASSWORD not in message and PASSWORD not in caplog.text

    @pytest.mark.parametrize("url, reason", [
        (f"mysql://proxy:{PASSWORD}@127.0.0.1/records", "names mysql"),
        (f"postgresql://proxy:{PASSWORD}@127.0.0.1:port/records", "is not a database URL"),
        ("sqlite://", "names no SQLite file"),
    ])
    def test_a_url_the_records_cannot_use_says_why_without_its_password(self, url: str, reason: str) -> None:
        records = TaskRecords(url)
        assert not records.is_available()
        with pytest.raises(RecordsUnavailable, match=reason) as raised:
            records.get("t1")
        assert PASSWORD not in str(raised.value)


def wait_for_child(pid: int) -> int:
    """The exit code of a forked child."""
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def in_a_forked_child(work: Callable[[], bytes]) -> bytes:
    """What ``work`` returns, run in a forked child (its error's text if it raises)."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        message = b"no answer"
        try:
            os.close(reader)
            message = work()
        except BaseException as e:
            message = f"{type(e).__name__}: {e}".encode()
        finally:
            os.write(writer, message)
            os._exit(0)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        answer = pipe.read()
    assert wait_for_child(pid) == 0
    return answer


def backend_pid(url: str) -> int:
    """The PostgreSQL server process serving this process's pooled connection to ``url``."""
    with Database.at(url).engine().connect() as connection:
        return int(connection.scalar(text("SELECT pg_backend_pid()")))


class TestFork:
    """A worker forks a pool child while another of its threads reads the records (the recovery thread)."""

    def test_a_child_forked_during_a_read_finishes_a_task_every_process_sees(self, location: Location) -> None:
        setup = TaskRecords(location)
        setup.put(record())
        setup.close()
        reading, forked = threading.Event(), threading.Event()

        def recovery() -> None:
            with TaskRecords(location).no_fork_while_open() as records:
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
                child = TaskRecords(location)
                child.start("t1", LEASE)
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
        web = TaskRecords(location)
        assert web.get("t1").state is TaskState.IN_PROGRESS
        web.close()
        os.write(go_write, b"g")
        os.close(go_write)
        os.close(started_read)
        assert wait_for_child(pid) == 0
        after = TaskRecords(location)
        assert after.get("t1").state is TaskState.SUCCEEDED
        after.close()

    def test_a_child_forked_with_a_sqlite_connection_open_refuses_the_file(self, tmp_path: Path) -> None:
        db = tmp_path / "t.db"
        parent = TaskRecords(db)
        parent.put(record())  # and left open across the fork
        message = in_a_forked_child(lambda: repr(TaskRecords(db).get("t1")).encode()).decode()
        parent.close()
        assert message.startswith(f"RecordsUnavailable: this process was forked while {db} was open in its parent")
        assert TaskRecords(db).get("t1") == record(), "the parent's records are untouched"

    def test_a_child_forked_with_a_pool_open_connects_on_its_own_and_leaves_the_parents(
        self, postgres_databases: Callable[[], str]
    ) -> None:
        url = emptied(postgres_databases())  # a pool of one connection, this test's alone
        parent = TaskRecords(url)
        parent.put(record())
        before = backend_pid(url)

        def child() -> bytes:
            records = TaskRecords(url)
            records.start("t1", LEASE)
            theirs = backend_pid(url)
            gc.collect()  # the parent's pool, let go in the child, must not close the parent's session
            return str(theirs).encode()

        answer = in_a_forked_child(child).decode()
        assert answer.isdigit(), answer
        assert int(answer) != before, "the child used a connection of its own"
        assert backend_pid(url) == before, "the parent's connection is still open and its own"
        assert parent.get("t1").state is TaskState.IN_PROGRESS


class TestClaim:
    """Of many requests for the same task at once, exactly one claims it."""

    def test_only_while_the_task_is_not_queued_or_under_way(self, book: Any) -> None:
        task = TaskRecord("t1", "f" * 64, "html_preview::HTMLPreview", TaskState.QUEUED,
                          datetime.now(timezone.utc), "m:f", ("a",))
        assert book.claim(task) is True
        assert book.claim(task) is False, "queued: claimed already"
        book.start("t1", LEASE)
        assert book.claim(task) is False, "under way: claimed already"
        book.mark_finished("t1", TaskState.FAILED, error="boom")
        assert book.claim(task) is True, "finished: may run again"
        assert book.get("t1").state is TaskState.QUEUED and book.get("t1").error is None

    def test_threads_and_processes_racing_claim_once(self, location: Location) -> None:
        claimed = race(_claim_at_once, location, processes=4, threads=12)
        assert claimed.count(True) == 1


def race(work: Callable[[Location, Any], Any], location: Location, processes: int, threads: int) -> list[Any]:
    """What ``work(location, barrier)`` returns in each of several processes and threads, all let go at once."""
    TaskRecords(location).is_available()  # the schema, before the race
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(processes) as pool:
        barrier = manager.Barrier(processes + threads, timeout=120)
        far = pool.starmap_async(work, [(location, barrier)] * processes)
        with ThreadPoolExecutor(threads) as near:
            results = list(near.map(lambda _: work(location, barrier), range(threads)))
        return list(far.get(timeout=180)) + results


def _claim_at_once(location: Location, barrier: Any) -> bool:
    records = TaskRecords(location)
    try:
        records.is_available()  # connected, so that the claims meet in the database
        barrier.wait()
        return records.claim(TaskRecord("race", "f" * 64, "p::P", TaskState.QUEUED, datetime.now(timezone.utc)))
    finally:
        records.close()


class TestLeases:
    """A worker holds the task it runs; a task delivered again runs only once its holder is gone."""

    def test_a_held_task_is_not_taken_again_until_its_lease_lapses(self, book: Any) -> None:
        book.put(record())
        assert book.start("t1", LEASE) is not None
        assert book.start("t1", LEASE) is None, "delivered again while its worker lives"
        assert book.lapsed() == []
        book.put(record("t2"))
        assert book.start("t2", timedelta(0)) is not None  # a worker whose lease lapsed at once
        assert [r.task_id for r in book.lapsed()] == ["t2"]
        taken_over = book.start("t2", LEASE)
        assert taken_over is not None and taken_over.state is TaskState.IN_PROGRESS

    def test_a_succeeded_task_is_never_run_again_but_a_failed_one_is(self, book: Any) -> None:
        book.put(record())
        book.start("t1", timedelta(0))
        book.mark_finished("t1", TaskState.SUCCEEDED)
        assert book.start("t1", LEASE) is None
        book.put(record("t2"))
        book.start("t2", LEASE)
        book.mark_finished("t2", TaskState.FAILED, error="boom")
        again = book.start("t2", LEASE)
        assert again is not None and again.error is None

    def test_renewing_holds_a_running_task_and_not_a_finished_one(self, book: Any) -> None:
        book.put(record())
        book.start("t1", timedelta(0))
        assert book.renew("t1", LEASE) is True
        assert book.lapsed() == [] and book.start("t1", LEASE) is None
        book.mark_finished("t1", TaskState.SUCCEEDED)
        assert book.renew("t1", LEASE) is False

    def test_a_running_task_renewed_since_the_sweep_read_it_is_not_taken(self, book: Any) -> None:
        book.put(record())
        book.start("t1", timedelta(0))
        read = book.lapsed()
        book.renew("t1", LEASE)  # its worker was only slow
        assert book.claim_lost(read, SETTLE) == []
        assert book.get("t1").state is TaskState.IN_PROGRESS

    def test_held_renews_the_lease_while_the_block_runs(self, location: Location) -> None:
        records = TaskRecords(location)
        records.put(record())
        lease = timedelta(seconds=2)
        records.start("t1", lease)
        with records.held("t1", lease):
            time.sleep(2.5)  # past the first lease: held only if renewed meanwhile
            assert records.lapsed() == []
        records.put(record("t2"))
        records.start("t2", timedelta(seconds=0.5))
        time.sleep(0.6)
        assert [r.task_id for r in records.lapsed()] == ["t2"], "a lease nobody renews lapses"


class TestLocks:
    """A lock with an expiry: one holder at a time, free again once its holder stops renewing it."""

    def test_one_holder_until_it_expires(self, book: Any) -> None:
        assert book.take_lock("recovery", "a", LEASE) is True
        assert book.take_lock("recovery", "b", LEASE) is False
        assert book.take_lock("recovery", "a", timedelta(0)) is True, "its holder keeps it"
        assert book.take_lock("recovery", "b", LEASE) is True, "expired: another takes it"
        assert book.take_lock("other", "a", LEASE) is True, "locks are by name"

    def test_holders_racing_in_threads_and_processes_take_it_once(self, location: Location) -> None:
        taken = race(_lock_at_once, location, processes=4, threads=8)
        assert taken.count(True) == 1


def _lock_at_once(location: Location, barrier: Any) -> bool:
    records = TaskRecords(location)
    try:
        records.is_available()
        barrier.wait()
        return records.take_lock("race", f"{os.getpid()}/{threading.get_ident()}", LEASE)
    finally:
        records.close()


def lost_record(task_id: str, state: TaskState, age: timedelta = timedelta(hours=1)) -> TaskRecord:
    then = datetime.now(timezone.utc) - age
    return TaskRecord(task_id, "f" * 64, "p::P", state, then, "m:f", (task_id,),
                      started=then if state is TaskState.IN_PROGRESS else None)


class TestClaimLost:
    """Sweepers take the tasks the broker lost, to send them again: each task once."""

    def test_queued_and_started_tasks_are_taken_once_as_queued(self, book: Any) -> None:
        for task in (lost_record("q", TaskState.QUEUED), lost_record("s", TaskState.IN_PROGRESS)):
            book.put(task)
        read = book.in_state(TaskState.QUEUED) + book.in_state(TaskState.IN_PROGRESS)
        taken = book.claim_lost(read, SETTLE)
        assert sorted(r.task_id for r in taken) == ["q", "s"]
        assert all(r.state is TaskState.QUEUED and r.started is None for r in taken)
        assert book.get("s").state is TaskState.QUEUED and book.get("s").started is None
        assert book.claim_lost(book.in_state(TaskState.QUEUED), SETTLE) == [], "sent again just now"
        assert len(book.claim_lost(book.in_state(TaskState.QUEUED), timedelta(0))) == 2, "after the settling time"

    def test_a_task_that_changed_since_it_was_read_is_not_taken(self, book: Any) -> None:
        book.put(lost_record("finished", TaskState.IN_PROGRESS))
        book.put(lost_record("forced", TaskState.QUEUED))
        read = book.in_state(TaskState.IN_PROGRESS) + book.in_state(TaskState.QUEUED)
        book.mark_finished("finished", TaskState.SUCCEEDED)
        book.mark_finished("forced", TaskState.FAILED)  # and claimed anew meanwhile:
        assert book.claim(lost_record("forced", TaskState.QUEUED, age=timedelta(0)))
        assert book.claim_lost(read, SETTLE) == []
        assert book.get("finished").state is TaskState.SUCCEEDED

    def test_sweepers_racing_in_threads_and_processes_send_each_lost_task_once(self, location: Location) -> None:
        records = TaskRecords(location)
        ids = [f"lost-{n}" for n in range(40)]
        for n, task_id in enumerate(ids):
            records.put(lost_record(task_id, TaskState.QUEUED if n % 2 else TaskState.IN_PROGRESS))
        records.close()
        swept = race(_sweep_at_once, location, processes=4, threads=4)
        sent = [task_id for one in swept for task_id in one]
        assert sorted(sent) == sorted(ids), "each lost task sent once"


def _sweep_at_once(location: Location, barrier: Any) -> list[str]:
    """One worker's sweep, as ``recover_lost_tasks`` does it, with a broker that forgot everything."""
    records = TaskRecords(location)
    try:
        lost = lost_tasks(records.in_state(TaskState.QUEUED), records.lapsed(), True)
        barrier.wait()
        return [r.task_id for r in records.claim_lost(lost, SETTLE)]
    finally:
        records.close()


class TestCallbacks:
    """URLs to call back when a task ends: one per request that asked, each taken once."""

    def test_added_by_each_request_and_taken_once(self, book: Any) -> None:
        book.put(record())
        book.add_callback("t1", "http://a.example/hook")
        book.add_callback("t1", "http://b.example/hook")
        book.add_callback("other", "http://c.example/hook")
        assert sorted(book.take_callbacks("t1")) == ["http://a.example/hook", "http://b.example/hook"]
        assert book.take_callbacks("t1") == [], "taken already"
        assert book.take_callbacks("other") == ["http://c.example/hook"]


class TestStatusReads:
    """A status read on SQLite is the one SELECT: no BEGIN and COMMIT around it, and it still sees the latest write."""

    def test_a_read_is_one_statement_and_sees_each_write(self, tmp_path: Path) -> None:
        from sqlalchemy import event

        from proxyservice.services.task_records.schema import ready_engine

        records = TaskRecords(tmp_path / "t.db", keep_connections=True)
        records.put(record("t1"))
        said: list[str] = []

        def note(*args: Any) -> None:
            said.append(str(args[2]).split()[0])  # the statement's first word

        engine = ready_engine(Database.at(tmp_path / "t.db", True))
        event.listen(engine, "before_cursor_execute", note)
        try:
            assert records.get("t1").state is TaskState.QUEUED
            assert said == ["SELECT"]
            records.put(record("t1", TaskState.SUCCEEDED))
            assert records.get("t1").state is TaskState.SUCCEEDED
        finally:
            event.remove(engine, "before_cursor_execute", note)
            records.close()
