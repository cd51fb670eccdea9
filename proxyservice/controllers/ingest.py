"""Ingest: accept a file by path or upload and start the tasks that make its proxies."""

import logging
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any, Callable

from flask import url_for
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    NotFound,
    RequestEntityTooLarge,
    ServiceUnavailable,
    TooManyRequests,
    UnsupportedMediaType,
)

from ..domain import ProxySize, SourceFile
from ..plugins.context import JobContext
from ..plugins.registry import enabled_plugins
from ..process.ingest import IngestOutcome, ingest_file
from ..process.plugin_choice import Plugins, PluginRefusal, choose_plugins
from ..schemas import quoted
from ..services.context import current_settings
from ..services.sandbox import Sandbox
from ..services.sources import (
    SourceEmpty,
    SourceFiles,
    SourceNotFound,
    SourceOutsideRoots,
    SourceTooLarge,
    UploadNotKept,
)
from ..services.store import ProxyStore, StoreFailed
from ..services.task_queue import QueueUnavailable, TaskQueue
from ..services.task_records import RecordsUnavailable, TaskRecords
from ..services.webhooks import CallbackRefused, Webhooks
from . import Response

logger = logging.getLogger(__name__)

OUTSIDE_ROOTS = "path: %s"
NO_SUCH_FILE = "path: %s"
EMPTY_FILE = "file: %s"
SIZE_TOO_LARGE = "size: width and height must be at most %d"
UNKNOWN_SIZE = "sizes: %s is not a size of PROXY_SIZES (%s)"
SEE_PLUGINS = " (see GET /plugins)"
BROKER_DOWN = "the task queue is unreachable; nothing was queued, try again shortly"
QUEUE_FULL = "%d tasks are waiting, more than the service takes (MAX_QUEUE_LENGTH); try again later"
RETRY_AFTER_SECONDS = 30
RECORDS_DOWN = "the task records cannot be written; nothing was queued"
DISK_RETRY_AFTER_SECONDS = 60


def ingest_path(path: str, options: dict[str, Any]) -> Response:
    """Ingest a file that the service reads in place.

    Parameters
    ----------
    path
        Absolute path; it must resolve inside a source root.
    options
        ``plugins``, ``size``, ``force`` and ``callback_url`` from the request, all optional.
    """
    _check_callback(options)
    sources = SourceFiles.current_session()
    try:
        real = sources.resolve(path)
    except SourceOutsideRoots as e:
        raise Forbidden(OUTSIDE_ROOTS % e) from e
    except SourceNotFound as e:
        raise NotFound(NO_SUCH_FILE % e) from e
    except SourceTooLarge as e:
        raise RequestEntityTooLarge(str(e)) from e
    except SourceEmpty as e:
        raise BadRequest(EMPTY_FILE % e) from e
    _check_room()
    return _ingest(real, options)


def ingest_upload(stream: IO[bytes], filename: str, options: dict[str, Any]) -> Response:
    """Ingest an uploaded file: keep it under its hash, then as :func:`ingest_path`."""
    _check_callback(options)
    _check_room()
    try:
        saved = SourceFiles.current_session().save_upload(stream, filename)
    except SourceTooLarge as e:
        raise RequestEntityTooLarge(str(e)) from e
    except SourceEmpty as e:
        raise BadRequest(EMPTY_FILE % e) from e
    except UploadNotKept as e:
        raise ServiceUnavailable(str(e), retry_after=DISK_RETRY_AFTER_SECONDS) from e
    return _ingest(saved, options)


def _check_callback(options: dict[str, Any]) -> None:
    """A callback_url this service will not call is a 400, before anything is kept or queued."""
    url = options.get("callback_url")
    if url is not None:
        try:
            Webhooks.current_session().check(url)
        except CallbackRefused as e:
            raise BadRequest(str(e)) from e


def _check_room() -> None:
    """A full disk is a moment's trouble: 503 with Retry-After, before anything is written or queued."""
    try:
        ProxyStore.current_session().check_room()
    except StoreFailed as e:
        raise ServiceUnavailable(str(e), retry_after=DISK_RETRY_AFTER_SECONDS) from e


