"""The task status controller, over in-memory records in the app's service container."""

from datetime import datetime, timezone
from http import HTTPStatus
from typing import Iterator
from unittest import mock

import pytest
from flask import Flask, current_app
from werkzeug.exceptions import NotFound, ServiceUnavailable

from proxyservice.container import Services
from proxyservice.controllers import tasks
from proxyservice.domain import TaskRecord, TaskState
from proxyservice.schemas import first_error
from proxyservice.services.task_records import InMemoryTaskRecords, RecordsUnavailable
from tests.conftest import services_of

FILE_ID = "c" * 64


@pytest.fixture
def records(app: Flask, services: Services) -> Iterator[InMemoryTaskRecords]:
    memory = InMemoryTaskRecords()
    services.records = memory  # type: ignore[assignment]  # the in-memory records read as the real ones
    with app.test_request_context():
        yield memory


def put(records: InMemoryTaskRecords, state: TaskState, **fields: object) -> None:
    records.put(TaskRecord("t1", FILE_ID, "html_preview::HTMLPreview", state, datetime.now(timezone.utc), **fields))  # type: ignore[arg-type]


class TestStates:
    """A task at each point of its life."""

    @pytest.mark.parametrize("state", [TaskState.QUEUED, TaskState.IN_PROGRESS, TaskState.FAILED])
    def test_an_unfinished_or_failed_task_is_shown(self, records: InMemoryTaskRecords, state: TaskState) -> None:
        put(records, state, error="it broke" if state is TaskState.FAILED else None)
        data, status, headers = tasks.task_status(services_of(current_app), "t1")
        assert status is HTTPStatus.OK and headers == {}
        assert data["status"] == state.value
        assert first_error("TaskStatus", data) is None

    def test_a_succeeded_task_sees_other_to_its_proxies(self, records: InMemoryTaskRecords) -> None:
        put(records, TaskState.SUCCEEDED, warnings=("font",))
        data, status, headers = tasks.task_status(services_of(current_app), "t1")
        assert status is HTTPStatus.SEE_OTHER
        assert headers["Location"] == f"/proxies/{FILE_ID}"
        assert data["warnings"] == ["font"]


class TestRecent:
    """The newest tasks, found by part of their file's name."""

    def test_the_list_is_the_records_newest_first_capped(self, records: InMemoryTaskRecords) -> None:
        for second in range(3):
            records.put(TaskRecord(f"t{second}", FILE_ID, "p::P", TaskState.QUEUED,
                                   datetime(2026, 1, 1, 0, 0, second, tzinfo=timezone.utc), filename=f"page{second}.html"))
        data, status, headers = tasks.recent_tasks(services_of(current_app), "PAGE", None, 2)
        assert status is HTTPStatus.OK and headers == {} and first_error("TaskList", data) is None
        assert [(task["task_id"], task["filename"]) for task in data["tasks"]] == [("t2", "page2.html"),
                                                                                   ("t1", "page1.html")]
        assert tasks.recent_tasks(services_of(current_app), "", TaskState.FAILED, 50)[0] == {"tasks": []}

    def test_records_that_cannot_be_read(self, app: Flask) -> None:
        with mock.patch.object(services_of(app).records, "recent", side_effect=RecordsUnavailable("disk gone")), \
                app.test_request_context():
            with pytest.raises(ServiceUnavailable) as raised:
                tasks.recent_tasks(services_of(current_app), "", None, 50)
        assert raised.value.get_headers()[-1] == ("Retry-After", "30"), "a client is told when to come back"


class TestUnknown:
    """Tasks that cannot be shown."""

    def test_an_unknown_task(self, records: InMemoryTaskRecords) -> None:
        with pytest.raises(NotFound, match="no task 'nope'"):
            tasks.task_status(services_of(current_app), "nope")

    def test_records_that_cannot_be_read(self, app: Flask) -> None:
        with mock.patch.object(services_of(app).records, "find", side_effect=RecordsUnavailable("disk gone")), \
                app.test_request_context():
            with pytest.raises(ServiceUnavailable) as raised:
                tasks.task_status(services_of(current_app), "t1")
        assert raised.value.get_headers()[-1] == ("Retry-After", "30"), "a client is told when to come back"
        assert "disk gone" not in str(raised.value.description), "the records' own words stay in the log"
