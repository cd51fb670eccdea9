"""Task status: what a task is doing, from its durable record; and the newest tasks, found by file name."""

from http import HTTPStatus

from flask import url_for
from werkzeug.exceptions import NotFound

from ..container import Services
from ..documents import task_body
from ..domain import TaskState
from ..services.task_records import RecordsUnavailable
from . import Response
from .errors import unavailable

NO_SUCH_TASK = "no task %r"
LIST_LIMIT = 200
"""The most tasks one listing returns."""
RECORDS_DOWN = "the task records cannot be read; try again shortly"


def task_status(services: Services, task_id: str) -> Response:
    """A task's state; ``303`` to the file's proxies once it succeeded."""
    try:
        record = services.records.find(task_id)
    except RecordsUnavailable as e:
        raise unavailable(RECORDS_DOWN, e) from e
    if record is None:
        raise NotFound(NO_SUCH_TASK % task_id)
    body = task_body(record, url_for)
    if body["proxies_url"] is not None:
        return body, HTTPStatus.SEE_OTHER, {"Location": body["proxies_url"]}
    return body, HTTPStatus.OK, {}


def recent_tasks(services: Services, name_contains: str, state: TaskState | None, limit: int) -> Response:
    """The newest tasks first, those whose file name holds ``name_contains``; ``limit`` is capped at LIST_LIMIT."""
    try:
        records = services.records.recent(name_contains, state, min(limit, LIST_LIMIT))
    except RecordsUnavailable as e:
        raise unavailable(RECORDS_DOWN, e) from e
    return {"tasks": [task_body(record, url_for) for record in records]}, HTTPStatus.OK, {}
