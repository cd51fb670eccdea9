"""Submitting files from the command line: the use case of ``POST /ingest``, without a request.

``add-file`` and ``ingest`` call the ingest use case (:func:`process.ingest.ingest_file`)
with the services of the app built from the environment's settings, as the
route's controller does, and watch the task records until the work is done.
A file that cannot be taken is an expected outcome (a :class:`Refusal`, one
per file of a tree); a service that cannot take work stops the whole run:

Exception
└── ServiceDown       the broker, the task records or the store's disk cannot take work; nothing more can be submitted
    └── QueueFull     more tasks are waiting than MAX_QUEUE_LENGTH; room comes back as workers go on
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

from ..config import Settings
from ..domain import ProxySize, TaskRecord, TaskState
from ..plugins.context import JobContext
from ..plugins.registry import enabled_plugins
from ..process.ingest import IngestOutcome, TaskOutcome, ingest_file
from ..process.plugin_choice import PluginRefusal, choose_plugins, unknown_plugin
from ..services.sandbox import Sandbox
from ..services.sources import SourceEmpty, SourceFiles, SourceNotFound, SourceOutsideRoots, SourceTooLarge
from ..services.store import ProxyStore, StoreFailed
from ..services.task_queue import QueueUnavailable, TaskQueue
from ..services.task_records import RecordsUnavailable, TaskRecords

__all__ = ["FileSubmitter", "Refusal", "ServiceDown", "QueueFull", "TaskView", "directory_outside_roots",
           "failed_reason", "watch_tasks"]

SEE_PLUGINS = " (see proxyservice plugins list)"
BROKER_DOWN = "the broker at BROKER_URL (or REDIS_URL) is unreachable; nothing was queued (is the service's broker running?)"
RECORDS_DOWN = "the task records cannot be written (%s); nothing was queued"
QUEUE_FULL = "%d tasks are waiting, more than the service takes (MAX_QUEUE_LENGTH)"
OUTSIDE_ROOTS = ("%s is outside SOURCE_ROOTS (%s): nothing was ingested; "
                 "name a folder under them, or add it to SOURCE_ROOTS")
WATCH_POLL_SECONDS = 0.2

TaskView = TaskRecord | TaskOutcome
"""A task as a command sees it: its id, plugin, state and error (a record here, or a status read over HTTP)."""
Task = TypeVar("Task", bound=TaskView)


class ServiceDown(Exception):
    """The broker, the task records or the store's disk cannot take work now; every next file would meet the same."""


class QueueFull(ServiceDown):
    """More tasks wait than MAX_QUEUE_LENGTH; wait for the workers, then submit again."""


@dataclass(frozen=True)
class Refusal:
    """Why one file was not submitted, in a user's words."""

    reason: str
    unsupported: bool = False
    """No plugin makes proxies of its type: not a failure, the file is simply not for this service."""


def directory_outside_roots(directory: Path, settings: Settings) -> str | None:
    """The one-line refusal for a folder no file of which the service may read by path, if it is one.

    Needs an app context.
    """
    if SourceFiles.current_session().under_roots(directory.resolve()):
        return None
    roots = ":".join(str(root) for root in settings.SOURCE_ROOTS) or "unset"
    return OUTSIDE_ROOTS % (directory, roots)


