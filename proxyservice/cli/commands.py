"""The ``proxyservice`` command: plugins, ingest, task status and tokens from the shell.

A plain click group. Commands that need the service build its app from the
environment's settings, as a worker does, and call the ingest use case and the
services themselves (:mod:`.cli_submit`): the same process layer as ``POST
/ingest``, never a faked request. What they print and their exit codes are in
:mod:`.cli_output`.
"""

from pathlib import Path
from typing import Any

import click

from .ingest import Intake, follow_rendering, patterns, submit_all, walk
from .output import Exit, Summary, emit, file_exit, file_json, file_lines, record_json, status_exit, status_lines
from .remote import TOKEN_HELP, URL_HELP, Remote, RemoteIntake, add_file_remote, status_remote
from .submit import FileSubmitter, Refusal, ServiceDown, directory_outside_roots, watch_tasks
from .token import SecretUnavailable, signing_secret
from ..config import Settings, SettingInvalid
from ..factory import create_web_app
from .plugin_check import check_plugin
from ..plugins.enabling import set_enabled
from ..plugins.registry import PluginInvalid, enabled_names, installed_plugins, load_plugin
from ..services.auth import SCOPES, Auth
from ..services.task_records import RecordsUnavailable, TaskRecords


def _settings() -> Settings:
    """The service's settings, from the environment; a bad value is a one-line error."""
    try:
        return Settings.from_environ()
    except SettingInvalid as e:
        raise click.ClickException(str(e)) from e


def _enter_app() -> Settings:
    """Build the service's app (for its services, serving nothing) and work in its context until the command ends."""
    settings = _settings()
    app = create_web_app(settings, serve_http=False)
    click.get_current_context().with_resource(app.app_context())
    return settings


def _exit(code: Exit) -> None:
    if code is not Exit.OK:
        click.get_current_context().exit(int(code))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--url", envvar="PROXYSERVICE_URL", help=URL_HELP)
@click.option("--token", envvar="PROXYSERVICE_TOKEN", help=TOKEN_HELP)
@click.pass_context
def cli(context: click.Context, url: str | None, token: str | None) -> None:
    """Make proxies (preview images) of files: plugins, ingest, task status and tokens.

    Settings come from the environment, as the service's do (SOURCE_ROOTS,
    DATA_DIR, BROKER_URL...). With --url and --token, add-file and status use
    a service on another host over HTTP instead. Exit codes: 0 done, 1 failed
    or refused, 2 bad usage, 3 not finished yet, 130 interrupted.
    """
    context.obj = Remote(url, token)


# -- plugins -----------------------------------------------------------------

