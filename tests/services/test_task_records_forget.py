"""A file is deleted: the records forget it whole, on SQLite, PostgreSQL and in memory."""

from dataclasses import replace
from datetime import timedelta
from typing import Any

from proxyservice.domain import TaskState
from proxyservice.domain.file_query import FileQuery
from tests.services.test_task_records import record
from tests.services.test_task_records_files import FILE, book  # noqa: F401  (the records fixture, every kind)

OTHER = "0" * 64


class TestForgetFile:
    """Its metadata, its index entries, its tasks and their callbacks go; another file's stay."""

    def test_everything_of_the_file_goes(self, book: Any) -> None:
        book.put_metadata(FILE, "file", {"name": "report.pdf", "size": 1})
        book.put_metadata(OTHER, "file", {"name": "report-2.pdf", "size": 2})
        book.put(replace(record("done", TaskState.SUCCEEDED), file_id=FILE))
        book.put(replace(record("running", TaskState.IN_PROGRESS), file_id=FILE))
        book.put(replace(record("theirs"), file_id=OTHER))
        book.add_callback("running", "http://example.test/hook")

        assert book.forget_file(FILE) is True

        assert book.metadata_of(FILE) == {}
        assert book.tasks_of(FILE) == []
        assert book.find("running") is None and book.find("done") is None
        assert book.take_callbacks("running") == []
        listed = book.files(FileQuery(name="report"))
        assert [file.file_id for file in listed.files] == [OTHER], "its name is no longer found"
        assert [r.task_id for r in book.tasks_of(OTHER)] == ["theirs"]

    def test_a_second_call_finds_nothing(self, book: Any) -> None:
        book.put_metadata(FILE, "file", {"size": 1})
        assert book.forget_file(FILE) is True
        assert book.forget_file(FILE) is False

    def test_a_file_with_tasks_only_is_known(self, book: Any) -> None:
        book.put(replace(record("queued"), file_id=FILE))
        assert book.forget_file(FILE) is True
        book.put(replace(record("queued"), file_id=FILE, submitted=record("x").submitted + timedelta(seconds=1)))
        assert [r.task_id for r in book.tasks_of(FILE)] == ["queued"], "the file may be ingested again"
