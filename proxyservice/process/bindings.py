"""What a plugin is bound to while an ingest runs it: where its jobs go and where its metadata goes.

Its ``_submit`` writes the durable task record *before* sending, and forgets
it again if the send fails; its ``_store_metadata`` checks the values against
its schema and stores what fits. Either records that the records were away,
for the ingest to answer 503 whatever the plugin made of it.
"""

from datetime import datetime, timezone
from typing import Any, Callable, Mapping, Protocol, Sequence

from ..domain import ProxyFile, ProxyPlugin, SourceFile, TaskRecord, TaskState, proxy_types
from ..errors import ResourceUnavailable
from .metadata import keep_metadata


class TaskBook(Protocol):
    """Where task records are kept (the task records service)."""

    def find(self, task_id: str) -> TaskRecord | None: ...

    def put(self, record: TaskRecord) -> None: ...

    def claim(self, record: TaskRecord) -> bool: ...

    def delete(self, task_id: str) -> None: ...

    def add_callback(self, task_id: str, url: str) -> None: ...

    def take_callbacks(self, task_id: str) -> list[str]: ...

    def put_metadata(self, file_id: str, namespace: str, fields: Mapping[str, Any]) -> None: ...


class JobSender(Protocol):
    """Where jobs are sent (the task queue service)."""

    def send(self, task_id: str, plugin: str, job: str, args: Sequence[Any]) -> None: ...

    def send_callback(self, task_id: str, url: str) -> None: ...


class ProxyLister(Protocol):
    """Where proxies are found (the proxy store)."""

    def list(self, file_id: str) -> list[ProxyFile]: ...


def job_name(fn: Callable[..., Any]) -> str:
    """The ``module:function`` name a worker imports a job by."""
    return f"{fn.__module__}:{fn.__qualname__}"


def now() -> datetime:
    return datetime.now(timezone.utc)


class RecordingSubmitter:
    """Binds a plugin's ``_submit`` to the records and the sender for one task id."""

    def __init__(self, base_id: str, plugin: str, source: SourceFile, book: TaskBook, sender: JobSender):
        self.base_id = base_id
        self.plugin = plugin
        self.source = source
        self.book = book
        self.sender = sender
        self.sent: list[str] = []
        self.joined: list[TaskRecord] = []
        """Tasks already queued or under way, that this request joins instead of sending again."""
        self.errors: list[Exception] = []
        self.unavailable: ResourceUnavailable | None = None
        """The records could not take the task: nothing was sent, and nothing is to be recorded of it."""

    def __call__(self, fn: Callable[..., Any], args: Sequence[Any]) -> None:
        count = len(self.sent) + len(self.joined)
        task_id = self.base_id if not count else f"{self.base_id}-{count}"
        name = job_name(fn)
        record = TaskRecord(task_id, self.source.file_id, self.plugin, TaskState.QUEUED, now(), name, tuple(args),
                            filename=self.source.name)
        try:
            claimed = self.book.claim(record)
        except ResourceUnavailable as e:  # the records are away: the plugin says FATAL, the ingest must say 503
            self.unavailable = e
            raise
        if not claimed:
            # The same task is queued or running (a request at the same moment, or a force
            # while it runs): one render, which this request follows too.
            self.joined.append(self.book.find(task_id) or record)
            return
        try:
            self.sender.send(task_id, self.plugin, name, args)
        except Exception as e:  # reported by the plugin as FATAL; kept for the caller
            self.book.delete(task_id)
            self.errors.append(e)
            raise
        self.sent.append(task_id)


class MetadataSink:
    """Binds a plugin's ``_store_metadata`` to the records: what fits its schema is stored, the rest refused."""

    def __init__(self, book: TaskBook) -> None:
        self.book = book
        self.plugin: ProxyPlugin | None = None
        self.refused: list[str] = []
        self.unavailable: ResourceUnavailable | None = None

    def __call__(self, file_id: str, values: Mapping[str, Any]) -> list[str]:
        if self.plugin is None:
            raise RuntimeError("the metadata sink is bound to its plugin before process() runs")
        try:
            refused = keep_metadata(self.book, file_id, self.plugin.namespace(), self.plugin.schema(), values)
        except ResourceUnavailable as e:  # the ingest must say 503, whatever the plugin makes of it
            self.unavailable = e
            raise
        self.refused.extend(refused)
        return refused


def reads_metadata_only(plugin_class: type[ProxyPlugin]) -> bool:
    """Whether a plugin's schema names no proxy type: it reads a file once, whatever the sizes asked for."""
    return not proxy_types(plugin_class().schema())
