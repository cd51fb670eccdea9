"""An ingest keeps a file's own facts and what its metadata plugins read, checked against their schemas."""

import tempfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest

from proxyservice.domain import FileInfo, ProxySize, SourceFile, TaskState
from proxyservice.errors import ResourceUnavailable
from proxyservice.plugins.api import MetadataPlugin
from proxyservice.process.ingest import ingest_file
from proxyservice.services.task_queue import InMemoryTaskQueue
from proxyservice.services.task_records import InMemoryTaskRecords
from tests.process.test_ingest import HTML, Proxies

FILE_ID = "c" * 64
NOTES = Path(tempfile.gettempdir()) / "proxyservice-test-notes.csv"
"""The file the ingest is told of: a metadata plugin reads files that are there."""
SOURCE = SourceFile(FILE_ID, str(NOTES), 42, "text/csv", ProxySize(400, 300), sha256="d" * 64,
                    modified=datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc))


@pytest.fixture(autouse=True)
def notes() -> Iterator[None]:
    NOTES.write_text("a,b,c\n")
    yield
    NOTES.unlink(missing_ok=True)


class CsvFacts(MetadataPlugin):
    """Reads the header line of a CSV file (here: from the file's name, for the test)."""

    NAMESPACE = "csv_facts"
    MIMETYPES = frozenset({"text/csv"})
    SCHEMA = [{"name": "columns", "prompt": "Columns", "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "header", "prompt": "Header", "value": {"datatype": "List", "items": "String"}}]
    given: Mapping[str, Any] = {"columns": 3, "header": ["a", "b", "c"]}

    def extract(self, fileinfo: FileInfo) -> Mapping[str, Any]:
        return self.given


class Lying(CsvFacts):
    given = {"columns": "three", "header": ["a"], "colour": "red"}


CSV = ("csv_facts::CsvFacts", CsvFacts)


class TestAMetadataPlugin:
    """A synchronous metadata plugin reads a file at ingest."""

    def test_its_fields_are_stored_under_its_namespace_and_the_task_succeeds(self) -> None:
        book = InMemoryTaskRecords()
        outcome = ingest_file(SOURCE, [CSV], book, InMemoryTaskQueue(), Proxies())
        assert [task.state for task in outcome.tasks] == [TaskState.SUCCEEDED]
        assert book.metadata_of(FILE_ID)["csv_facts"] == {"columns": 3, "header": ["a", "b", "c"]}

    def test_values_that_break_its_schema_are_refused_with_warnings_and_the_rest_kept(self) -> None:
        book = InMemoryTaskRecords()
        outcome = ingest_file(SOURCE, [("csv_facts::Lying", Lying)], book, InMemoryTaskQueue(), Proxies())
        record = book.get(outcome.tasks[0].task_id)
        assert record.state is TaskState.SUCCEEDED
        assert record.warnings == ("metadata field csv_facts.columns refused: 'three' is not an Integer",
                                   "metadata field csv_facts.colour refused: it is not declared in the plugin's "
                                   "schema")
        assert book.metadata_of(FILE_ID)["csv_facts"] == {"header": ["a"]}

    def test_it_reads_a_file_once_whatever_the_sizes(self) -> None:
        book, queue = InMemoryTaskRecords(), InMemoryTaskQueue()
        html = replace(SOURCE, mimetype="text/html")
        outcome = ingest_file(html, [HTML, CSV], book, queue, Proxies(),
                              sizes=[ProxySize(200, 150), ProxySize(1024, 768)])
        assert [task.plugin for task in outcome.tasks] == [HTML[0], CSV[0], HTML[0]]
        assert len(queue.sent) == 2

    def test_a_second_ingest_reuses_its_task(self) -> None:
        book = InMemoryTaskRecords()
        ingest_file(SOURCE, [CSV], book, InMemoryTaskQueue(), Proxies())
        again = ingest_file(SOURCE, [CSV], book, InMemoryTaskQueue(), Proxies())
        assert again.tasks[0].reused

    def test_records_that_are_away_make_the_ingest_wait(self) -> None:
        class Away(InMemoryTaskRecords):
            def put_metadata(self, file_id: str, namespace: str, fields: Mapping[str, Any]) -> None:
                if namespace == "csv_facts":
                    raise ResourceUnavailable("the records are away")
                super().put_metadata(file_id, namespace, fields)

        with pytest.raises(ResourceUnavailable):
            ingest_file(SOURCE, [CSV], Away(), InMemoryTaskQueue(), Proxies())


class TestTheFilesOwnFacts:
    """Every file whose tasks start has its name, type, size, hash and time kept."""

    def test_kept_under_file(self) -> None:
        book = InMemoryTaskRecords()
        ingest_file(SOURCE, [CSV], book, InMemoryTaskQueue(), Proxies())
        assert book.metadata_of(FILE_ID)["file"] == {
            "name": NOTES.name, "mimetype": "text/csv", "size": 42, "sha256": "d" * 64,
            "modified": "2026-12-01T09:30:00+00:00"}

    def test_an_unchanged_file_costs_no_write(self) -> None:
        book = InMemoryTaskRecords()
        ingest_file(SOURCE, [CSV], book, InMemoryTaskQueue(), Proxies())
        book.metadata.clear()
        ingest_file(SOURCE, [CSV], book, InMemoryTaskQueue(), Proxies())
        assert book.metadata_of(FILE_ID) == {}
