"""The command line against a service on another host, through :mod:`proxyservice.client`.

With ``--url`` (or ``PROXYSERVICE_URL``) and ``--token`` (or
``PROXYSERVICE_TOKEN``), ``add-file``, ``ingest`` and ``status`` ask the
service over HTTP instead of building it from this host's settings. What they
print, and their exit codes, are those of the commands on the server's host.
"""

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import click

from .output import Exit, emit, file_exit, file_lines, status_exit, status_lines
from .submit import QueueFull, Refusal, ServiceDown
from ..client import (ApiError, ClientError, IngestResult, NotFound, ProxyServiceClient, Refused, TaskStatus,
                     TryLater, Unauthorized)
from ..domain import TaskState
from ..process.ingest import TaskOutcome

URL_HELP = "A service on another host to use over HTTP (or PROXYSERVICE_URL); with --token."
TOKEN_HELP = "A bearer token for --url (or PROXYSERVICE_TOKEN); proxyservice token makes one."
NO_TOKEN = "--url needs a token: --token, or PROXYSERVICE_TOKEN (proxyservice token makes one on the service's host)"


@dataclass(frozen=True)
class Remote:
    """Where the commands send their work: a service's URL and a token, or nothing (this host's service)."""

    url: str | None
    token: str | None

    def client(self) -> ProxyServiceClient | None:
        """The client of the remote service, if one was named."""
        if not self.url:
            return None
        if not self.token:
            raise click.ClickException(NO_TOKEN)
        return ProxyServiceClient(self.url, self.token)


def status_remote(client: ProxyServiceClient, task_id: str, as_json: bool) -> Exit:
    """``status`` against a remote service."""
    task = service_answer(lambda: client.task(task_id))
    body = {**dataclasses.asdict(task), "warnings": list(task.warnings)}
    emit(as_json, body, status_lines(body))
    return status_exit(TaskState(task.status))


def add_file_remote(client: ProxyServiceClient, path: Path, plugins: list[str] | None, force: bool, by_path: bool,
                    wait: bool, timeout: float, as_json: bool, sizes: list[str] | None = None,
                    callback_url: str | None = None) -> Exit:
    """``add-file`` against a remote service: the file is uploaded, or, with ``by_path``, read there at its path."""
    if by_path:
        result = service_answer(lambda: client.ingest_path(path.resolve(), plugins=plugins, force=force,
                                                           sizes=sizes or None, callback_url=callback_url))
    else:
        result = service_answer(lambda: client.upload(path, plugins=plugins, force=force, sizes=sizes or None,
                                                      callback_url=callback_url))
    # A reused task is an earlier one: its status says how it ended, and with what warnings.
    latest: dict[str, TaskStatus] = {task.task_id: service_answer(lambda: client.task(task.task_id))
                                     for task in result.tasks if task.reused}
    if wait:
        for task in result.tasks:
            try:
                latest[task.task_id] = service_answer(lambda: client.wait(task.task_id, timeout=timeout))
            except TimeoutError:
                latest[task.task_id] = service_answer(lambda: client.task(task.task_id))
    tasks: list[dict[str, Any]] = []
    for task in result.tasks:
        now = latest.get(task.task_id)
        tasks.append({**dataclasses.asdict(task), "status": now.status if now else task.status,
                      "error": now.error if now else task.error, "warnings": list(now.warnings) if now else []})
    data = {"path": str(path), "file_id": result.file_id, "filename": result.filename, "mimetype": result.mimetype,
            "proxies_url": result.proxies_url, "tasks": tasks}
    emit(as_json, data, file_lines(data))
    return file_exit(data, wait)


class RemoteIntake:
    """``ingest``'s files sent to a remote service: uploaded, or with ``by_path`` read there at their paths.

    Answers are sorted as the local service's: 415 is a file no plugin takes,
    another refusal is that file's failure, 429 a full queue (wait), and no
    answer, a 401 or a 503 stops the run (every next file would meet the same).
    """

    watch_interval = 1.0
    """Seconds between two looks at the tasks: one request per task waited for, each time."""

    def __init__(self, client: ProxyServiceClient, plugins: list[str] | None, force: bool, by_path: bool,
                 sizes: list[str] | None = None, callback_url: str | None = None) -> None:
        self.client = client
        self.sizes = sizes or None
        self.callback_url = callback_url
        self.plugins = plugins
        self.force = force
        self.by_path = by_path

    def submit_tasks(self, path: Path) -> Sequence[TaskOutcome] | Refusal:
        """Send one file; its tasks, or why the service did not take it."""
        try:
            result = self._send(path)
        except TryLater as e:
            raise (QueueFull if e.status == 429 else ServiceDown)(f"the service answered {e.status}: {e.message}") from e
        except Unauthorized as e:
            raise ServiceDown(f"the service answered 401: {e.message}") from e
        except ApiError as e:
            if e.status >= 500:
                raise ServiceDown(f"the service answered {e.status}: {e.message}") from e
            return Refusal(e.message, unsupported=isinstance(e, Refused) and e.status == 415)
        except ClientError as e:
            raise ServiceDown(f"the service did not answer: {e}") from e
        return tuple(TaskOutcome(task.task_id, task.plugin, TaskState(task.status), task.reused, task.error)
                     for task in result.tasks)

    def _send(self, path: Path) -> IngestResult:
        if self.by_path:
            return self.client.ingest_path(path.resolve(), plugins=self.plugins, force=self.force, sizes=self.sizes,
                                           callback_url=self.callback_url)
        return self.client.upload(path, plugins=self.plugins, force=self.force, sizes=self.sizes,
                                  callback_url=self.callback_url)

    def find(self, task_id: str) -> TaskOutcome | None:
        """A task's state, read over HTTP; ``None`` when the service has no such task."""
        try:
            status = self.client.task(task_id)
        except NotFound:
            return None
        except ClientError as e:
            raise click.ClickException(f"following the tasks: {e}") from e
        return TaskOutcome(status.task_id, status.plugin, TaskState(status.status), error=status.error)


def service_answer(call: Any) -> Any:
    """The client's answer; its errors as one-line errors of the command, in the service's words."""
    try:
        return call()
    except ApiError as e:
        raise click.ClickException(f"the service answered {e.status}: {e.message}") from e
    except ClientError as e:
        raise click.ClickException(f"the service did not answer: {e}") from e
