"""A plugin's job, run in a worker: its durable record, its outcome, and what happens on each kind of error.

Tasks take ids and plain values, never objects, and are idempotent: a task
delivered again (its worker died before acking) makes the same proxy again
and replaces it atomically, so exactly one proxy results. A worker holds the
task it runs by a lease in its record, renewed while it runs: a task
delivered again while its first worker lives is not run twice at once. An
error is handled by its family (:data:`proxyservice.errors.HANDLING`): one
that passes is retried with backoff a bounded number of times; a bad file or
a passed limit fails the task with a plain message.
"""

import importlib
import inspect
import logging
import re
import sys
import time
from dataclasses import replace
from datetime import timedelta
from typing import Any, Callable

from celery.exceptions import SoftTimeLimitExceeded

from ..config import Settings
from ..container import Services
from ..domain import TaskState
from ..errors import InputInvalid, Outcome, ResourceUnavailable, backoff_seconds, handling, may_wait
from ..plugins.context import call_job
from ..plugins.registry import enabled_plugins
from ..services.metrics import CONVERSION_SECONDS, SANDBOX_REFUSALS, TASKS
from ..services.sandbox import SandboxError
from ..services.store import StoreFailed
from ..services.task_records import RecordNotFound
from .callbacks import call_back

logger = logging.getLogger(__name__)

JOB_NOT_ALLOWED = "job %r is not a function of plugin %r's module"
PLUGIN_NOT_ENABLED = "plugin %r is not enabled on this worker"
TIMED_OUT = "timed out: the task ran longer than %d s"
PLUGIN_BUG = "the plugin failed unexpectedly (the worker's log has the details): %s"


class RetryLater(Exception):
    """A transient error: the task should run again after a while."""


class HeldByAnother(Exception):
    """The task was delivered again while a live worker holds it (its lease is renewed): look again after the lease."""


class RecordsAway(Exception):
    """The task's record cannot be read or started now (the database is away): the task waits, without limit,
    and is never acknowledged as done nor run without its record."""


class JobRefused(InputInvalid):
    """A task names a job this worker will not run (unknown plugin, or a function outside it)."""


QUOTED_PATH = re.compile(r"'(/[^'\n]*|[^\s'/:]+/[^\s']*)'" + r'|"(/[^"\n]*|[^\s"/:]+/[^\s"]*)"')
"""A path quoted as Python and Pillow quote one (``'/srv/my data/.proxytmp/x.png'``): whole, spaces and
all, and relative too (a DATA_DIR given as ``data``)."""
HOST_PATH = re.compile(r"(?<![\w.~:/…-])/[^\s'\":,()]+")
"""An absolute path in an error's words: the worker's files are no client's business."""


def _last_part(path: str) -> str:
    return "…/" + path.rstrip("/").rsplit("/", 1)[-1]


def without_paths(words: str) -> str:
    """``words`` with each path shortened to its last part (``…/loop.css``)."""
    def quoted(match: re.Match[str]) -> str:
        quote = match.group(0)[0]
        return f"{quote}{_last_part(match.group(1) or match.group(2))}{quote}"

    return HOST_PATH.sub(lambda match: _last_part(match.group(0)), QUOTED_PATH.sub(quoted, words))


def resolve_job(plugin: str, job: str, settings: Settings) -> Any:
    """The function a task names, if it belongs to an enabled plugin's module.

    Raises
    ------
    JobRefused
        The plugin is not enabled here, or the function is not in its module.
    """
    plugin_class = enabled_plugins(settings).get(plugin)
    if plugin_class is None:
        raise JobRefused(PLUGIN_NOT_ENABLED % plugin)
    module_name, _, function_name = job.partition(":")
    if module_name != plugin_class.__module__ or not function_name.isidentifier():
        raise JobRefused(JOB_NOT_ALLOWED % (job, plugin))
    function = getattr(sys.modules.get(module_name) or importlib.import_module(module_name), function_name, None)
    # Defined there, not imported there: `Path` or `subprocess` in a plugin's module is no job.
    if not inspect.isfunction(function) or function.__module__ != module_name:
        raise JobRefused(JOB_NOT_ALLOWED % (job, plugin))
    return function


def run_plugin_job(
    task_id: str, plugin: str, job: str, args: list[Any], services: Services, attempt: int = 0
) -> None:
    """Run one job and keep its outcome in the task's durable record.

    Raises
    ------
    RetryLater
        A transient error on an attempt before the last; the record says so.
    RecordsAway
        The task's record cannot be started now: the task is to be delivered again later, however long.
    HeldByAnother
        Another worker holds the task now. It may yet die (a killed pool
        child's task comes back at once, before its lease lapses), so the
        delivery is kept for later rather than dropped.
    """
    records = services.records
    lease = timedelta(seconds=services.settings.TASK_LEASE)
    try:
        started = records.start(task_id, lease)
        succeeded = started is None and records.get(task_id).state is TaskState.SUCCEEDED
    except RecordNotFound:
        # Records are written before sending; none means its send was reported
        # failed (503) and the record withdrawn. Nothing to report progress to.
        logger.error("task %s has no record; not run", task_id)
        return
    except ResourceUnavailable as e:
        logger.warning("task %s waits for its record: %s", task_id, e)
        raise RecordsAway(str(e)) from e
    if started is None:
        if succeeded:
            logger.info("task %s already succeeded; delivered again, nothing to do", task_id)
            return
        logger.info("task %s is held by another worker; delivered again, looked at after its lease", task_id)
        raise HeldByAnother(task_id)
    # Held until its outcome is written: a task that waits to record it is not taken for one whose worker died.
    with records.held(task_id, lease):
        _run_started(task_id, started.file_id, plugin, job, args, services, attempt)


