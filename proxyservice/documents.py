"""The JSON documents of a task's status and of an ingest: what the API answers, callbacks send and the CLI prints.

Every side builds them here, so they read alike: ``GET /status/<id>``, a
webhook's body and ``proxyservice status --json`` show a task the same way.
"""

from typing import Any, Callable
from urllib.parse import quote

from .domain import TaskRecord, TaskState
from .domain.file_query import ListedFile
from .domain.metadata import FILE_NAMESPACE
from .process.ingest import IngestOutcome

UrlBuilder = Callable[..., str]
"""Builds a route's URL from its endpoint and values (Flask's ``url_for`` in a request, :func:`api_path` without)."""

API_PATHS = {"api.list_proxies": "/proxies/{file_id}", "api.task_status": "/status/{task_id}",
             "api.file_resource": "/files/{file_id}"}
"""The routes the documents link to, as the web app serves them (a test holds the two together)."""


def api_path(endpoint: str, **values: str) -> str:
    """The path of one of the API's routes (``/proxies/<file_id>``), built without the web app."""
    # Quoted as the web app's routes quote a value (a URL path segment, as Werkzeug's converters do).
    return API_PATHS[endpoint].format(**{name: quote(value, safe="!$&'()*+,/:;=@") for name, value in values.items()})


def task_body(record: TaskRecord, build_url: UrlBuilder = api_path) -> dict[str, Any]:
    """The status document of a task (``TaskStatus`` in the contract): once it succeeded, where its proxies are."""
    succeeded = record.state is TaskState.SUCCEEDED
    return {
        "task_id": record.task_id,
        "file_id": record.file_id,
        "plugin": record.plugin,
        "status": record.state.value,
        "submitted": record.submitted.isoformat(),
        "started": record.started.isoformat() if record.started else None,
        "finished": record.finished.isoformat() if record.finished else None,
        "error": record.error,
        "warnings": list(record.warnings),
        "filename": record.filename,
        "proxies_url": build_url("api.list_proxies", file_id=record.file_id) if succeeded else None,
    }


def ingest_body(outcome: IngestOutcome, build_url: UrlBuilder) -> dict[str, Any]:
    """What ``POST /ingest`` answers of a file and its tasks (``IngestResult`` in the contract)."""
    file_id = outcome.source.file_id
    return {
        "file_id": file_id,
        "filename": outcome.source.name,
        "mimetype": outcome.source.mimetype,
        "proxies_url": build_url("api.list_proxies", file_id=file_id),
        "tasks": [
            {
                "task_id": task.task_id,
                "plugin": task.plugin,
                "status": task.state.value,
                "reused": task.reused,
                "error": task.error,
                "status_url": build_url("api.task_status", task_id=task.task_id),
            }
            for task in outcome.tasks
        ],
    }


def file_body(file_id: str, metadata: dict[str, dict[str, Any]], records: list[TaskRecord],
              proxies: list[dict[str, Any]], build_url: UrlBuilder = api_path) -> dict[str, Any]:
    """The document of one file (``File`` in the contract): its facts, its metadata, its proxies and its tasks."""
    facts = metadata.get(FILE_NAMESPACE, {})
    return {
        "file_id": file_id,
        # A file ingested before its facts were kept is named by its tasks.
        "name": facts.get("name") or next((record.filename for record in records if record.filename), None),
        "mimetype": facts.get("mimetype"),
        "metadata": metadata,
        "proxies": proxies,
        "tasks": [task_body(record, build_url) for record in records],
    }


def listed_file_body(listed: ListedFile, build_url: UrlBuilder = api_path) -> dict[str, Any]:
    """One file of a listing (an item of ``FileList``): light, with a link to the whole file."""
    facts = listed.metadata.get(FILE_NAMESPACE, {})
    return {
        "file_id": listed.file_id,
        "name": facts.get("name"),
        "mimetype": facts.get("mimetype"),
        "metadata": listed.metadata,
        "url": build_url("api.file_resource", file_id=listed.file_id),
        "proxies_url": build_url("api.list_proxies", file_id=listed.file_id),
    }
