"""What the API answers, as the client hands it over: an ingest's result, a task's status, a proxy."""

from dataclasses import dataclass
from typing import Any

from ..domain import ProxyFile

FINISHED = ("succeeded", "failed", "skipped")


@dataclass(frozen=True)
class TaskRef:
    """One task an ingest started, joined or reused."""

    task_id: str
    plugin: str
    status: str
    reused: bool
    error: str | None
    status_url: str


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did: the file's id, and its tasks."""

    file_id: str
    filename: str
    mimetype: str
    proxies_url: str
    tasks: tuple[TaskRef, ...]
    done: bool
    """True when every proxy was there already (the service answered 303): nothing to wait for."""


@dataclass(frozen=True)
class TaskStatus:
    """A task's state, from its record."""

    task_id: str
    file_id: str
    plugin: str
    status: str
    submitted: str
    started: str | None
    finished: str | None
    error: str | None
    warnings: tuple[str, ...]
    filename: str
    """The file's base name when the task was submitted."""
    proxies_url: str | None = None
    """Once it succeeded, where its file's proxies are listed."""

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


@dataclass(frozen=True, kw_only=True)
class Proxy(ProxyFile):
    """One proxy of a file, as the API lists it: the stored proxy, and where to fetch it."""

    url: str
    """Its bytes, for a token with proxy:read."""
    signed_url: str
    """Its bytes, for anyone, until the link expires."""


def task_status(body: dict[str, Any]) -> TaskStatus:
    return TaskStatus(**{**body, "warnings": tuple(body["warnings"])})