def _proxy_sizes(options: dict[str, Any]) -> list[ProxySize]:
    """Every box asked for: those named by ``sizes``, then ``size``'s; none when the request names none."""
    names: list[str] = options.get("sizes", [])
    named = current_settings().named_sizes
    unknown = [name for name in names if name not in named]
    if unknown:
        raise NotFound(UNKNOWN_SIZE % (quoted(unknown[0]), ", ".join(named)))  # as a plugin that is not enabled
    boxes = [named[name] for name in names]
    if names and "size" in options:
        boxes.append(_proxy_size(options))
    return list(dict.fromkeys(boxes))


def _proxy_size(options: dict[str, Any]) -> ProxySize:
    settings = current_settings()
    size = options.get("size")
    if size is None:
        return settings.default_proxy_size
    if max(size["width"], size["height"]) > settings.MAX_PROXY_SIDE:
        raise BadRequest(SIZE_TOO_LARGE % settings.MAX_PROXY_SIDE)
    return ProxySize(size["width"], size["height"])


def _choose_plugins(source: SourceFile, named: list[str] | None) -> Plugins:
    chosen = choose_plugins(enabled_plugins(current_settings()), source, named)
    if isinstance(chosen, PluginRefusal):
        if chosen.not_enabled:
            raise NotFound(chosen.reason + SEE_PLUGINS)
        raise UnsupportedMediaType(chosen.reason)
    return chosen


def _ingest(path: Path, options: dict[str, Any]) -> Response:
    settings = current_settings()
    sources = SourceFiles.current_session()
    # An upload was hashed as it arrived; a path is hashed here.
    sizes = _proxy_sizes(options)
    source = sources.describe(path, sizes[0] if sizes else _proxy_size(options))
    chosen = _choose_plugins(source, options.get("plugins"))
    queue = TaskQueue.current_session()

    def admit() -> None:
        """Refuse the ingest while the queue is full: asked only when a task is to be started."""
        try:
            waiting = queue.length()
        except QueueUnavailable as e:
            raise ServiceUnavailable(BROKER_DOWN) from e
        if waiting >= settings.MAX_QUEUE_LENGTH:
            raise TooManyRequests(QUEUE_FULL % waiting, retry_after=RETRY_AFTER_SECONDS)

    store = ProxyStore.current_session()
    # A plugin that works in process() (not async) stores its proxies through the job context.
    context = JobContext(settings, store, sources, Sandbox.current_session())
    try:
        with context.active():
            outcome = ingest_file(
                source, chosen, TaskRecords.current_session(), queue, store, force=bool(options.get("force", False)),
                callback_url=options.get("callback_url"), sizes=sizes, admit=admit,
            )
    except RecordsUnavailable as e:
        raise ServiceUnavailable(RECORDS_DOWN) from e
    if any(isinstance(e, QueueUnavailable) for e in outcome.send_errors):
        raise ServiceUnavailable(BROKER_DOWN)
    return _answer(outcome)


def ingest_body(outcome: IngestOutcome, build_url: Callable[..., str] = url_for) -> dict[str, Any]:
    """What ``POST /ingest`` answers of a file and its tasks.

    Parameters
    ----------
    build_url
        Builds a route's URL from its endpoint and values: Flask's ``url_for``
        in a request, a path builder without one (the command line).
    """
    file_id = outcome.source.file_id
    return {
        "file_id": file_id,
        "filename": outcome.source.name,
        "mimetype": outcome.source.mimetype,
        "proxies_url": build_url("api.list_proxies", file_id=file_id),
        "tasks": [
            {
                "task_id": task.task_id,
                "plugin": task.plugin,
                "status": task.state.value,
                "reused": task.reused,
                "error": task.error,
                "status_url": build_url("api.task_status", task_id=task.task_id),
            }
            for task in outcome.tasks
        ],
    }


def _answer(outcome: IngestOutcome) -> Response:
    body = ingest_body(outcome)
    proxies_url = body["proxies_url"]
    if outcome.pending:
        location = url_for("api.task_status", task_id=outcome.pending[0].task_id)
        return body, HTTPStatus.ACCEPTED, {"Location": location}
    if outcome.succeeded:
        return body, HTTPStatus.SEE_OTHER, {"Location": proxies_url}
    return body, HTTPStatus.OK, {}
