"""The Celery app of the workers and its one task: run a plugin's job.

Tasks take ids and plain values, never objects, and are idempotent: a task
delivered again (its worker died before acking) makes the same proxy again
and replaces it atomically, so exactly one proxy results. A transient error
is retried with backoff a bounded number of times. A worker holds the task
it runs by a lease in its record, renewed while it runs: a task delivered
again while its first worker lives is not run twice at once. One worker at a
time also sweeps, at start and every RECOVERY_INTERVAL, for tasks that were
lost (their worker died, or the broker restarted without its data) and sends
them again.
"""

import importlib
import inspect
import logging
import os
import re
import socket
import sys
import threading
import time
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

from celery import Celery, Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import setup_logging, worker_process_shutdown, worker_ready
from flask import Flask

from .config import Settings
from .controllers.tasks import task_body
from .domain import TaskState
from .errors import InputInvalid, Outcome, handling
from .factory import create_web_app
from .logging_config import configure_logging
from .plugins.context import JobContext, call_job
from .plugins.registry import enabled_plugins
from .process.recovery import SETTLE, lost_tasks
from .services.metrics import CONVERSION_SECONDS, SANDBOX_REFUSALS, TASKS, process_ended, serve_metrics
from .services.request_ids import TASK_HEADER, current_request_id
from .services.sandbox import SandboxError
from .services.store import ProxyStore, StoreFailed
from .services.task_queue import DELIVER_CALLBACK, RUN_PLUGIN_JOB, QueueError, TaskQueue, celery_config
from .services.task_records import RecordNotFound, TaskRecords, TaskRecordsError
from .services.webhooks import CallbackFailed, CallbackRefused, Webhooks
from .worker_status import register_status_command

logger = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 60
MAX_CALLBACK_BACKOFF_SECONDS = 600
JOB_NOT_ALLOWED = "job %r is not a function of plugin %r's module"
PLUGIN_NOT_ENABLED = "plugin %r is not enabled on this worker"
RECOVERY_LOCK = "recovery"
"""The records' lock that gives one worker at a time the recovery sweep."""
TIMED_OUT = "timed out: the task ran longer than %d s"
PLUGIN_BUG = "the plugin failed unexpectedly (the worker's log has the details): %s"


class RetryLater(Exception):
    """A transient error: the task should run again after a while."""


class HeldByAnother(Exception):
    """The task was delivered again while a live worker holds it (its lease is renewed): look again after the lease."""


class JobRefused(InputInvalid):
    """A task names a job this worker will not run (unknown plugin, or a function outside it)."""


HOST_PATH = re.compile(r"(?<![\w.~:/-])/[^\s'\":,()]+")
"""An absolute path in an unexpected error's words: the worker's files are no client's business."""


def without_paths(words: str) -> str:
    """``words`` with each absolute path shortened to its last part (``…/loop.css``)."""
    return HOST_PATH.sub(lambda match: "…/" + match.group(0).rstrip("/").rsplit("/", 1)[-1], words)


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
    task_id: str, plugin: str, job: str, args: list[Any], settings: Settings, attempt: int = 0
) -> None:
    """Run one job and keep its outcome in the task's durable record.

    Raises
    ------
    RetryLater
        A transient error on an attempt before the last; the record says so.
    HeldByAnother
        Another worker holds the task now. It may yet die (a killed pool
        child's task comes back at once, before its lease lapses), so the
        delivery is kept for later rather than dropped.
    """
    records = TaskRecords.current_session()
    lease = timedelta(seconds=settings.TASK_LEASE)
    try:
        started = records.start(task_id, lease)
    except RecordNotFound:
        # Records are written before sending; none means its send was reported
        # failed (503) and the record withdrawn. Nothing to report progress to.
        logger.error("task %s has no record; not run", task_id)
        return
    if started is None:
        if records.get(task_id).state is TaskState.SUCCEEDED:
            logger.info("task %s already succeeded; delivered again, nothing to do", task_id)
            return
        logger.info("task %s is held by another worker; delivered again, looked at after its lease", task_id)
        raise HeldByAnother(task_id)
    def finish(state: TaskState, error: str | None = None, warnings: tuple[str, ...] = ()) -> None:
        records.mark_finished(task_id, state, error=error, warnings=warnings)
        TASKS.labels(plugin, state.value).inc()
        call_back(task_id)

    try:
        function, context = resolve_job(plugin, job, settings), JobContext.from_settings(settings)
        # An upload staged in object storage is fetched to this host for the job, and removed after it.
        with records.held(task_id, lease), context.sources.materialize(args) as local_args:
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
        disk_full = not transient and not _store_has_room()
        if (transient or disk_full) and attempt < settings.TASK_MAX_RETRIES:
            why = "the proxy store's disk is full" if disk_full else str(e)
            logger.warning("task %s met a passing error (try %d): %s", task_id, attempt + 1, why)
            records.put(replace(records.get(task_id), state=TaskState.QUEUED, error=f"will retry: {why}"))
            raise RetryLater(why) from e
        # The client's words: never a class name, nor a path on the worker.
        words = without_paths(str(e)) if handled.public else PLUGIN_BUG % without_paths(str(e) or type(e).__name__)
        if transient:
            words = f"gave up after {attempt + 1} tries: {words}"
        logger.log(handled.log_level, "task %s failed: %s", task_id, words, exc_info=handled.traceback)
        finish(TaskState.FAILED, error=words)
        return
    warnings = tuple(str(w) for w in (result or ()))
    finish(TaskState.SUCCEEDED, warnings=warnings)
    logger.info("task %s succeeded with %d warnings", task_id, len(warnings))


