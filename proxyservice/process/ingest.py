"""The ingest use-case: give one file to the plugins that should make its proxies.

For each plugin, the task id follows from the file, the plugin and the
options. A task that already succeeded, or is still under way, is not started
again unless forced. Otherwise the plugin's :meth:`process` runs, bound to
the records and the job engine (:mod:`.bindings`). When the first of a file's
tasks starts, its own facts are kept as its ``file`` metadata.
"""

import logging
from dataclasses import dataclass, replace
from typing import Callable, Sequence

from ..domain import PluginStatus, ProxyPlugin, ProxySize, SourceFile, TaskRecord, TaskState
from ..domain.metadata import FILE_NAMESPACE, FILE_SCHEMA, file_facts
from .bindings import (JobSender, MetadataSink, ProxyLister, RecordingSubmitter, TaskBook, job_name, now,
                       reads_metadata_only)
from .metadata import keep_metadata
from .task_ids import task_id_for

__all__ = ["IngestOutcome", "JobSender", "ProxyLister", "TaskBook", "TaskOutcome", "ingest_file", "job_name"]

logger = logging.getLogger(__name__)

PLUGIN_ERRORED = "the plugin could not make a proxy of this file"
PLUGIN_RAISED = "the plugin failed: %s"


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


def _earlier_outcome(record: TaskRecord | None, has_proxies: Callable[[], bool],
                     metadata_only: bool = False) -> TaskOutcome | None:
    """The outcome to reuse instead of running the plugin again, if any.

    A succeeded task is reused while the file's proxies are in the store: each
    size is kept under a name of its own (:func:`sized_typeidentifier`), so a
    task at another size replaced nothing. The store is asked only after the
    record said so: a worker stores the proxies before it records the success,
    so a task that ends between the two reads is still seen as done (or as
    under way), never as a task to send again. A plugin that reads metadata
    only (``metadata_only``) has no proxies to look for.
    """
    if record is None:
        return None
    if record.state is TaskState.SUCCEEDED and (metadata_only or has_proxies()):
        return TaskOutcome(record.task_id, record.plugin, record.state, reused=True)
    if record.state in (TaskState.QUEUED, TaskState.IN_PROGRESS):
        return TaskOutcome(record.task_id, record.plugin, record.state, reused=True)
    return None


def _run_plugin(
    base_id: str, name: str, plugin_class: type[ProxyPlugin], source: SourceFile, book: TaskBook, sender: JobSender
) -> tuple[list[TaskOutcome], list[Exception]]:
    submitter = RecordingSubmitter(base_id, name, source, book, sender)
    sink = MetadataSink(book)
    plugin = sink.plugin = plugin_class(submit=submitter, store_metadata=sink)
    started = now()
    error: str | None = None
    try:
        status = plugin.process(source.file_id, source.path, source)
    except Exception as e:  # a plugin's bug must not fail the other plugins
        logger.exception("plugin %s raised on %s", name, source.path)
        status, error = PluginStatus.ERRORED, PLUGIN_RAISED % e
    for unavailable in (submitter.unavailable, sink.unavailable):
        if unavailable is not None:
            raise unavailable
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
    book.put(TaskRecord(base_id, source.file_id, name, state, started, started=started, finished=now(), error=error,
                        warnings=tuple(sink.refused), filename=source.name))
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
    metadata_only = {name: reads_metadata_only(plugin_class) for name, plugin_class in plugins}
    facts_kept = False
    for index, sized in enumerate([replace(source, proxy_size=size) for size in sizes] or [source]):
        for name, plugin_class in plugins:
            if index and metadata_only[name]:
                continue
            asked = _as_asked_of(plugin_class, sized)
            task_id = task_id_for(asked.file_id, name, asked.proxy_size, asked.pages)
            earlier = None if force else _earlier_outcome(book.find(task_id), has_proxies, metadata_only[name])
            if earlier is not None:
                outcomes.append(earlier)
                continue
            if admit is not None:
                admit()
                admit = None
            if not facts_kept:  # when the file's tasks start: an unchanged file costs no write
                keep_metadata(book, source.file_id, FILE_NAMESPACE, FILE_SCHEMA, file_facts(source))
                facts_kept = True
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
