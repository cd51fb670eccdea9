"""The ingest use-case: give one file to the plugins that should make its proxies.

For each plugin, the task id follows from the file, the plugin and the
options. A task that already succeeded, or is still under way, is not started
again unless forced. Otherwise the plugin's :meth:`process` runs; an async
plugin submits through a submitter that writes the durable task record
*before* sending, and forgets it again if the send fails.
"""

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any, Callable, Protocol, Sequence

from ..domain import PluginStatus, ProxyFile, ProxyPlugin, ProxySize, SourceFile, TaskRecord, TaskState
from ..errors import ResourceUnavailable
from .task_ids import task_id_for

logger = logging.getLogger(__name__)

PLUGIN_ERRORED = "the plugin could not make a proxy of this file"
PLUGIN_RAISED = "the plugin failed: %s"


class TaskBook(Protocol):
    """Where task records are kept (the task records service)."""

    def find(self, task_id: str) -> TaskRecord | None: ...

    def put(self, record: TaskRecord) -> None: ...

    def claim(self, record: TaskRecord) -> bool: ...

    def delete(self, task_id: str) -> None: ...

    def add_callback(self, task_id: str, url: str) -> None: ...

    def take_callbacks(self, task_id: str) -> list[str]: ...


class JobSender(Protocol):
    """Where jobs are sent (the task queue service)."""

    def send(self, task_id: str, plugin: str, job: str, args: Sequence[Any]) -> None: ...

    def send_callback(self, task_id: str, url: str) -> None: ...


class ProxyLister(Protocol):
    """Where proxies are found (the proxy store)."""

    def list(self, file_id: str) -> list[ProxyFile]: ...


@dataclass(frozen=True)
class TaskOutcome:
    """What became of one plugin's task in an ingest."""

    task_id: str
    plugin: str
    state: TaskState
    reused: bool = False
    """True when an earlier task was found and nothing was started."""
    error: str | None = None


@dataclass(frozen=True)
class IngestOutcome:
    """What an ingest did, for the caller to answer with."""

    source: SourceFile
    tasks: tuple[TaskOutcome, ...]
    send_errors: tuple[Exception, ...] = ()
    """Errors met sending jobs: the job engine may be down."""

    @property
    def pending(self) -> tuple[TaskOutcome, ...]:
        """Tasks still queued or under way."""
        return tuple(task for task in self.tasks if not task.state.is_finished)

    @property
    def succeeded(self) -> bool:
        """Whether every task finished well and none is pending."""
        return bool(self.tasks) and all(t.state is TaskState.SUCCEEDED for t in self.tasks)


def job_name(fn: Callable[..., Any]) -> str:
    """The ``module:function`` name a worker imports a job by."""
    return f"{fn.__module__}:{fn.__qualname__}"


def _now() -> datetime:
    return datetime.now(timezone.utc)


