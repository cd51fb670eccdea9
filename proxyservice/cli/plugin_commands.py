"""``proxyservice plugins``: list, enable, disable and check proxy plugins."""

from pathlib import Path
from typing import Any

import click

from ..plugins.enabling import set_enabled
from ..plugins.registry import PluginInvalid, enabled_names, installed_plugins, load_plugin
from .environment import command_settings, exit_with
from .output import Exit, emit
from .plugin_check import check_plugin


@click.group()
def plugins() -> None:
    """List, enable, disable and check proxy plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def plugins_list(as_json: bool) -> None:
    """List installed plugins, enabled or not, with what they handle."""
    settings = command_settings()
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
    settings = command_settings()
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
    report = check_plugin(target, file, command_settings(), inline=inline, keep_proxies=keep_proxies)
    data = {"target": target, "ok": not report.failed,
            "findings": [{"level": f.level.name, "message": f.message} for f in report.findings],
            "kept": [str(path) for path in report.kept]}
    lines = [f"{f.level.value} {f.message}" for f in report.findings]
    lines += [f"kept: {path}" for path in report.kept]
    emit(as_json, data, lines)
    exit_with(Exit.FAILED if report.failed else Exit.OK)
