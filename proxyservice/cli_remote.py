"""The command line against a service on another host, through :mod:`proxyservice.client`.

With ``--url`` (or ``PROXYSERVICE_URL``) and ``--token`` (or
``PROXYSERVICE_TOKEN``), ``add-file`` and ``status`` ask the service over
HTTP instead of building it from this host's settings. What they print, and
their exit codes, are those of the commands on the server's host.
"""

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from .cli_output import Exit, emit, file_exit, file_lines, status_exit, status_lines
from .client import ApiError, ClientError, ProxyServiceClient, TaskStatus
from .domain import TaskState

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
    task = _call(lambda: client.task(task_id))
    body = {**dataclasses.asdict(task), "warnings": list(task.warnings)}
    emit(as_json, body, status_lines(body))
    return status_exit(TaskState(task.status))


def add_file_remote(client: ProxyServiceClient, path: Path, plugins: list[str] | None, force: bool, by_path: bool,
                    wait: bool, timeout: float, as_json: bool) -> Exit:
    """``add-file`` against a remote service: the file is uploaded, or, with ``by_path``, read there at its path."""
    if by_path:
        result = _call(lambda: client.ingest_path(path.resolve(), plugins=plugins, force=force))
    else:
        result = _call(lambda: client.upload(path, plugins=plugins, force=force))
    latest: dict[str, TaskStatus] = {}
    if wait:
        for task in result.tasks:
            try:
                latest[task.task_id] = _call(lambda: client.wait(task.task_id, timeout=timeout))
            except TimeoutError:
                latest[task.task_id] = _call(lambda: client.task(task.task_id))
    tasks: list[dict[str, Any]] = []
    for task in result.tasks:
        now = latest.get(task.task_id)
        tasks.append({**dataclasses.asdict(task), "status": now.status if now else task.status,
                      "error": now.error if now else task.error, "warnings": list(now.warnings) if now else []})
    data = {"path": str(path), "file_id": result.file_id, "filename": result.filename, "mimetype": result.mimetype,
            "proxies_url": result.proxies_url, "tasks": tasks}
    emit(as_json, data, file_lines(data))
    return file_exit(data, wait)


def _call(call: Any) -> Any:
    """The client's answer; its errors as one-line errors of the command, in the service's words."""
    try:
        return call()
    except ApiError as e:
        raise click.ClickException(f"the service answered {e.status}: {e.message}") from e
    except ClientError as e:
        raise click.ClickException(f"the service did not answer: {e}") from e