class _RecordingSubmitter:
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
        record = TaskRecord(task_id, self.source.file_id, self.plugin, TaskState.QUEUED, _now(), name, tuple(args),
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


def _earlier_outcome(record: TaskRecord | None, has_proxies: Callable[[], bool]) -> TaskOutcome | None:
    """The outcome to reuse instead of running the plugin again, if any.

    A succeeded task is reused while the file's proxies are in the store: each
    size is kept under a name of its own (:func:`sized_typeidentifier`), so a
    task at another size replaced nothing. The store is asked only after the
    record said so: a worker stores the proxies before it records the success,
    so a task that ends between the two reads is still seen as done (or as
    under way), never as a task to send again.
    """
    if record is None:
        return None
    if record.state is TaskState.SUCCEEDED and has_proxies():
        return TaskOutcome(record.task_id, record.plugin, record.state, reused=True)
    if record.state in (TaskState.QUEUED, TaskState.IN_PROGRESS):
        return TaskOutcome(record.task_id, record.plugin, record.state, reused=True)
    return None


def _run_plugin(
    base_id: str, name: str, plugin_class: type[ProxyPlugin], source: SourceFile, book: TaskBook, sender: JobSender
) -> tuple[list[TaskOutcome], list[Exception]]:
    submitter = _RecordingSubmitter(base_id, name, source, book, sender)
    plugin = plugin_class(submit=submitter)
    started = _now()
    error: str | None = None
    try:
        status = plugin.process(source.file_id, source.path, source)
    except Exception as e:  # a plugin's bug must not fail the other plugins
        logger.exception("plugin %s raised on %s", name, source.path)
        status, error = PluginStatus.ERRORED, PLUGIN_RAISED % e
    if submitter.unavailable is not None:
        raise submitter.unavailable
    if status is PluginStatus.INPROGRESS and (submitter.sent or submitter.joined):
        return ([TaskOutcome(task_id, name, TaskState.QUEUED) for task_id in submitter.sent]
                + [TaskOutcome(r.task_id, name, r.state, reused=True) for r in submitter.joined]), []
    if submitter.errors:
        return [TaskOutcome(base_id, name, TaskState.FAILED, error=str(submitter.errors[0]))], submitter.errors
    state = {
        PluginStatus.SUCCESS: TaskState.SUCCEEDED,
        PluginStatus.SKIPPED: TaskState.SKIPPED,
    }.get(status, TaskState.FAILED)
    if state is TaskState.FAILED:
        error = error or f"{PLUGIN_ERRORED} (status {status.value})"
    book.put(TaskRecord(base_id, source.file_id, name, state, started, started=started, finished=_now(), error=error,
                        filename=source.name))
    return [TaskOutcome(base_id, name, state, error=error)], []


def ingest_file(
    source: SourceFile,
    plugins: Sequence[tuple[str, type[ProxyPlugin]]],
    book: TaskBook,
    sender: JobSender,
    proxies: ProxyLister,
    force: bool = False,
    callback_url: str | None = None,
    sizes: Sequence[ProxySize] = (),
    admit: Callable[[], None] | None = None,
) -> IngestOutcome:
    """Start, or find, the tasks that make a file's proxies, at each size asked for.

    Parameters
    ----------
    source
        The file, with the proxy size asked for.
    plugins
        ``(name, class)`` of each plugin to use; each handles the file.
    book, sender, proxies
        The task records, the job engine and the proxy store.
    force
        Run every plugin again even where an earlier task succeeded.
    callback_url
        Called back when each task this ingest started or joined ends (a
        task that already succeeded has nothing left to call back about).
    sizes
        The boxes to make proxies at, each a task of its own per plugin; the
        source's ``proxy_size`` alone when empty.
    admit
        Called once, before the first plugin is run (none is, when every task
        was done before): it raises to refuse the ingest (the queue is full).

    Raises
    ------
    ResourceUnavailable
        The records (or the store's listing) cannot be used now: nothing of
        the file is recorded as failed, as nothing is wrong with it.
    """
    listed: list[bool] = []

    def has_proxies() -> bool:
        """Whether the file has proxies in the store: asked once, after a record said its task succeeded."""
        if not listed:
            listed.append(bool(proxies.list(source.file_id)))
        return listed[0]

    outcomes: list[TaskOutcome] = []
    errors: list[Exception] = []
    for sized in [replace(source, proxy_size=size) for size in sizes] or [source]:
        for name, plugin_class in plugins:
            asked = _as_asked_of(plugin_class, sized)
            task_id = task_id_for(asked.file_id, name, asked.proxy_size, asked.pages)
            earlier = None if force else _earlier_outcome(book.find(task_id), has_proxies)
            if earlier is not None:
                outcomes.append(earlier)
                continue
            if admit is not None:
                admit()
                admit = None
            tasks, send_errors = _run_plugin(task_id, name, plugin_class, asked, book, sender)
            outcomes.extend(tasks)
            errors.extend(send_errors)
    if callback_url is not None:
        for outcome in outcomes:
            if not outcome.state.is_finished:
                _call_back_when_done(outcome.task_id, callback_url, book, sender)
    return IngestOutcome(source, tuple(outcomes), tuple(errors))


def _as_asked_of(plugin_class: type[ProxyPlugin], source: SourceFile) -> SourceFile:
    """The file as a plugin is asked for it: without pages when it makes none, so its task is the one it always was."""
    return source if plugin_class.MAKES_PAGES or source.pages is None else replace(source, pages=None)


def _call_back_when_done(task_id: str, url: str, book: TaskBook, sender: JobSender) -> None:
    """Have ``url`` called back when the task ends, even if it ended in the meantime.

    The worker that ends a task takes its callbacks after recording the end.
    A callback added after that is taken here instead: each is taken (and
    sent) once, whichever side comes second.
    """
    book.add_callback(task_id, url)
    record = book.find(task_id)
    if record is not None and record.state.is_finished:
        for taken in book.take_callbacks(task_id):
            sender.send_callback(task_id, taken)
