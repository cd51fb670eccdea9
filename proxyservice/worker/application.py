"""The Celery app of the workers and its tasks: run a plugin's job, deliver a callback."""

import logging
import threading
from typing import Any

from celery import Celery, Task
from celery.signals import setup_logging, worker_process_shutdown, worker_ready

from ..config import Settings
from ..container import Services
from ..errors import Outcome, backoff_seconds, handling
from ..logging_config import configure_logging
from ..services.metrics import process_ended, serve_metrics
from ..services.request_ids import TASK_HEADER, current_request_id
from ..services.task_queue import DELIVER_CALLBACK, RUN_PLUGIN_JOB, celery_config
from .callbacks import deliver_callback
from .jobs import HeldByAnother, RecordsAway, RetryLater, run_plugin_job
from .recovery import recover_forever
from .status import register_status_command

logger = logging.getLogger(__name__)

MAX_CALLBACK_BACKOFF_SECONDS = 600


def create_worker_app(settings: Settings | None = None) -> Celery:
    """Build the Celery app of a worker, and the service container its tasks use.

    The container is built in the main process; a pool child forked from it
    uses one of its own (:meth:`Services.in_this_process`), so no connection
    crosses ``fork()``.
    """
    settings = settings or Settings.from_environ()
    services = Services(settings)
    # Built now: a setting the sandbox cannot take (a source root that holds the converters' own files) stops the
    # worker at start, with its reason, rather than failing every task.
    services.sandbox
    celery_app = Celery("proxyservice")

    def configure_worker_logging(**_: Any) -> None:
        configure_logging(settings)

    # A receiver of setup_logging makes Celery leave logging to it: the settings' format, with request ids.
    setup_logging.connect(configure_worker_logging, weak=False)
    celery_app.conf.update(celery_config(settings))
    register_status_command(services)

    class ServiceTask(Task):
        """Runs every task under the id of the request that sent it, and closes what it opened at its end."""

        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            # Every log line of the task carries the id of the request that sent it.
            named = current_request_id.set(getattr(self.request, TASK_HEADER, None))
            try:
                return self.run(*args, **kwargs)
            finally:
                services.in_this_process().end_of_work()
                current_request_id.reset(named)

    # max_retries=None here, on the task: the same argument to retry() means "the task's own" (Celery's
    # default, 3), after which the 4th try raised its error, was acknowledged and left its record queued for good.
    @celery_app.task(name=RUN_PLUGIN_JOB, base=ServiceTask, bind=True, max_retries=None)
    def run_plugin_job_task(self: Task, task_id: str, plugin: str, job: str, args: list[Any]) -> None:
        retries = self.request.retries
        try:
            run_plugin_job(task_id, plugin, job, args, services.in_this_process(), attempt=retries)
        except RetryLater as e:
            # The job decides when to give up (RESOURCE_WAIT_SECONDS); Celery only waits.
            raise self.retry(exc=e, countdown=backoff_seconds(retries)) from e
        except HeldByAnother as e:
            # No limit: the holder finishes or dies within TASK_TIME_LIMIT, and then this ends.
            raise self.retry(exc=e, countdown=settings.TASK_LEASE) from e
        except RecordsAway as e:
            # No limit either: a task whose record cannot be started waits for its database, never fails unrecorded.
            raise self.retry(exc=e, countdown=backoff_seconds(retries)) from e

    @celery_app.task(name=DELIVER_CALLBACK, base=ServiceTask, bind=True)
    def deliver_callback_task(self: Task, task_id: str, url: str) -> None:
        try:
            deliver_callback(task_id, url, services.in_this_process())
        except Exception as e:  # handled by its family (errors.HANDLING), as a job's errors are
            handled, retries = handling(e), self.request.retries
            if handled.outcome is Outcome.RETRIED and retries < settings.WEBHOOK_MAX_RETRIES:
                logger.warning("task %s: callback to %s: %s; trying again (try %d)", task_id, url, e, retries + 1)
                countdown = min(settings.WEBHOOK_RETRY_SECONDS * 2**retries, MAX_CALLBACK_BACKOFF_SECONDS)
                raise self.retry(exc=e, countdown=countdown, max_retries=settings.WEBHOOK_MAX_RETRIES) from e
            gave_up = f" after {retries + 1} tries" if handled.outcome is Outcome.RETRIED else ""
            logger.log(handled.log_level, "task %s: callback to %s not sent%s: %s", task_id, url, gave_up, e,
                       exc_info=handled.traceback)

    def start_recovery(**_: Any) -> None:
        threading.Thread(target=recover_forever, args=(services,), name="recovery", daemon=True).start()
        if settings.WORKER_METRICS_PORT:
            serve_metrics(settings.WORKER_METRICS_PORT)

    def forget_ended_process(pid: int, **_: Any) -> None:
        process_ended(pid)

    worker_process_shutdown.connect(forget_ended_process, weak=False)

    # Signals keep weak references: this nested function must be held strongly.
    worker_ready.connect(start_recovery, weak=False)

    return celery_app
