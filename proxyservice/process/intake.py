"""The intake use case: one file, named by path or uploaded, given to the plugins that make its proxies.

Every side calls it with a frozen :class:`IngestRequest`: ``POST /ingest``
(and so the browser view), the command line on the service's host, and
``ingest DIR``. It decides the plugins, the sizes and whether earlier tasks
are reused (:func:`.ingest.ingest_file`), and refuses with
:class:`IngestRefused` (:mod:`.refusals`), whose family (:mod:`proxyservice.errors`)
says what each side answers: a status code, a line and an exit code.

It reaches the services only through :class:`IntakeServices`: what the
service container offers, as a ``Protocol`` (no I/O of its own here).
"""

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Literal, Protocol, Sequence

from ..config import Settings
from ..domain import ProxySize, SourceFile
from ..errors import InputForbidden, InputInvalid, InputNotFound, ProxyServiceError, ResourceUnavailable
from .ingest import IngestOutcome, JobSender, ProxyLister, TaskBook, ingest_file
from .plugin_choice import EnabledPlugins, PluginRefusal, choose_plugins
from .refusals import (IngestForbidden, IngestInvalid, IngestNotFound, IngestQueueFull, IngestRefused, IngestTooLarge,
                       IngestUnavailable, IngestUnsupported, refused)

logger = logging.getLogger(__name__)

QUEUE_FULL = "%d tasks are waiting, more than the service takes (MAX_QUEUE_LENGTH)"
BROKER_DOWN = "the task queue's broker (BROKER_URL) is unreachable; nothing was queued: try again shortly"
SERVICES_DOWN = ("the task records or the proxy store cannot be used now; nothing was queued: "
                 "try again shortly")
UNKNOWN_SIZE = "sizes: %s is not a size of PROXY_SIZES (%s)"
SIZE_TOO_LARGE = "size: width and height must be at most %d"
TOO_MANY_PAGES = 'pages: at most %d pages may be asked for (MAX_PAGES); "all" asks for every page up to that'
ALL_PAGES: Literal["all"] = "all"
DISK_RETRY_AFTER_SECONDS = 60


@dataclass(frozen=True)
class ByPath:
    """A file the service reads in place: it must resolve inside a source root."""

    path: str


@dataclass(frozen=True)
class Upload:
    """A file sent with the request, kept under its hash."""

    stream: IO[bytes]
    filename: str


@dataclass(frozen=True)
class Bundle:
    """A page sent with the files it refers to: one ``.zip`` of its folder, or several files named by their paths."""

    files: tuple[Upload, ...]
    page: str | None = None
    """The page's path among them; ``None``: ``index.html`` at their top, or the only page there."""


@dataclass(frozen=True)
class IngestRequest:
    """What a client asks of one file.

    Parameters
    ----------
    source
        The file: by path, uploaded, or a page uploaded with its files.
    plugins
        Plugin names (or ``@proxy``); ``None`` for those that handle the file.
    sizes
        Names of PROXY_SIZES to make proxies at, each a task of its own.
    size
        A box of the client's own; with ``sizes``, one more box; alone, the one box.
    force
        Make the proxies again even where an earlier task succeeded.
    callback_url
        Called back when each task started or joined ends.
    pages
        How many pages (of a video, frames) to make a proxy of each of, from the first; ``"all"``, up to
        MAX_PAGES; ``None``, the first page's proxies alone.
    """

    source: ByPath | Upload | Bundle
    plugins: tuple[str, ...] | None = None
    sizes: tuple[str, ...] = ()
    size: ProxySize | None = None
    force: bool = False
    callback_url: str | None = None
    pages: int | Literal["all"] | None = None


class IntakeServices(Protocol):
    """What the intake needs of the service container."""

    settings: Settings

    @property
    def plugins(self) -> EnabledPlugins: ...

    @property
    def sources(self) -> "SourceReader": ...

    @property
    def store(self) -> "ProxyRoom": ...

    @property
    def records(self) -> TaskBook: ...

    @property
    def queue(self) -> "TaskSender": ...

    @property
    def webhooks(self) -> "CallbackCheck": ...


class SourceReader(Protocol):
    """The source files: a named path resolved, an upload kept, a file described."""

    def resolve(self, path: str) -> Path: ...

    def save_upload(self, stream: IO[bytes], filename: str) -> Path: ...

    def save_bundle(self, parts: Sequence[tuple[IO[bytes], str]], page: str | None) -> Path: ...

    def describe(self, path: Path, proxy_size: ProxySize) -> SourceFile: ...


class ProxyRoom(ProxyLister, Protocol):
    """The proxy store: its proxies, and whether its disk has room for more."""

    def check_room(self) -> None: ...


class TaskSender(JobSender, Protocol):
    """The task queue: where jobs go, and how many wait."""

    def length(self) -> int: ...


