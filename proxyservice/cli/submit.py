"""Submitting files from the command line: the intake use case of ``POST /ingest``, without a request.

``add-file`` and ``ingest`` hand each file to :func:`proxyservice.process.intake.ingest`
with this host's service container, as the route's controller does, and watch
the task records until the work is done. A file that cannot be taken is an
expected outcome (a :class:`Refusal`, one per file of a tree); a refusal of the
family that passes (:class:`~proxyservice.errors.ResourceUnavailable`) stops
the whole run, as every next file would meet it:

ResourceUnavailable
└── ServiceDown       the broker, the task records or the store's disk cannot take work; nothing more can be submitted
    └── QueueFull     (also ResourceBusy) more tasks are waiting than MAX_QUEUE_LENGTH; room comes back as workers go on
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence, TypeVar

from ..container import Services
from ..domain import TaskRecord, TaskState
from ..errors import InputUnsupported, Outcome, ResourceBusy, ResourceUnavailable, handling
from ..process import intake
from ..process.ingest import IngestOutcome, TaskOutcome
from ..process.intake import ByPath, IngestForbidden, IngestRefused, IngestRequest
from ..process.plugin_choice import unknown_plugin

__all__ = ["FileSubmitter", "Refusal", "ServiceDown", "QueueFull", "TaskView", "directory_outside_roots",
           "failed_reason", "watch_tasks"]

SEE_PLUGINS = " (see proxyservice plugins list)"
ROOTS_HINT = ("SOURCE_ROOTS here is %s; it must name the same folders as where the service and its "
              "workers run, which read the file by its path")
OUTSIDE_ROOTS = ("%s is outside SOURCE_ROOTS: nothing was ingested; name a folder under them, "
                 "or add it to SOURCE_ROOTS (" + ROOTS_HINT + ")")
WATCH_POLL_SECONDS = 0.2

TaskView = TaskRecord | TaskOutcome
"""A task as a command sees it: its id, plugin, state and error (a record here, or a status read over HTTP)."""
Task = TypeVar("Task", bound=TaskView)


class ServiceDown(ResourceUnavailable):
    """The broker, the task records or the store's disk cannot take work now; every next file would meet the same."""


class QueueFull(ServiceDown, ResourceBusy):
    """More tasks wait than MAX_QUEUE_LENGTH; wait for the workers, then submit again."""


@dataclass(frozen=True)
class Refusal:
    """Why one file was not submitted, in a user's words."""

    reason: str
    unsupported: bool = False
    """No plugin makes proxies of its type: not a failure, the file is simply not for this service."""


def directory_outside_roots(directory: Path, services: Services) -> str | None:
    """The one-line refusal for a folder no file of which the service may read by path, if it is one."""
    if services.sources.under_roots(directory.resolve()):
        return None
    return OUTSIDE_ROOTS % (directory, _roots(services))


def _roots(services: Services) -> str:
    return ":".join(str(root) for root in services.settings.SOURCE_ROOTS) or "unset"


def refusal_of(error: IngestRefused) -> Refusal:
    """A refusal of the intake as the command line says it; one that passes stops the run.

    Raises
    ------
    ServiceDown, QueueFull
        The refusal is of the family that passes (the table's outcome is a retry).
    """
    if handling(error).outcome is Outcome.RETRIED:
        raise (QueueFull if isinstance(error, ResourceBusy) else ServiceDown)(str(error)) from error
    return Refusal(str(error) + (SEE_PLUGINS if error.see_plugins else ""),
                   unsupported=isinstance(error, InputUnsupported))


class FileSubmitter:
    """Gives files to the plugins that should make their proxies, on this host's services.

    Parameters
    ----------
    services
        This host's service container.
    named
        Plugin names (or ``@proxy``) the user asked for; ``None`` for those that handle each file.
    force
        Make the proxies again even where an earlier task succeeded.
    sizes
        Names of PROXY_SIZES to make proxies at (the default box when none).
    callback_url
        Called back when each task ends.
    """

    def __init__(self, services: Services, named: list[str] | None, force: bool, sizes: Sequence[str] = (),
                 callback_url: str | None = None) -> None:
        self.services = services
        self.named = named
        self.force = force
        self.sizes = tuple(sizes)
        self.callback_url = callback_url
        self.watch_interval = WATCH_POLL_SECONDS

    def unknown_plugin(self) -> Refusal | None:
        """The refusal for a named plugin that is not enabled: said once, before any file is walked."""
        refusal = unknown_plugin(self.services.plugins, self.named)
        return None if refusal is None else Refusal(refusal.reason + SEE_PLUGINS)

    def submit(self, path: Path) -> IngestOutcome | Refusal:
        """Submit one file by path; a file that cannot be taken is a :class:`Refusal`.

        Raises
        ------
        ServiceDown, QueueFull
            The service cannot take work now; nothing was queued for this file.
        """
        request = IngestRequest(ByPath(str(path.absolute())), tuple(self.named) if self.named else None,
                                self.sizes, force=self.force, callback_url=self.callback_url)
        try:
            return intake.ingest(request, self.services)
        except IngestForbidden as e:
            refusal = refusal_of(e)
            return Refusal(f"{refusal.reason} ({ROOTS_HINT % _roots(self.services)})")
        except IngestRefused as e:
            return refusal_of(e)

    def submit_tasks(self, path: Path) -> Sequence[TaskOutcome] | Refusal:
        """Submit one file by path: its tasks, or why it was not taken (see :meth:`submit`)."""
        outcome = self.submit(path)
        return outcome if isinstance(outcome, Refusal) else outcome.tasks

    def find(self, task_id: str) -> TaskRecord | None:
        """A task's record, if it has one."""
        return self.services.records.find(task_id)


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
