"""The ``proxyservice`` command: plugins, ingest and status from the shell.

A Flask CLI group (``FlaskGroup``): every command runs inside the app built
from the environment's settings, and goes through the same controllers and
process layer as the HTTP API.
"""

import fnmatch
import json
import os
import sys
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any, Iterator

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup
from werkzeug.exceptions import HTTPException

from .config import SettingInvalid
from .controllers import ingest as ingest_controller
from .controllers.tasks import task_body
from .domain import TaskRecord
from .factory import create_web_app
from .plugin_check import check_plugin
from .plugins.enabling import set_enabled
from .plugins.registry import PluginInvalid, enabled_names, installed_plugins, load_plugin
from .services.auth import SCOPES, Auth
from .services.context import current_settings
from .services.task_records import TaskRecords

WAIT_POLL_SECONDS = 0.2


def _emit(as_json: bool, data: Any, lines: list[str]) -> None:
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        for line in lines:
            click.echo(line)


def _cli_app() -> Flask:
    return create_web_app(serve_http=False)


@click.group(cls=FlaskGroup, create_app=_cli_app, add_default_commands=False, add_version_option=False)
def cli() -> None:
    """Make proxies (preview images) of files: plugins, ingest and task status."""


# -- plugins -----------------------------------------------------------------

@cli.group()
def plugins() -> None:
    """List, enable, disable and check proxy plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins_list(as_json: bool) -> None:
    """List installed plugins, enabled or not, with what they handle."""
    settings = current_settings()
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
    _emit(as_json, rows, lines)


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
    settings = current_settings()
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
    """Check a plugin: TARGET is path/to/file.py::Class or an installed name; FILE a sample it should handle."""
    report = check_plugin(target, file, current_settings(), inline=inline, keep_proxies=keep_proxies)
    data = {"target": target, "ok": not report.failed,
            "findings": [{"level": f.level.name, "message": f.message} for f in report.findings],
            "kept": [str(path) for path in report.kept]}
    lines = [f"{f.level.value} {f.message}" for f in report.findings]
    lines += [f"kept: {path}" for path in report.kept]
    _emit(as_json, data, lines)
    if report.failed:
        sys.exit(1)


# -- ingest ------------------------------------------------------------------

def _options(plugins_option: str | None, force: bool) -> dict[str, Any]:
    options: dict[str, Any] = {"force": force}
    if plugins_option:
        options["plugins"] = [name.strip() for name in plugins_option.split(",") if name.strip()]
    return options


def _ingest_one(path: Path, options: dict[str, Any]) -> tuple[HTTPStatus, dict[str, Any]]:
    """Ingest through the API's controller; an HTTP error becomes a status and a message."""
    with current_app.test_request_context():
        try:
            data, status, _ = ingest_controller.ingest_path(str(path.resolve()), options)
        except HTTPException as e:
            return HTTPStatus(e.code or 500), {"message": e.description}
    return status, data


def _wait(task_ids: list[str], timeout: float) -> dict[str, TaskRecord]:
    """Poll the task records until every task is finished or ``timeout`` passed.

    Files with the same bytes share a task, so ids may repeat.
    """
    task_ids = sorted(set(task_ids))
    records = TaskRecords.current_session()
    deadline = time.monotonic() + timeout
    finished: dict[str, TaskRecord] = {}
    while True:
        for task_id in task_ids:
            record = records.find(task_id)
            if record is not None and (record.state.is_finished or time.monotonic() > deadline):
                finished[task_id] = record
        if len(finished) == len(task_ids) or time.monotonic() > deadline:
            return finished
        time.sleep(WAIT_POLL_SECONDS)


PLUGINS_HELP = "Plugins to use, comma-separated names, or @proxy for all enabled (default: those that handle the file)."


@cli.command("add-file")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--plugins", "plugins_option", help=PLUGINS_HELP)
@click.option("--force", is_flag=True, help="Make the proxies again even if unchanged.")
@click.option("--wait", is_flag=True, help="Wait until every task has finished.")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds --wait waits at most.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def add_file(path: Path, plugins_option: str | None, force: bool, wait: bool, timeout: float, as_json: bool) -> None:
    """Ingest one file (under SOURCE_ROOTS) and print each plugin's status."""
    status, data = _ingest_one(path, _options(plugins_option, force))
    if status >= 400:
        raise click.ClickException(data["message"])
    tasks = data["tasks"]
    if wait:
        finished = _wait([task["task_id"] for task in tasks], timeout)
        tasks = [task_body(finished[t["task_id"]]) if t["task_id"] in finished else t for t in tasks]
    lines = [f"{path}: file {data['file_id'][:12]}…"]
    for task in tasks:
        detail = task.get("error") or ("unchanged" if task.get("reused") and task["status"] == "succeeded" else "")
        lines.append(f"  {task['plugin']:<34} {task['status']:<12} {task['task_id']}  {detail or ''}".rstrip())
    _emit(as_json, {**data, "tasks": tasks}, lines)
    if any(task["status"] == "failed" for task in tasks):
        sys.exit(1)


@dataclass
class Summary:
    """What ``ingest`` did, file by file."""

    submitted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    tasks: dict[str, list[str]] = field(default_factory=dict)
    interrupted: bool = False


