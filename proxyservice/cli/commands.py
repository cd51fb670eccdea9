"""The ``proxyservice`` command: plugins, ingest, task status and tokens from the shell.

A plain click group. Commands that need the service build this host's service
container from the environment's settings (:mod:`.environment`), as a worker
does, and hand files to the intake use case (:mod:`.submit`): the same process
layer as ``POST /ingest``, never a faked request, and no Flask. What they print
and their exit codes are in :mod:`.output`; ``plugins`` is :mod:`.plugin_commands`.
"""

from pathlib import Path
from typing import Any, Callable

import click

from ..container import Services
from ..services.auth import SCOPES, Auth
from ..services.task_records import RecordsUnavailable
from .delete import delete
from .environment import command_services, command_settings, exit_with
from .ingest import Intake, follow_rendering, patterns, submit_all, walk
from .output import Exit, Summary, emit, file_exit, file_json, file_lines, record_json, status_exit, status_lines
from .plugin_commands import plugins
from .remote import TOKEN_HELP, URL_HELP, Remote, RemoteIntake, add_file_remote, status_remote
from .show import show
from .submit import FileSubmitter, Refusal, ServiceDown, directory_outside_roots, watch_tasks
from .token import SecretUnavailable, signing_secret


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--url", envvar="PROXYSERVICE_URL", help=URL_HELP)
@click.option("--token", envvar="PROXYSERVICE_TOKEN", help=TOKEN_HELP)
@click.pass_context
def cli(context: click.Context, url: str | None, token: str | None) -> None:
    """Make proxies (preview images) of files: plugins, ingest, task status and tokens.

    Settings come from the environment, as the service's do (SOURCE_ROOTS,
    DATA_DIR, BROKER_URL...). With --url and --token, add-file, ingest,
    status, show and delete use a service on another host over HTTP instead. Exit codes: 0 done, 1 failed
    or refused, 2 bad usage, 3 not finished yet, 130 interrupted.
    """
    context.obj = Remote(url, token)


# -- ingest ------------------------------------------------------------------

PLUGINS_HELP = "Plugins to use, comma-separated names, or @proxy for all enabled (default: those that handle the file)."


SIZES_HELP = "Sizes of PROXY_SIZES to make proxies at, comma-separated (default: the default box)."


def _names(option: str | None) -> list[str]:
    """The names of a comma-separated option, in order, without repeats."""
    return list(dict.fromkeys(name.strip() for name in (option or "").split(",") if name.strip()))


def _plugin_names(plugins_option: str | None) -> list[str] | None:
    """The plugins named by ``--plugins``, or ``None`` for those that handle each file."""
    return _names(plugins_option) or None


def _submitter(services: Services, plugins_option: str | None, force: bool, sizes: str | None,
               callback_url: str | None) -> FileSubmitter:
    """What submits files; a plugin named but not enabled is a one-line error before any file."""
    submitter = FileSubmitter(services, _plugin_names(plugins_option), force, _names(sizes), callback_url)
    unknown = submitter.unknown_plugin()
    if unknown is not None:
        raise click.ClickException(unknown.reason)
    return submitter


def what_to_make(command: Callable[..., None]) -> Callable[..., None]:
    """The options of add-file and ingest that say what to make of each file, as ``POST /ingest``'s fields do."""
    for option in reversed((
        click.option("--plugins", "plugins_option", help=PLUGINS_HELP),
        click.option("--sizes", help=SIZES_HELP),
        click.option("--callback-url", help="A URL to POST each task's status to when it ends (WEBHOOK_ALLOWED_HOSTS)."),
        click.option("--force", is_flag=True, help="Make the proxies again even if unchanged."),
    )):
        command = option(command)
    return command


@cli.command("add-file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@what_to_make
@click.option("--wait", is_flag=True, help="Wait until every task has finished.")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds --wait waits at most.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--by-path", is_flag=True, help="With --url: the service reads the file at this path (a shared mount) "
                                              "instead of receiving it.")
