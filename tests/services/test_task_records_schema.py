"""The records' schema: made by migrations at first use or by the migration command, on SQLite and PostgreSQL."""

import logging
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import psycopg
import pytest

from proxyservice.config import Settings
from proxyservice.domain import TaskRecord, TaskState
from proxyservice.services.task_records import RecordsUnavailable, TaskRecords, migrate
from proxyservice.services.task_records.schema import VERSION_TABLE
from tests.support import ROOT

HEAD = "0007"
PASSWORD = "not-a-real-password-c41d"
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
BEFORE_MIGRATIONS = """
CREATE TABLE IF NOT EXISTS tasks (
    task_id   TEXT PRIMARY KEY,
    file_id   TEXT NOT NULL,
    plugin    TEXT NOT NULL,
    state     TEXT NOT NULL,
    submitted TEXT NOT NULL,
    job       TEXT NOT NULL,
    args      TEXT NOT NULL,
    started   TEXT,
    finished  TEXT,
    error     TEXT,
    warnings  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS tasks_by_state ON tasks (state);
INSERT INTO tasks VALUES ('old', 'ffff', 'html_preview::HTMLPreview', 'succeeded', '2025-06-01T10:00:00+00:00',
                          'm:f', '["a", 1]', '2025-06-01T10:00:01+00:00', '2025-06-01T10:00:02.500000+00:00',
                          NULL, '["font missing"]');
"""
"""The file the records made before they had migrations, with one task in it."""


def with_password(url: str) -> str:
    """``url`` with a password in it (the tests' server trusts loopback, so any will do)."""
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{PASSWORD}@")


def revision(url: str) -> str:
    with psycopg.connect(url) as connection:
        rows = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall()
    [(found,)] = rows
    return str(found)


class TestFirstUse:
    """A process's first use of the records brings the schema to the newest migration."""

    def test_a_sqlite_file_made_before_migrations_keeps_its_tasks(self, tmp_path: Path) -> None:
        db = tmp_path / "tasks.sqlite3"
        with sqlite3.connect(db) as connection:
            connection.executescript(BEFORE_MIGRATIONS)
        records = TaskRecords(db)
        old = records.get("old")
        assert (old.state, old.args, old.warnings) == (TaskState.SUCCEEDED, ("a", 1), ("font missing",))
        assert old.filename == ""  # its name was never written; it is still listed, without one
        assert old.finished == datetime(2025, 6, 1, 10, 0, 2, 500000, tzinfo=timezone.utc)
        assert records.in_state(TaskState.SUCCEEDED) == [old]
        records.close()
        with sqlite3.connect(db) as connection:
            assert connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchall() == [(HEAD,)]
            assert "resent" in [row[1] for row in connection.execute("PRAGMA table_info(tasks)")]
            assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)

    def test_the_default_file_is_in_data_dir_whatever_its_name(self, tmp_path: Path) -> None:
        data = tmp_path / "a folder?with %20 in its name"
        settings = Settings.from_environ({}, DATA_DIR=data)
        TaskRecords(settings.database_url).put(TaskRecord("t1", "f" * 64, "p::P", TaskState.QUEUED, NOW))
        assert (data / "tasks.sqlite3").is_file()
        assert TaskRecords(data / "tasks.sqlite3").get("t1").submitted == NOW

    def test_a_schema_newer_than_the_code_is_used_as_it_is(
        self, postgres_databases: Callable[[], str], caplog: pytest.LogCaptureFixture
    ) -> None:
        url = postgres_databases()
        migrate(url)
        with psycopg.connect(url) as connection:
            connection.execute(f"UPDATE {VERSION_TABLE} SET version_num = '9999'")
            connection.execute("ALTER TABLE tasks ADD COLUMN added_by_a_newer_release TEXT")
        with caplog.at_level(logging.WARNING):
            assert migrate(url) == "9999"
        assert f"schema revision 9999 is newer than this code's ({HEAD}); used as it is" in caplog.text
        records = TaskRecords(url)
        records.put(TaskRecord("t1", "f" * 64, "p::P", TaskState.QUEUED, NOW))
        assert records.get("t1").submitted == NOW


class TestConcurrentStarts:
    """Many processes start at once on a new database: each finds the schema made, once."""

    @pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
    def test_eight_processes_migrate_one_new_database(self, backend: str, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
        if backend == "sqlite":
            url = f"sqlite:///{tmp_path / 'new' / 'tasks.sqlite3'}"
        else:
            url = request.getfixturevalue("postgres_databases")()
        context = multiprocessing.get_context("spawn")
        with context.Manager() as manager, context.Pool(8) as pool:
            barrier = manager.Barrier(8, timeout=120)
            available = pool.starmap(_first_use, [(url, barrier)] * 8)
        assert available == [True] * 8
        assert migrate(url) == HEAD
        assert TaskRecords(url).in_state(TaskState.QUEUED) == []


def _first_use(url: str, barrier: Any) -> bool:
    import proxyservice.services.task_records.schema  # noqa: F401  (imported before the start, not during it)

    barrier.wait()
    return TaskRecords(url).is_available()


class TestMigrateCommand:
    """``python -m proxyservice.services.task_records.migrate``, as a deployment's migration Job runs it."""

    def run(self, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "proxyservice.services.task_records.migrate"],
            cwd=ROOT, env={**os.environ, **environment}, capture_output=True, text=True, timeout=60,
        )

    def test_it_migrates_database_url_and_never_prints_its_password(self, postgres_databases: Callable[[], str]) -> None:
        url = with_password(postgres_databases())
        done = self.run({"DATABASE_URL": url})
        assert done.returncode == 0, done.stderr
        assert f"schema at revision {HEAD}" in done.stdout and "postgres:***@127.0.0.1" in done.stdout
        assert PASSWORD not in done.stdout + done.stderr
        assert revision(url) == HEAD
        again = self.run({"DATABASE_URL": url})
        assert again.returncode == 0 and f"schema at revision {HEAD}" in again.stdout

    def test_without_database_url_it_migrates_the_file_in_data_dir(self, tmp_path: Path) -> None:
        done = self.run({"DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": ""})
        assert done.returncode == 0, done.stderr
        assert (tmp_path / "data" / "tasks.sqlite3").is_file()

    def test_a_server_that_does_not_answer_fails_it_without_the_password(self) -> None:
        done = self.run({"DATABASE_URL": f"postgresql://proxy:{PASSWORD}@127.0.0.1:9/records"})
        assert done.returncode == 1
        assert done.stderr.startswith("cannot migrate the task records: task records at "
                                      "postgresql+psycopg://proxy:***@127.0.0.1:9/records:")
        assert PASSWORD not in done.stdout + done.stderr

    def test_the_function_says_the_same(self) -> None:
        with pytest.raises(RecordsUnavailable, match=r"proxy:\*\*\*@127.0.0.1:9") as raised:
            migrate(f"postgresql://proxy:{PASSWORD}@127.0.0.1:9/records")
        assert PASSWORD not in str(raised.value)
