"""Liveness and readiness for the orchestrator: is this process serving, and is every dependency up."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from http import HTTPStatus
from typing import Any, Callable

from ..config import Settings
from ..container import Services
from ..services.store import ProxyStore
from ..services.task_queue import TaskQueue
from ..services.task_records import TaskRecords
from . import Response

logger = logging.getLogger(__name__)

Check = Callable[[], dict[str, Any]]
CHECK_TIMED_OUT = "did not answer within %.1f s"
FRESH_SECONDS = 1.0
"""How long one round of checks answers readiness in this process."""
_lock = threading.Lock()
_answers: dict[Settings, tuple[float, bool, dict[str, dict[str, Any]]]] = {}
NO_WORKER = "no worker answered: the converters run on the workers"


def _store(store: ProxyStore) -> Check:
    return lambda: {"up": store.is_available(), "location": store.location}


def _records(records: TaskRecords) -> Check:
    return lambda: {"up": records.is_available()}


def _broker(queue: TaskQueue, timeout: float) -> Check:
    return lambda: {"up": queue.is_available(timeout)}


def _workers(queue: TaskQueue, timeout: float) -> Check:
    def check() -> dict[str, Any]:
        if not queue.is_available(timeout):
            return {"up": False, "error": "the broker is unreachable", "workers": []}
        names = queue.workers_answering(timeout)
        return {"up": bool(names), "workers": names}

    return check


def _renderer(queue: TaskQueue, timeout: float) -> Check:
    """The converters and their sandbox, as a worker reports them: they run there, not here."""

    def check() -> dict[str, Any]:
        answer = queue.converter_status(timeout)
        if answer is None:
            return {"up": False, "error": NO_WORKER}
        worker, status = answer
        return {**status, "up": bool(status.get("up")), "worker": worker}

    return check


def liveness() -> Response:
    """This process answers: ``200``, asking nothing of broker, workers, records or store.

    A web container whose workers are merely absent is alive; restarting it
    would not bring them. Readiness (:func:`readiness`) says whether to send it work.
    """
    return {"alive": True}, HTTPStatus.OK, {"Cache-Control": "no-store"}


def readiness(services: Services, details: bool = False) -> Response:
    """Each dependency's state; ``200`` when all are up, ``503`` otherwise.

    The checks run side by side, each bounded by STATUS_CHECK_TIMEOUT, so the
    answer comes within about that time even when a dependency hangs. One
    answer serves every request of this process for :data:`FRESH_SECONDS`: a
    flood of probes (the route needs no token) costs one round of checks a
    second, never a worker thread each.

    Parameters
    ----------
    details
        Whether to say why, where and which versions (for a client with a token):
        without it, only whether each dependency is up.
    """
    settings = services.settings
    with _lock:
        fresh = _answers.get(settings)
        if fresh is None or time.monotonic() - fresh[0] > FRESH_SECONDS:
            fresh = (time.monotonic(), *_check_everything(services, settings.STATUS_CHECK_TIMEOUT))
            _answers[settings] = fresh
    _, ready, results = fresh
    shown = results if details else {name: {"up": result["up"]} for name, result in results.items()}
    body = {"ready": ready, "checks": shown}
    return body, HTTPStatus.OK if ready else HTTPStatus.SERVICE_UNAVAILABLE, {"Cache-Control": "no-store"}


def _check_everything(services: Services, timeout: float) -> tuple[bool, dict[str, dict[str, Any]]]:
    queue = services.queue
    checks: dict[str, Check] = {
        "store": _store(services.store),
        "task_records": _records(services.records),
        "broker": _broker(queue, timeout),
        "workers": _workers(queue, timeout),
        "renderer": _renderer(queue, timeout),
    }
    pool = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readiness")
    started = time.monotonic()
    futures = {name: pool.submit(check) for name, check in checks.items()}
    results: dict[str, dict[str, Any]] = {}
    # Each check has its own timeout; a little slack lets a check that
    # honours it report its own reason.
    deadline = started + 2 * timeout + 0.5
    for name, future in futures.items():
        try:
            results[name] = future.result(timeout=max(deadline - time.monotonic(), 0.0))
        except FutureTimeout:
            results[name] = {"up": False, "error": CHECK_TIMED_OUT % (time.monotonic() - started)}
        except Exception as e:  # a check that breaks reports the dependency down
            logger.exception("readiness check %s failed", name)
            results[name] = {"up": False, "error": f"{type(e).__name__}: {e}"}
    pool.shutdown(wait=False, cancel_futures=True)
    return all(result["up"] for result in results.values()), results