@click.pass_obj
def add_file(remote: Remote, path: Path, plugins_option: str | None, sizes: str | None, callback_url: str | None,
             force: bool, wait: bool, timeout: float, as_json: bool, by_path: bool) -> None:
    """Ingest one file (under SOURCE_ROOTS): print its file id, where its proxies will be, and each task.

    With --url, the file is sent to that service (or, with --by-path, read
    there at the same path). Exits 0 when every task succeeded (without
    --wait: was queued), 1 when one failed or the file was refused, 3 when
    --wait ran out before the tasks finished.
    """
    client = remote.client()
    if client is not None:
        exit_with(add_file_remote(client, path, _plugin_names(plugins_option), force, by_path, wait, timeout, as_json,
                              _names(sizes), callback_url))
        return
    submitter = _submitter(command_services(), plugins_option, force, sizes, callback_url)
    try:
        result = submitter.submit(path)
    except ServiceDown as e:
        raise click.ClickException(str(e)) from e
    if isinstance(result, Refusal):
        raise click.ClickException(result.reason)
    # A reused task is an earlier one: its record says how it ended, and with what warnings.
    latest = {task.task_id: record for task in result.tasks if task.reused
              and (record := submitter.find(task.task_id)) is not None}
    if wait:
        latest.update(watch_tasks(submitter.find, [task.task_id for task in result.pending], timeout))
    data = file_json(str(path), result, latest)
    emit(as_json, data, file_lines(data))
    exit_with(file_exit(data, wait))


@cli.command("ingest")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--include", default="*", show_default=True, help="File name patterns to ingest, comma-separated.")
@click.option("--exclude", default="", help="File name patterns to leave out, comma-separated.")
@what_to_make
@click.option("--wait", is_flag=True, help="Then show the rendering until every task has finished; failures count.")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds --wait waits at most.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--by-path", is_flag=True, help="With --url: the service reads each file at its path (a shared mount) "
                                              "instead of receiving it.")
@click.pass_obj
def ingest_tree(remote: Remote, directory: Path, include: str, exclude: str, plugins_option: str | None,
                sizes: str | None, callback_url: str | None, force: bool, wait: bool, timeout: float,
                as_json: bool, by_path: bool) -> None:
    """Ingest every matching file under DIRECTORY (under SOURCE_ROOTS), with progress bars and a summary.

    Each file is submitted on its own: an interrupted run loses nothing already
    submitted, and running it again does not render unchanged files again.
    With --wait, a second bar follows the rendering (tasks finished of all,
    failures counted). With --url, each file is sent to that service (or, with
    --by-path, read there at the same path). Exits 0 when nothing failed, 1
    when a file failed or the service could not take more, 3 when --wait ran
    out first, 130 on Ctrl-C.
    """
    client = remote.client()
    intake: Intake
    if client is not None:
        intake = RemoteIntake(client, _plugin_names(plugins_option), force, by_path, _names(sizes), callback_url)
    else:
        services = command_services()
        outside = directory_outside_roots(directory, services)
        if outside:
            raise click.ClickException(outside)
        intake = _submitter(services, plugins_option, force, sizes, callback_url)
    files = list(walk(directory, patterns(include), patterns(exclude)))
    summary = Summary()
    try:
        submit_all(intake, files, summary)
        if wait and not summary.stopped:
            follow_rendering(intake, summary, timeout)
    except KeyboardInterrupt:
        summary.interrupted = True
    emit(as_json, summary.to_json(), summary.lines())
    exit_with(summary.exit_code())


# -- status and tokens -------------------------------------------------------

@cli.command("status")
@click.argument("task_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_obj
def status(remote: Remote, task_id: str, as_json: bool) -> None:
    """Print one task's state (of the service at --url, when given).

    Exits 0 when it succeeded (its proxies are at proxies_url), 1 when it
    failed or was skipped (or there is no such task), 3 while it is queued or in progress.
    """
    client = remote.client()
    if client is not None:
        exit_with(status_remote(client, task_id, as_json))
        return
    try:
        record = command_services().records.find(task_id)
    except RecordsUnavailable as e:
        raise click.ClickException(str(e)) from e
    if record is None:
        raise click.ClickException(f"no task {task_id!r}")
    body = record_json(record)
    emit(as_json, body, status_lines(body))
    exit_with(status_exit(record.state))


@cli.command("token")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(SCOPES), required=True,
              help="A scope to grant; repeat for more.")
@click.option("--ttl", default=3600, show_default=True, type=click.IntRange(min=1),
              help="Seconds the token is valid.")
@click.option("--subject", default="client", show_default=True, help="Who the token is for.")
def token(scopes: tuple[str, ...], ttl: int, subject: str) -> None:
    """Print a bearer token the service accepts.

    Signed with AUTH_SECRET when set; else with the development secret that
    make run keeps in $DATA_DIR/development-secret.
    """
    try:
        found = signing_secret(command_settings())
    except SecretUnavailable as e:
        raise click.ClickException(str(e)) from e
    if found.note:
        click.echo(found.note, err=True)
    click.echo(Auth(found.secret).issue(list(scopes), ttl, subject))


cli.add_command(plugins)
cli.add_command(show)
cli.add_command(delete)


def main() -> None:
    """Console-script entrypoint."""
    cli(prog_name="proxyservice")
