"""``proxyservice show FILE_OR_ID``: what the service knows of one file, from this host's records or over HTTP.

A path is found by the ids the service may have given it: read in place (the
SHA-256 of its bytes and its resolved path, as an ingest by path computes
it) or uploaded (of its bytes alone); anything else is taken for an id.
"""

import dataclasses
from pathlib import Path
from typing import Any

import click

from ..client import File, NotFound, ProxyServiceClient
from ..container import Services
from ..documents import file_body
from ..domain import file_identity
from ..services.hashing import sha256_of
from ..services.store import StoreError
from ..services.task_records import RecordsUnavailable
from .environment import command_services, exit_with
from .output import Exit, emit
from .remote import Remote, service_answer

NOTHING_KNOWN = "the service knows nothing of %s (neither ingested nor uploaded)"


@click.command("show")
@click.argument("file_or_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (GET /files/<file_id>'s document).")
@click.pass_obj
def show(remote: Remote, file_or_id: str, as_json: bool) -> None:
    """Print one file: its name, type, metadata by namespace, proxies and tasks (of the service at --url, when given).

    FILE_OR_ID is a file's path (found as it was ingested by path, or
    uploaded) or a file id. Exits 0 when the service knows the file, 1 when not.
    """
    client = remote.client()
    ids = candidate_ids(file_or_id, uploaded_first=client is not None)
    found = (_remote_file(client, ids) if client is not None else _local_file(command_services(), ids))
    if found is None:
        click.echo("Error: " + NOTHING_KNOWN % file_or_id, err=True)
        exit_with(Exit.FAILED)
        return
    emit(as_json, found, file_lines(found))


def candidate_ids(file_or_id: str, uploaded_first: bool) -> list[str]:
    """The ids a path may have been given (an upload's first when the file was likely sent), or the id itself."""
    path = Path(file_or_id)
    if not path.is_file():
        return [file_or_id]
    content = sha256_of(path)
    ids = [file_identity(content, str(path.resolve())), file_identity(content, None)]
    return ids[::-1] if uploaded_first else ids


def _remote_file(client: ProxyServiceClient, ids: list[str]) -> dict[str, Any] | None:
    def fetched(file_id: str) -> File | None:
        try:
            return client.file(file_id)
        except NotFound:
            return None

    for file_id in ids:
        found = service_answer(lambda: fetched(file_id))
        if found is not None:
            return dataclasses.asdict(found)
    return None


def _local_file(services: Services, ids: list[str]) -> dict[str, Any] | None:
    for file_id in ids:
        try:
            metadata = services.records.metadata_of(file_id)
            records = services.records.tasks_of(file_id)
            proxies = [dataclasses.asdict(proxy) for proxy in services.store.list(file_id)]
        except (RecordsUnavailable, StoreError) as e:
            raise click.ClickException(str(e)) from e
        if metadata or records or proxies:
            return file_body(file_id, metadata, records, proxies)
    return None


def file_lines(body: dict[str, Any]) -> list[str]:
    """A file's document for people: its facts, then each namespace's fields, its proxies and its tasks."""
    lines = [f"file_id: {body['file_id']}", f"name: {body.get('name') or '-'}",
             f"mimetype: {body.get('mimetype') or '-'}", "metadata:"]
    for namespace, fields in sorted(body.get("metadata", {}).items()):
        lines.append(f"  {namespace}:")
        lines += [f"    {field}: {_shown(value)}" for field, value in fields.items()]
    lines.append("proxies:" if body.get("proxies") else "proxies: none")
    for proxy in body.get("proxies", []):
        lines.append(f"  {proxy['typeidentifier']}  {proxy['mimetype']}  {proxy['width']}x{proxy['height']}  "
                     f"{proxy['bytes']} bytes")
    lines.append("tasks:" if body.get("tasks") else "tasks: none")
    for task in body.get("tasks", []):
        outcome = f"  ({task['error']})" if task.get("error") else ""
        lines.append(f"  {task['task_id']}  {task['plugin']}  {task['status']}{outcome}")
    return lines


def _shown(value: Any) -> str:
    return ", ".join(str(item) for item in value) if isinstance(value, list) else str(value)
