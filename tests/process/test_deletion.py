"""The deletion use case, over records in memory and a store and uploads that are plain sets."""

from dataclasses import replace

import pytest

from proxyservice.domain import TaskState
from proxyservice.process.deletion import delete_file
from proxyservice.services.store import StoreFailed
from proxyservice.services.task_records import InMemoryTaskRecords
from tests.services.test_task_records import record

FILE = "a" * 64


class Kept:
    """A store or an upload folder: the files it holds something of; it may be away."""

    def __init__(self, *held: str) -> None:
        self.held = set(held)
        self.away = False

    def forget(self, file_id: str) -> bool:
        if self.away:
            raise StoreFailed("the store is away")
        found = file_id in self.held
        self.held.discard(file_id)
        return found

    forget_upload = forget


@pytest.fixture
def records() -> InMemoryTaskRecords:
    book = InMemoryTaskRecords()
    book.put_metadata(FILE, "file", {"name": "a.pdf"})
    book.put(replace(record("t1", TaskState.IN_PROGRESS), file_id=FILE))
    return book


class TestDeleteFile:
    """A file known to every part is deleted; a second deletion finds nothing."""

    def test_every_part_forgets_and_the_second_call_finds_nothing(self, records: InMemoryTaskRecords) -> None:
        store, uploads = Kept(FILE), Kept(FILE)

        first = delete_file(FILE, records, store, uploads)
        second = delete_file(FILE, records, store, uploads)

        assert (first.records, first.proxies, first.upload, first.found) == (True, True, True, True)
        assert not second.found
        assert records.metadata_of(FILE) == {} and records.find("t1") is None
        assert store.held == uploads.held == set()

    def test_a_file_known_to_one_part_only_is_found(self) -> None:
        deletion = delete_file(FILE, InMemoryTaskRecords(), Kept(), Kept(FILE))
        assert deletion.found and not deletion.records and not deletion.proxies


class TestStoppedHalfWay:
    """The store is away: the records are forgotten, the proxies stay; the next call finishes."""

    def test_the_next_call_finishes_and_answers_found(self, records: InMemoryTaskRecords) -> None:
        store, uploads = Kept(FILE), Kept(FILE)
        store.away = True
        with pytest.raises(StoreFailed):
            delete_file(FILE, records, store, uploads)
        assert records.metadata_of(FILE) == {} and FILE in store.held and FILE in uploads.held

        store.away = False
        again = delete_file(FILE, records, store, uploads)
        assert again.found and again.proxies and again.upload and not again.records
        assert not delete_file(FILE, records, store, uploads).found
