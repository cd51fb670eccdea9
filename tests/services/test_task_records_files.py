"""What the records keep of one file: its metadata by namespace, and its tasks, on SQLite, PostgreSQL and in memory."""

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from proxyservice.domain import TaskState
from proxyservice.services.task_records import InMemoryTaskRecords, TaskRecords
from tests.services.test_task_records import BACKENDS, NOW, location_for, record

FILE = "f" * 64


@pytest.fixture(params=[*BACKENDS, "memory"])
def book(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    if request.param == "memory":
        return InMemoryTaskRecords()
    return TaskRecords(location_for(request.param, request, tmp_path))


class TestMetadata:
    """Plugins store what they read of a file; a reader gets it back by namespace."""

    def test_each_namespace_is_kept_apart_and_read_back_as_stored(self, book: Any) -> None:
        book.put_metadata(FILE, "pdf_thumbnail", {"pages": 12, "title": "Report", "authors": ["Ada"],
                                                  "created": "2026-12-08T10:00:00+00:00", "encrypted": False})
        book.put_metadata(FILE, "file", {"name": "r.pdf", "size": 1024})
        assert book.metadata_of(FILE) == {
            "file": {"name": "r.pdf", "size": 1024},
            "pdf_thumbnail": {"pages": 12, "title": "Report", "authors": ["Ada"],
                              "created": "2026-12-08T10:00:00+00:00", "encrypted": False}}

    def test_storing_again_replaces_those_fields_and_keeps_the_others(self, book: Any) -> None:
        book.put_metadata(FILE, "pdf_thumbnail", {"pages": 12, "title": "Old"})
        book.put_metadata(FILE, "file", {"size": 1})
        book.put_metadata(FILE, "pdf_thumbnail", {"pages": 13, "text_characters": 5})
        assert book.metadata_of(FILE) == {"file": {"size": 1},
                                          "pdf_thumbnail": {"pages": 13, "title": "Old", "text_characters": 5}}

    def test_another_file_has_nothing_and_forgetting_removes_all(self, book: Any) -> None:
        book.put_metadata(FILE, "file", {"size": 1})
        assert book.metadata_of("0" * 64) == {}
        book.forget_metadata(FILE)
        assert book.metadata_of(FILE) == {}

    def test_text_of_any_script_survives(self, book: Any) -> None:
        book.put_metadata(FILE, "html_preview", {"title": "Überblick — 概要 🙂"})
        assert book.metadata_of(FILE)["html_preview"]["title"] == "Überblick — 概要 🙂"


class TestTasksOfAFile:
    """Every task of a file, newest first; none of another file's."""

    def test_newest_first(self, book: Any) -> None:
        book.put(replace(record("old"), file_id=FILE))
        book.put(replace(record("new", TaskState.SUCCEEDED), file_id=FILE, submitted=NOW + timedelta(seconds=1)))
        book.put(replace(record("other"), file_id="0" * 64))
        assert [r.task_id for r in book.tasks_of(FILE)] == ["new", "old"]


def test_postgresql_finds_fields_by_its_gin_index(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """On PostgreSQL the fields are JSONB, and containment is answered from the GIN index."""
    url = str(location_for("postgresql", request, tmp_path))
    TaskRecords(url).put_metadata(FILE, "pdf_thumbnail", {"pages": 12})
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("SET enable_seqscan = off")
        plan = "\n".join(row[0] for row in connection.execute(
            """EXPLAIN SELECT file_id FROM metadata WHERE fields @> '{"pages": 12}'""").fetchall())
        found = connection.execute("""SELECT file_id FROM metadata WHERE fields @> '{"pages": 12}'""").fetchall()
    assert "metadata_fields" in plan and found == [(FILE,)]

