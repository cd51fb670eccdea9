"""The one service container of a process, built once from the settings (thumbor's ``Context``).

The web app (:mod:`.factory`), the worker (:mod:`.worker.application`) and
the command line (:mod:`.cli`) each build one :class:`Services` and hand it
down: controllers, the intake use case and the worker's jobs take it as an
argument, and a plugin's job sees the narrow part of it that
:meth:`Services.job_context` gives. Nothing looks a service up on Flask's
``g``, so the worker and the command line never import Flask.

Each service is made on first use, then kept: a web app that never sends a
job builds no Celery app. A test swaps one by assigning it
(``services.queue = InMemoryTaskQueue()``).
"""

import os
from functools import cached_property

from .config import Settings
from .plugins.context import JobContext
from .plugins.registry import PluginSet, enabled_plugins
from .services.auth import Auth
from .services.renderer import HtmlRenderer
from .services.sandbox import Sandbox
from .services.sources import SourceFiles
from .services.store import ProxyStore, store_for
from .services.task_queue import TaskQueue
from .services.task_records import TaskRecords
from .services.webhooks import Webhooks


class Services:
    """Every service of this process.

    Parameters
    ----------
    settings
        What every service is built from.
    keep_connections
        Whether the task records keep their SQLite connections open between
        uses: only in a process that never forks once built (a web app under
        uWSGI's lazy-apps), as an open SQLite file must not be forked.
    """

    def __init__(self, settings: Settings, keep_connections: bool = False) -> None:
        self.settings = settings
        self.keep_connections = keep_connections
        self._pid = os.getpid()
        self._in_children: dict[int, "Services"] = {}

    @cached_property
    def auth(self) -> Auth:
        """Bearer tokens and signed links."""
        return Auth.from_settings(self.settings)

    @cached_property
    def records(self) -> TaskRecords:
        """The durable task records."""
        return TaskRecords(self.settings.database_url, keep_connections=self.keep_connections)

    @cached_property
    def store(self) -> ProxyStore:
        """The proxy store: a local folder, or the bucket STORE_URL names."""
        return store_for(self.settings)

    @cached_property
    def queue(self) -> TaskQueue:
        """The task queue (Celery, through the broker)."""
        return TaskQueue.from_settings(self.settings)

    @cached_property
    def sources(self) -> SourceFiles:
        """The files under SOURCE_ROOTS, and the uploads."""
        return SourceFiles.from_settings(self.settings)

    @cached_property
    def sandbox(self) -> Sandbox:
        """The sandbox every converter runs in."""
        return Sandbox.from_settings(self.settings)

    @cached_property
    def html_renderer(self) -> HtmlRenderer:
        """wkhtmltoimage, in the sandbox."""
        return HtmlRenderer.from_settings(self.settings, self.sandbox)

    @cached_property
    def webhooks(self) -> Webhooks:
        """Signed callbacks to the hosts allowed."""
        return Webhooks.from_settings(self.settings)

    @cached_property
    def job_context(self) -> JobContext:
        """What a plugin's job may use: the settings, the store, the sources and the sandbox."""
        return JobContext(self.settings, self.store, self.sources, self.sandbox, self.records)

    @property
    def plugins(self) -> PluginSet:
        """The enabled plugins, by name (read anew: ``proxyservice plugins enable`` changes them)."""
        return enabled_plugins(self.settings)

    def in_this_process(self) -> "Services":
        """This container, or one of this process's own when it was forked since (a worker's pool child).

        A forked child must not share its parent's connections (the records'
        SQLite file, the broker's pool): it gets a container of its own, once.
        """
        pid = os.getpid()
        if pid == self._pid:
            return self
        own = self._in_children.get(pid)
        if own is None:
            own = self._in_children[pid] = Services(self.settings, self.keep_connections)
        return own

    def end_of_work(self) -> None:
        """Close what a unit of work (a task, a command) opened: the records' connection.

        A web process keeps it (``keep_connections``): it never forks, and the
        next request would only open it again.
        """
        if "records" in self.__dict__ and not self.keep_connections:
            self.records.close()