def drop_output(task_id: str, file_id: str, services: Services) -> None:
    """Remove what a task stored of a file deleted while it ran (``DELETE /files/<id>``, :mod:`..process.deletion`).

    The deletion forgot the task's record first, so the task finds it gone
    when it ends: its proxies and metadata, stored since, are of a file the
    service no longer knows.
    """
    logger.info("task %s ended after its file %s was deleted: what it stored is removed", task_id, file_id)
    recorded(task_id, services.settings, lambda: services.store.forget(file_id))
    recorded(task_id, services.settings, lambda: services.records.forget_metadata(file_id))


def _run_started(task_id: str, file_id: str, plugin: str, job: str, args: list[Any], services: Services,
                 attempt: int) -> None:
    """Run the job of a task this worker holds, and record its outcome (see :func:`run_plugin_job`)."""
    settings, records = services.settings, services.records

    def finish(state: TaskState, error: str | None = None, warnings: tuple[str, ...] = ()) -> None:
        try:
            recorded(task_id, settings, lambda: records.mark_finished(task_id, state, error=error, warnings=warnings))
        except RecordNotFound:
            drop_output(task_id, file_id, services)
            return
        TASKS.labels(plugin, state.value).inc()
        recorded(task_id, settings, lambda: call_back(task_id, services))

    try:
        function, context = resolve_job(plugin, job, settings), services.job_context
        # An upload staged in object storage is fetched to this host for the job, and removed after it.
        with context.sources.materialize(args) as local_args:
            with CONVERSION_SECONDS.labels(plugin).time():
                result = call_job(function, local_args, context)
    except SoftTimeLimitExceeded:
        finish(TaskState.FAILED, error=TIMED_OUT % settings.TASK_SOFT_TIME_LIMIT)
        return
    except Exception as e:  # every error, the plugin's bugs too, is handled by its family (errors.HANDLING)
        _count_refusal(e)
        handled = handling(e)
        transient = handled.outcome is Outcome.RETRIED
        # A converter whose output was cut short by a full disk fails in its own words
        # ("image file is truncated"): the disk is the cause, and it passes.
        disk_full = not transient and not _store_has_room(services)
        if (transient or disk_full) and may_wait(attempt, settings.RESOURCE_WAIT_SECONDS):
            why = "the proxy store's disk is full" if disk_full else without_paths(str(e))
            logger.warning("task %s met a passing error (try %d): %s", task_id, attempt + 1, why)
            try:
                recorded(task_id, settings, lambda: records.put(
                    replace(records.get(task_id), state=TaskState.QUEUED, error=f"will retry: {why}")))
            except RecordNotFound:
                drop_output(task_id, file_id, services)
                return
            raise RetryLater(why) from e
        # The client's words: never a class name, nor a path on the worker.
        words = without_paths(str(e)) if handled.public else PLUGIN_BUG % without_paths(str(e) or type(e).__name__)
        if transient:
            words = f"gave up after {attempt + 1} tries: {words}"
        logger.log(handled.log_level, "task %s failed: %s", task_id, words, exc_info=handled.traceback)
        finish(TaskState.FAILED, error=words)
        return
    warnings = tuple(result)
    finish(TaskState.SUCCEEDED, warnings=warnings)
    logger.info("task %s succeeded with %d warnings", task_id, len(warnings))


def recorded(task_id: str, settings: Settings, write: Callable[[], object]) -> None:
    """Write what became of a task to its records, waiting for them while they are away.

    The work is done: were the write dropped, the task would be run again
    once its lease lapsed. So it is tried again (1 s doubling, but at least
    once per third of TASK_LEASE, so it lands soon after the database is back)
    for as long as RESOURCE_WAIT_SECONDS.

    Raises
    ------
    ResourceUnavailable
        The records were away all that time: the lease lapses, and the recovery sweep sends the task again.
    """
    deadline = time.monotonic() + settings.RESOURCE_WAIT_SECONDS
    attempt = 0
    while True:
        try:
            write()
            return
        except ResourceUnavailable as e:
            if time.monotonic() > deadline:
                raise
            logger.warning("task %s waits to record what became of it (try %d): %s", task_id, attempt + 1, e)
        time.sleep(min(backoff_seconds(attempt), settings.TASK_LEASE / 3))
        attempt += 1


def _count_refusal(error: Exception) -> None:
    """Count a job the converter sandbox refused or could not run."""
    if isinstance(error, SandboxError):
        SANDBOX_REFUSALS.labels(type(error).__name__).inc()


def _store_has_room(services: Services) -> bool:
    try:
        services.store.check_room()
    except StoreFailed:
        return False
    return True