def call_back(task_id: str) -> None:
    """Send a callback of a task that ended to each URL that asked for one; each is taken once. Needs an app context.

    A broker that is down loses the callbacks, not the task's outcome: the
    record keeps it, and ``GET /status/<task_id>`` shows it.
    """
    for url in TaskRecords.current_session().take_callbacks(task_id):
        try:
            TaskQueue.current_session().send_callback(task_id, url)
        except QueueError as e:
            logger.warning("task %s: the callback to %s is lost: %s", task_id, url, e)


def deliver_callback(task_id: str, url: str) -> None:
    """POST the task's status document to ``url``, signed. Needs an app context.

    Raises
    ------
    CallbackFailed
        The receiver did not take it: the caller tries again later.
    """
    record = TaskRecords.current_session().get(task_id)
    try:
        Webhooks.current_session().deliver(url, task_body(record))
    except CallbackRefused as e:
        logger.warning("task %s: callback to %s not sent: %s", task_id, url, e)
        return
    logger.info("task %s: called back %s", task_id, url)


def _count_refusal(error: Exception) -> None:
    """Count a job the converter sandbox refused or could not run."""
    if isinstance(error, SandboxError):
        SANDBOX_REFUSALS.labels(type(error).__name__).inc()


def _store_has_room() -> bool:
    try:
        ProxyStore.current_session().check_room()
    except StoreFailed:
        return False
    return True


def create_worker_app(settings: Settings | None = None) -> tuple[Flask, Celery]:
    """Build the Flask app (for the services) and the Celery app of a worker."""
    flask_app = create_web_app(settings, serve_http=False)
    settings = flask_app.config["PROXYSERVICE_SETTINGS"]
    celery_app = Celery("proxyservice")

    def configure_worker_logging(**_: Any) -> None:
        configure_logging(settings)

    # A receiver of setup_logging makes Celery leave logging to it: the settings' format, with request ids.
    setup_logging.connect(configure_worker_logging, weak=False)
    celery_app.conf.update(celery_config(settings))
    register_status_command(flask_app)

    class AppContextTask(Task):
        """Runs every task inside the Flask app context, where services live."""

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # Every log line of the task carries the id of the request that sent it.
            named = current_request_id.set(getattr(self.request, TASK_HEADER, None))
            try:
                with flask_app.app_context():
                    return self.run(*args, **kwargs)
            finally:
                current_request_id.reset(named)

    @celery_app.task(name=RUN_PLUGIN_JOB, base=AppContextTask, bind=True)
    def run_plugin_job_task(self: Task, task_id: str, plugin: str, job: str, args: list[Any]) -> None:
        retries = self.request.retries
        try:
            run_plugin_job(task_id, plugin, job, args, settings, attempt=retries)
        except RetryLater as e:
            raise self.retry(exc=e, countdown=min(2**retries, MAX_BACKOFF_SECONDS),
                             max_retries=settings.TASK_MAX_RETRIES) from e
        except HeldByAnother as e:
            # No limit: the holder finishes or dies within TASK_TIME_LIMIT, and then this ends.
            raise self.retry(exc=e, countdown=settings.TASK_LEASE, max_retries=None) from e

    @celery_app.task(name=DELIVER_CALLBACK, base=AppContextTask, bind=True)
    def deliver_callback_task(self: Task, task_id: str, url: str) -> None:
        try:
            deliver_callback(task_id, url)
        except CallbackFailed as e:
            retries = self.request.retries
            if retries >= settings.WEBHOOK_MAX_RETRIES:
                logger.warning("task %s: gave up calling back %s after %d tries: %s", task_id, url, retries + 1, e)
                return
            logger.warning("task %s: %s; trying again (try %d)", task_id, e, retries + 1)
            countdown = min(settings.WEBHOOK_RETRY_SECONDS * 2**retries, MAX_CALLBACK_BACKOFF_SECONDS)
            raise self.retry(exc=e, countdown=countdown, max_retries=settings.WEBHOOK_MAX_RETRIES) from e

    def start_recovery(**_: Any) -> None:
        threading.Thread(target=_recover_forever, args=(flask_app, settings), name="recovery", daemon=True).start()
        if settings.WORKER_METRICS_PORT:
            serve_metrics(settings.WORKER_METRICS_PORT)

    def forget_ended_process(pid: int, **_: Any) -> None:
        process_ended(pid)

    worker_process_shutdown.connect(forget_ended_process, weak=False)

    # Signals keep weak references: this nested function must be held strongly.
    worker_ready.connect(start_recovery, weak=False)

    return flask_app, celery_app