def _walk(root: Path, include: list[str], exclude: list[str]) -> Iterator[Path]:
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            if any(fnmatch.fnmatch(name, pattern) for pattern in include) and not any(
                fnmatch.fnmatch(name, pattern) for pattern in exclude
            ):
                yield Path(folder) / name


@cli.command("ingest")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--include", default="*", show_default=True, help="File name patterns to ingest, comma-separated.")
@click.option("--exclude", default="", help="File name patterns to leave out, comma-separated.")
@click.option("--plugins", "plugins_option", help=PLUGINS_HELP)
@click.option("--force", is_flag=True, help="Make the proxies again even if unchanged.")
@click.option("--wait", is_flag=True, help="Wait until every task has finished; failures then count.")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds --wait waits at most.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def ingest_tree(directory: Path, include: str, exclude: str, plugins_option: str | None, force: bool,
                wait: bool, timeout: float, as_json: bool) -> None:
    """Ingest every matching file under DIRECTORY, with a progress bar and a summary.

    Each file is submitted on its own: an interrupted run loses nothing already
    submitted, and running it again does not render unchanged files again.
    """
    files = list(_walk(directory, _patterns(include), _patterns(exclude)))
    options = _options(plugins_option, force)
    summary = Summary()
    try:
        with click.progressbar(files, label="Ingesting", file=sys.stderr, show_pos=True,
                               item_show_func=lambda p: p.name if p else None) as bar:
            for path in bar:
                status, data = _ingest_one(path, options)
                if status == HTTPStatus.ACCEPTED:
                    summary.submitted.append(str(path))
                    summary.tasks[str(path)] = [t["task_id"] for t in data["tasks"] if t["status"] in ("queued", "in_progress")]
                elif status == HTTPStatus.SEE_OTHER:
                    summary.unchanged.append(str(path))
                elif status == HTTPStatus.UNSUPPORTED_MEDIA_TYPE:
                    summary.unsupported.append(str(path))
                else:
                    reason = data.get("message") or "; ".join(t["error"] or t["status"] for t in data.get("tasks", []))
                    summary.failed[str(path)] = reason
    except KeyboardInterrupt:
        summary.interrupted = True
    if wait and summary.tasks and not summary.interrupted:
        _wait_for_files(summary, timeout)
    _report(summary, as_json)
    if summary.interrupted:
        sys.exit(130)
    if summary.failed:
        sys.exit(1)


def _patterns(option: str) -> list[str]:
    return [pattern.strip() for pattern in option.split(",") if pattern.strip()]


def _wait_for_files(summary: Summary, timeout: float) -> None:
    every = [task_id for ids in summary.tasks.values() for task_id in ids]
    finished = _wait(every, timeout)
    for path, ids in summary.tasks.items():
        errors = [finished[i].error or "failed" for i in ids if i in finished and finished[i].state.value == "failed"]
        pending = [i for i in ids if i not in finished or not finished[i].state.is_finished]
        if errors or pending:
            summary.failed[path] = "; ".join(errors) or f"not finished after {timeout:g} s"


def _report(summary: Summary, as_json: bool) -> None:
    done = [p for p in summary.submitted if p not in summary.failed]
    data = {"submitted": len(summary.submitted), "unchanged": len(summary.unchanged),
            "unsupported": len(summary.unsupported), "failed": summary.failed,
            "interrupted": summary.interrupted, "files": {"submitted": summary.submitted,
            "unchanged": summary.unchanged, "unsupported": summary.unsupported}}
    lines = [
        "Interrupted: the files below were handled; run the same command again to go on." if summary.interrupted else "Done.",
        f"  submitted:             {len(summary.submitted)}" + (f" ({len(done)} ok)" if summary.tasks else ""),
        f"  skipped as unchanged:  {len(summary.unchanged)}",
        f"  no plugin handles:     {len(summary.unsupported)}",
        f"  failed:                {len(summary.failed)}",
    ]
    lines += [f"    {path}: {reason}" for path, reason in summary.failed.items()]
    _emit(as_json, data, lines)


@cli.command("token")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(SCOPES), required=True,
              help="A scope to grant; repeat for more.")
@click.option("--ttl", default=3600, show_default=True, help="Seconds the token is valid.")
@click.option("--subject", default="client", show_default=True, help="Who the token is for.")
def token(scopes: tuple[str, ...], ttl: int, subject: str) -> None:
    """Print a bearer token signed with AUTH_SECRET."""
    try:
        secret = current_settings().auth_secret
    except SettingInvalid as e:
        raise click.ClickException(str(e)) from e
    click.echo(Auth(secret).issue(list(scopes), ttl, subject))


@cli.command("status")
@click.argument("task_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(task_id: str, as_json: bool) -> None:
    """Print one task's state."""
    record = TaskRecords.current_session().find(task_id)
    if record is None:
        raise click.ClickException(f"no task {task_id!r}")
    body = task_body(record)
    lines = [f"{key}: {value}" for key, value in body.items() if value not in (None, [])]
    _emit(as_json, body, lines)


def main() -> None:
    """Console-script entrypoint."""
    cli(prog_name="proxyservice")
