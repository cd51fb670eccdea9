"""What the API answers, as the client hands it over: an ingest's result, a task's status, a proxy, a file.

Fields the service adds after this client was written are left out, not refused (:func:`known`).
"""

from dataclasses import dataclass, fields
from typing import Any, TypeVar

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


@dataclass(frozen=True)
class ListedFile:
    """One file of a listing (``GET /files``): its facts, its metadata by namespace, and links."""

    file_id: str
    name: str | None
    mimetype: str | None
    metadata: dict[str, dict[str, Any]]
    url: str
    """The file whole (:meth:`ProxyServiceClient.file`)."""
    proxies_url: str


@dataclass(frozen=True)
class FilePage:
    """A page of a listing, and the cursor of the next (``None`` after the last)."""

    files: tuple[ListedFile, ...]
    next: str | None


@dataclass(frozen=True)
class File:
    """One file whole (``GET /files/<file_id>``): its facts, its metadata by namespace, its proxies and its tasks."""

    file_id: str
    name: str | None
    mimetype: str | None
    metadata: dict[str, dict[str, Any]]
    proxies: tuple[Proxy, ...]
    tasks: tuple[TaskStatus, ...]
    """The newest first."""


Document = TypeVar("Document")


def known(kind: type[Document], body: dict[str, Any], **values: Any) -> Document:
    """A ``kind`` of the fields of ``body`` it has (a newer service's others are left out), ``values`` in place."""
    names = {field.name for field in fields(kind)}  # type: ignore[arg-type]  # every kind is a dataclass
    return kind(**{name: value for name, value in body.items() if name in names}, **values)


def task_status(body: dict[str, Any]) -> TaskStatus:
    return known(TaskStatus, {**body, "warnings": tuple(body["warnings"])})


def file_page(body: dict[str, Any]) -> FilePage:
    return FilePage(tuple(known(ListedFile, item) for item in body["files"]), body.get("next"))


def file_of(body: dict[str, Any]) -> File:
    return known(File, {**body, "proxies": tuple(known(Proxy, proxy) for proxy in body["proxies"]),
                        "tasks": tuple(task_status(task) for task in body["tasks"])})