def recover_lost_tasks(sweeper: str, settings: Settings) -> list[str] | None:
    """Send again the tasks that were lost; return their ids, or ``None`` when another sweeper holds the turn.

    Needs an app context. One sweeper at a time, across all workers on all
    hosts, holds the records' recovery lock, for RECOVERY_INTERVAL at a time,
    and keeps it while it sweeps. Lost tasks are those whose worker died
    (their lease lapsed) and, when the broker restarted without its data,
    those that were queued in it. The records give each to one sweeper
    (:meth:`TaskRecords.claim_lost`), so none is sent twice.

    Parameters
    ----------
    sweeper
        Who sweeps: this worker process, named uniquely.
    settings
        RECOVERY_INTERVAL: how long the turn is held.
    """
    queue = TaskQueue.current_session()
    # This runs in the worker's main process while billiard forks pool children:
    # a child forked with a records connection open here loses its writes (see
    # TaskRecords.no_fork_while_open). The connection is closed before the broker is asked.
    with TaskRecords.current_session().no_fork_while_open() as records:
        if not records.take_lock(RECOVERY_LOCK, sweeper, timedelta(seconds=settings.RECOVERY_INTERVAL)):
            return None
    broker_forgot = queue.forgot_its_tasks()
    with TaskRecords.current_session().no_fork_while_open() as records:
        lapsed = records.lapsed()
        queued = records.in_state(TaskState.QUEUED) if broker_forgot else []
    lost = lost_tasks(queued, lapsed, broker_forgot)
    if not lost:
        return []
    with TaskRecords.current_session().no_fork_while_open() as records:
        # Only those still as read (a task that finished meanwhile is not run again),
        # and not sent again by another worker within the settling time.
        taken = records.claim_lost(lost, SETTLE)
    orphans = {record.task_id for record in lapsed}
    for record in taken:
        why = "its worker died" if record.task_id in orphans else "the broker lost it"
        logger.warning("task %s: %s; sending it again", record.task_id, why)
        queue.send(record.task_id, record.plugin, record.job, list(record.args))
    return [record.task_id for record in taken]


def _recover_forever(flask_app: Flask, settings: Settings) -> None:
    sweeper = f"{socket.gethostname()}/{os.getpid()}/{uuid.uuid4().hex[:8]}"
    first = True
    while True:
        try:
            with flask_app.app_context():
                sent = recover_lost_tasks(sweeper, settings)
            if first:
                done = "another worker holds the turn" if sent is None else f"{len(sent)} task(s) sent again"
                logger.info("lost-task recovery: first sweep done (%s); sweeping every %d s", done,
                            settings.RECOVERY_INTERVAL)
        except (QueueError, TaskRecordsError) as e:
            logger.warning("cannot recover lost tasks now: %s", e)
        first = False
        with flask_app.app_context():
            # What a killed worker left half-made: no task runs longer than its hard limit.
            ProxyStore.current_session().sweep_temp(older_than=settings.TASK_TIME_LIMIT)
        time.sleep(settings.RECOVERY_INTERVAL)