class CallbackCheck(Protocol):
    """The webhooks: whether a callback URL may be called."""

    def check(self, url: str) -> str: ...


def ingest(request: IngestRequest, services: IntakeServices) -> IngestOutcome:
    """Take one file: keep or resolve it, choose its plugins and sizes, and start (or find) its tasks.

    Raises
    ------
    IngestRefused
        The file or the request cannot be taken, or a service cannot take work now; nothing was queued.
    """
    settings = services.settings
    sizes = _proxy_sizes(request, settings)  # a bad size is refused before an upload is kept
    pages = _pages(request, settings)
    if request.callback_url is not None:
        try:
            services.webhooks.check(request.callback_url)
        except ProxyServiceError as e:
            raise refused(e) from e
    try:
        if isinstance(request.source, Upload):
            services.store.check_room()
            path = services.sources.save_upload(request.source.stream, request.source.filename)
        elif isinstance(request.source, Bundle):
            services.store.check_room()
            parts = [(upload.stream, upload.filename) for upload in request.source.files]
            path = services.sources.save_bundle(parts, request.source.page)
        else:
            path = services.sources.resolve(request.source.path)
            services.store.check_room()
        source = replace(services.sources.describe(path, sizes[0]), pages=pages)
    except ProxyServiceError as e:
        raise _source_refused(e, isinstance(request.source, Bundle)) from e
    chosen = choose_plugins(services.plugins, source, request.plugins)
    if isinstance(chosen, PluginRefusal):
        refusal = IngestNotFound(chosen.reason) if chosen.not_enabled else IngestUnsupported(chosen.reason)
        refusal.see_plugins = chosen.not_enabled
        raise refusal
    queue = services.queue

    def admit() -> None:
        """Refuse while the queue is full: asked once, and only when a task is to be started."""
        try:
            waiting = queue.length()
        except ResourceUnavailable as e:
            raise IngestUnavailable(BROKER_DOWN) from e
        if waiting >= settings.MAX_QUEUE_LENGTH:
            raise IngestQueueFull(QUEUE_FULL % waiting)

    try:
        outcome = ingest_file(source, chosen, services.records, queue, services.store, force=request.force,
                              callback_url=request.callback_url, sizes=sizes if request.sizes else (), admit=admit)
    except IngestRefused:
        raise
    except ResourceUnavailable as e:  # the records, or the store's listing: its words are for the log
        logger.warning("ingest of %s refused: %s", source.path, e)
        raise IngestUnavailable(SERVICES_DOWN) from e
    if any(isinstance(e, ResourceUnavailable) for e in outcome.send_errors):
        raise IngestUnavailable(BROKER_DOWN)
    return outcome


def _source_refused(error: ProxyServiceError, bundle: bool = False) -> IngestRefused:
    """The file's refusal, saying what was wrong: its path (not found, or not allowed), or the file (empty).

    A page's files name what was wrong themselves: the page, the zip, or the upload.
    """
    if bundle and not isinstance(error, ResourceUnavailable):
        return refused(error)
    if isinstance(error, (InputForbidden, InputNotFound)):
        return refused(error, f"path: {error}")
    if isinstance(error, ResourceUnavailable):  # a full disk: room comes back as proxies are swept
        return IngestUnavailable(str(error), retry_after=error.retry_after or DISK_RETRY_AFTER_SECONDS)
    if isinstance(error, InputInvalid):
        return refused(error, f"file: {error}")
    return refused(error)


def _proxy_sizes(request: IngestRequest, settings: Settings) -> list[ProxySize]:
    """Every box asked for: those named by ``sizes``, then ``size``'s; the default box when none is named."""
    named = settings.named_sizes if request.sizes else {}
    unknown = [name for name in request.sizes if name not in named]
    if unknown:  # as a plugin that is not enabled
        raise IngestNotFound(UNKNOWN_SIZE % (repr(unknown[0]), ", ".join(named)))
    box = request.size
    if box is not None and max(box.width, box.height) > settings.MAX_PROXY_SIDE:
        raise IngestInvalid(SIZE_TOO_LARGE % settings.MAX_PROXY_SIDE)
    boxes: list[ProxySize] = [named[name] for name in request.sizes]
    if box is not None or not boxes:
        boxes.append(box or settings.default_proxy_size)
    return list(dict.fromkeys(boxes))


def _pages(request: IngestRequest, settings: Settings) -> int | None:
    """The number of pages asked for: ``"all"`` is MAX_PAGES, more than that is refused."""
    if request.pages is None or request.pages == ALL_PAGES:
        return None if request.pages is None else settings.MAX_PAGES
    if request.pages > settings.MAX_PAGES:
        raise IngestInvalid(TOO_MANY_PAGES % settings.MAX_PAGES)
    return request.pages