@cli.group()
def plugins() -> None:
    """List, enable, disable and check proxy plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins_list(as_json: bool) -> None:
    """List installed plugins, enabled or not, with what they handle."""
    settings = _settings()
    installed, broken_modules = installed_plugins(settings.plugin_dir)
    enabled = set(enabled_names(settings))
    rows: list[dict[str, Any]] = []
    for plugin in installed:
        row: dict[str, Any] = {"name": plugin.name, "origin": plugin.origin, "enabled": plugin.name in enabled}
        try:
            plugin_class = load_plugin(plugin.name, settings.plugin_dir)
            row.update(namespace=plugin_class().namespace(), extensions=sorted(plugin_class.EXTENSIONS),
                       mimetypes=sorted(plugin_class.MIMETYPES), error=None)
        except PluginInvalid as e:
            row.update(namespace=None, extensions=[], mimetypes=[], error=str(e))
        rows.append(row)
    rows.extend({"name": name, "origin": "", "enabled": False, "namespace": None, "extensions": [],
                 "mimetypes": [], "error": reason} for name, reason in broken_modules)
    lines = []
    for row in rows:
        mark = "✔" if row["enabled"] and not row["error"] else ("❌" if row["error"] else " ")
        handles = ", ".join(row["extensions"]) or "-"
        lines.append(f"{mark} {row['name']:<36} {row['namespace'] or '-':<16} {handles}   [{row['origin']}]")
        if row["error"]:
            lines.append(f"    {row['error']}")
    emit(as_json, rows, lines)


@plugins.command("enable")
@click.argument("name")
def plugins_enable(name: str) -> None:
    """Enable an installed plugin (a link in the plugin folder's enabled/)."""
    _set_enabled(name, True)


@plugins.command("disable")
@click.argument("name")
def plugins_disable(name: str) -> None:
    """Disable a plugin."""
    _set_enabled(name, False)


def _set_enabled(name: str, enabled: bool) -> None:
    settings = _settings()
    try:
        if enabled:
            load_plugin(name, settings.plugin_dir)
        set_enabled(settings, name, enabled)
    except PluginInvalid as e:
        raise click.ClickException(str(e)) from e
    click.echo(f"{name} {'enabled' if enabled else 'disabled'}")


@plugins.command("check")
@click.argument("target")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--inline", is_flag=True, help="Run async work here, in this process.")
@click.option("--keep-proxies", is_flag=True, help="Keep the proxies made and print their paths.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins_check(target: str, file: Path | None, inline: bool, keep_proxies: bool, as_json: bool) -> None:
    """Check a plugin: TARGET is path/to/file.py::Class or an installed name; FILE a sample it should handle.

    FILE is rendered as the service would render it: with its SOURCE_ROOTS,
    RENDER_ALLOW_UP and other settings. A FILE outside every root is checked
    with its own folder as the root, and the check says so.
    """
    report = check_plugin(target, file, _settings(), inline=inline, keep_proxies=keep_proxies)
    data = {"target": target, "ok": not report.failed,
            "findings": [{"level": f.level.name, "message": f.message} for f in report.findings],
            "kept": [str(path) for path in report.kept]}
    lines = [f"{f.level.value} {f.message}" for f in report.findings]
    lines += [f"kept: {path}" for path in report.kept]
    emit(as_json, data, lines)
    _exit(Exit.FAILED if report.failed else Exit.OK)


# -- ingest ------------------------------------------------------------------

PLUGINS_HELP = "Plugins to use, comma-separated names, or @proxy for all enabled (default: those that handle the file)."


def _plugin_names(plugins_option: str | None) -> list[str] | None:
    """The plugins named by ``--plugins``, or ``None`` for those that handle each file."""
    return [name.strip() for name in (plugins_option or "").split(",") if name.strip()] or None


def _submitter(settings: Settings, plugins_option: str | None, force: bool) -> FileSubmitter:
    """What submits files; a plugin named but not enabled is a one-line error before any file."""
    submitter = FileSubmitter(settings, _plugin_names(plugins_option), force)
    unknown = submitter.unknown_plugin()
    if unknown is not None:
        raise click.ClickException(unknown.reason)
    return submitter


@cli.command("add-file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plugins", "plugins_option", help=PLUGINS_HELP)
@click.option("--force", is_flag=True, help="Make the proxies again even if unchanged.")
@click.option("--wait", is_flag=True, help="Wait until every task has finished.")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds --wait waits at most.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--by-path", is_flag=True, help="With --url: the service reads the file at this path (a shared mount) "
                                              "instead of receiving it.")
@click.pass_obj
def add_file(remote: Remote, path: Path, plugins_option: str | None, force: bool, wait: bool, timeout: float,
             as_json: bool, by_path: bool) -> None:
    """Ingest one file (under SOURCE_ROOTS): print its file id, where its proxies will be, and each task.

    With --url, the file is sent to that service (or, with --by-path, read
    there at the same path). Exits 0 when every task succeeded (without
    --wait: was queued), 1 when one failed or the file was refused, 3 when
    --wait ran out before the tasks finished.
    """
    client = remote.client()
    if client is not None:
        _exit(add_file_remote(client, path, _plugin_names(plugins_option), force, by_path, wait, timeout, as_json))
        return
    submitter = _submitter(_enter_app(), plugins_option, force)
    try:
        result = submitter.submit(path)
    except ServiceDown as e:
        raise click.ClickException(str(e)) from e
    if isinstance(result, Refusal):
        raise click.ClickException(result.reason)
    latest = watch_tasks(submitter.find, [task.task_id for task in result.pending], timeout) if wait else {}
    data = file_json(str(path), result, latest)
    emit(as_json, data, file_lines(data))
    _exit(file_exit(data, wait))


@cli.command("ingest")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--include", default="*", show_default=True, help="File name patterns to ingest, comma-separated.")
@click.option("--exclude", default="", help="File name patterns to leave out, comma-separated.")
@click.option("--plugins", "plugins_option", help=PLUGINS_HELP)
@click.option("--force", is_flag=True, help="Make the proxies again even if unchanged.")
@click.option("--wait", is_flag=True, help="Then show the rendering until every task has finished; failures count.")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds --wait waits at most.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--by-path", is_flag=True, help="With --url: the service reads each file at its path (a shared mount) "
                                              "instead of receiving it.")
@click.pass_obj
def ingest_tree(remote: Remote, directory: Path, include: str, exclude: str, plugins_option: str | None,
                force: bool, wait: bool, timeout: float, as_json: bool, by_path: bool) -> None:
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
        intake = RemoteIntake(client, _plugin_names(plugins_option), force, by_path)
    else:
        settings = _enter_app()
        outside = directory_outside_roots(directory, settings)
        if outside:
            raise click.ClickException(outside)
        intake = _submitter(settings, plugins_option, force)
    files = list(walk(directory, patterns(include), patterns(exclude)))
    summary = Summary()
    try:
        submit_all(intake, files, summary)
        if wait and not summary.stopped:
            follow_rendering(intake, summary, timeout)
    except KeyboardInterrupt:
        summary.interrupted = True
    emit(as_json, summary.to_json(), summary.lines())
    _exit(summary.exit_code())


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
        _exit(status_remote(client, task_id, as_json))
        return
    _enter_app()
    try:
        record = TaskRecords.current_session().find(task_id)
    except RecordsUnavailable as e:
        raise click.ClickException(str(e)) from e
    if record is None:
        raise click.ClickException(f"no task {task_id!r}")
    body = record_json(record)
    emit(as_json, body, status_lines(body))
    _exit(status_exit(record.state))


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
        found = signing_secret(_settings())
    except SecretUnavailable as e:
        raise click.ClickException(str(e)) from e
    if found.note:
        click.echo(found.note, err=True)
    click.echo(Auth(found.secret).issue(list(scopes), ttl, subject))


def main() -> None:
    """Console-script entrypoint."""
    cli(prog_name="proxyservice")