class FileSubmitter:
    """Gives files to the plugins that should make their proxies. Needs an app context.

    Parameters
    ----------
    settings
        The service's settings (roots, queue limit, proxy size).
    named
        Plugin names (or ``@proxy``) the user asked for; ``None`` for those that handle each file.
    force
        Make the proxies again even where an earlier task succeeded.
    """

    def __init__(self, settings: Settings, named: list[str] | None, force: bool) -> None:
        self.settings = settings
        self.named = named
        self.force = force
        self.plugins = enabled_plugins(settings)
        self.sources = SourceFiles.current_session()
        self.records = TaskRecords.current_session()
        self.queue = TaskQueue.current_session()
        self.store = ProxyStore.current_session()
        self.job_context = JobContext(settings, self.store, self.sources, Sandbox.current_session())
        """What a plugin that works in process() (not async) stores its proxies through."""
        self.watch_interval = WATCH_POLL_SECONDS

    def unknown_plugin(self) -> Refusal | None:
        """The refusal for a named plugin that is not enabled: said once, before any file is walked."""
        refusal = unknown_plugin(self.plugins, self.named)
        return None if refusal is None else Refusal(refusal.reason + SEE_PLUGINS)

    def submit(self, path: Path, size: ProxySize | None = None) -> IngestOutcome | Refusal:
        """Submit one file by path; a file that cannot be taken is a :class:`Refusal`.

        Raises
        ------
        ServiceDown, QueueFull
            The service cannot take work now; nothing was queued for this file.
        """
        try:
            real = self.sources.resolve(str(path.absolute()))
        except (SourceOutsideRoots, SourceNotFound, SourceTooLarge, SourceEmpty) as e:
            return Refusal(f"path: {e}")
        try:
            self.store.check_room()
        except StoreFailed as e:
            raise ServiceDown(str(e)) from e
        source = self.sources.describe(real, size or self.settings.default_proxy_size)
        chosen = choose_plugins(self.plugins, source, self.named)
        if isinstance(chosen, PluginRefusal):
            return Refusal(chosen.reason + (SEE_PLUGINS if chosen.not_enabled else ""),
                           unsupported=not chosen.not_enabled)
        try:
            waiting = self.queue.length()
        except QueueUnavailable as e:
            raise ServiceDown(BROKER_DOWN) from e
        if waiting >= self.settings.MAX_QUEUE_LENGTH:
            raise QueueFull(QUEUE_FULL % waiting)
        try:
            with self.job_context.active():
                outcome = ingest_file(source, chosen, self.records, self.queue, self.store, force=self.force)
        except RecordsUnavailable as e:
            raise ServiceDown(RECORDS_DOWN % e) from e
        if any(isinstance(e, QueueUnavailable) for e in outcome.send_errors):
            raise ServiceDown(BROKER_DOWN)
        return outcome

    def submit_tasks(self, path: Path) -> Sequence[TaskOutcome] | Refusal:
        """Submit one file by path: its tasks, or why it was not taken (see :meth:`submit`)."""
        outcome = self.submit(path)
        return outcome if isinstance(outcome, Refusal) else outcome.tasks

    def find(self, task_id: str) -> TaskRecord | None:
        """A task's record, if it has one."""
        return self.records.find(task_id)


def watch_tasks(find: Callable[[str], Task | None], task_ids: Iterable[str], timeout: float,
                progress: Callable[[list[Task]], None] = lambda _: None,
                interval: float = WATCH_POLL_SECONDS) -> dict[str, Task]:
    """Follow tasks until each has finished or ``timeout`` passed.

    Parameters
    ----------
    find
        A task's state now, or ``None`` when it has none (its record, or its status over HTTP).
    task_ids
        The tasks; files with the same bytes share a task, so ids may repeat.
    timeout
        Seconds to wait at most.
    progress
        Called with the tasks that finished since its last call.
    interval
        Seconds between two looks.

    Returns
    -------
    dict
        The last state of every task that has one; a task not finished by then keeps its
        ``queued`` or ``in_progress`` state. A task without a record (withdrawn) is not waited for.
    """
    waiting = sorted(set(task_ids))
    latest: dict[str, Task] = {}
    deadline = time.monotonic() + timeout
    while True:
        finished: list[Task] = []
        withdrawn: set[str] = set()
        for task_id in waiting:
            record = find(task_id)
            if record is None:
                withdrawn.add(task_id)
                continue
            latest[task_id] = record
            if record.state.is_finished:
                finished.append(record)
        if finished:
            progress(finished)
        done = withdrawn | {record.task_id for record in finished}
        waiting = [task_id for task_id in waiting if task_id not in done]
        if not waiting or time.monotonic() > deadline:
            return latest
        time.sleep(interval)


def failed_reason(task: TaskView) -> str | None:
    """Why a finished task made no proxy, or ``None`` when it did (or is not finished)."""
    if task.state is TaskState.FAILED:
        return task.error or f"{task.plugin} failed"
    if task.state is TaskState.SKIPPED:
        return f"{task.plugin} skipped it" + (f": {task.error}" if task.error else "")
    return None
