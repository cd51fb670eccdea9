"""``proxyservice delete FILE_OR_ID``: forget a file, on this host's service or over HTTP.

A path is found as ``show`` finds it (:func:`.show.candidate_ids`): each id
the service may have given it (read in place, or uploaded) is deleted.
"""

import click

from ..client import NotFound, ProxyServiceClient
from ..container import Services
from ..errors import ResourceUnavailable
from ..process.deletion import delete_file
from .environment import command_services, exit_with
from .output import Exit
from .remote import Remote, service_answer
from .show import NOTHING_KNOWN, candidate_ids


@click.command("delete")
@click.argument("file_or_id")
@click.pass_obj
def delete(remote: Remote, file_or_id: str) -> None:
    """Delete a file's proxies, metadata, tasks and upload (on the service at --url, when given).

    FILE_OR_ID is a file's path (found as it was ingested by path, or
    uploaded) or a file id. Prints each file id deleted. Exits 0 when
    something was deleted, 1 when the service knew nothing of the file or a
    part of it was away (deleting again finishes it).
    """
    client = remote.client()
    ids = candidate_ids(file_or_id, uploaded_first=client is not None)
    deleted = [file_id for file_id in ids
               if (_remote_delete(client, file_id) if client is not None else _local_delete(command_services(), file_id))]
    for file_id in deleted:
        click.echo(f"deleted {file_id}")
    if not deleted:
        click.echo("Error: " + NOTHING_KNOWN % file_or_id, err=True)
        exit_with(Exit.FAILED)


def _remote_delete(client: ProxyServiceClient, file_id: str) -> bool:
    def deleted() -> bool:
        try:
            client.delete_file(file_id)
        except NotFound:
            return False
        return True

    found: bool = service_answer(deleted)
    return found


def _local_delete(services: Services, file_id: str) -> bool:
    try:
        return delete_file(file_id, services.records, services.store, services.sources).found
    except ResourceUnavailable as e:
        raise click.ClickException(f"{e}; delete it again to finish") from e
