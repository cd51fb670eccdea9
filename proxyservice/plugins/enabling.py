"""Enabling and disabling plugins: links in the plugin folder's ``enabled/``, PixStor's way."""

import inspect
from pathlib import Path

from ..config import Settings
from .registry import (
    PluginInvalid,
    PluginNotInstalled,
    load_file_module,
    enabled_names,
    installed_plugins,
    load_plugin,
    plugin_classes,
)


def set_enabled(settings: Settings, name: str, enabled: bool) -> None:
    """Enable or disable an installed plugin by a link in the plugin folder's ``enabled/``.

    The first change seeds ``enabled/`` with the plugins enabled until then,
    so enabling one plugin does not disable the built-ins.

    Raises
    ------
    PluginNotInstalled
        No installed plugin has that name.
    PluginInvalid
        ENABLED_PLUGINS is set, so the folder is not what decides.
    """
    if settings.ENABLED_PLUGINS:
        raise PluginInvalid("ENABLED_PLUGINS is set, so it decides which plugins are enabled; change it instead")
    installed, _ = installed_plugins(settings.plugin_dir)
    origins = {plugin.name: plugin.origin for plugin in installed}
    if name not in origins:
        raise PluginNotInstalled(f"no installed plugin is named {name!r}")
    folder = settings.plugin_dir / "enabled"
    if not folder.is_dir():
        current = enabled_names(settings)
        folder.mkdir(parents=True)
        for other in current:
            _link(folder, other, origins.get(other))
    link = folder / name
    if enabled:
        _link(folder, name, origins[name])
    else:
        link.unlink(missing_ok=True)
        module_link = folder / f"{name.partition('::')[0]}.py"
        if module_link.is_symlink():  # a module link enables all its plugins: keep the others
            module_link.unlink()
            module = load_file_module(module_link.stem, settings.plugin_dir / "available" / module_link.name)
            for other in plugin_classes(module):
                if f"{module_link.stem}::{other}" != name:
                    _link(folder, f"{module_link.stem}::{other}", origins.get(f"{module_link.stem}::{other}"))


def _link(folder: Path, name: str, origin: str | None) -> None:
    """A link named after the plugin, pointing at its module file where there is one."""
    link = folder / name
    if link.is_symlink() or link.exists():
        return
    target = origin if origin and origin.endswith(".py") else (inspect.getfile(load_plugin(name)) if origin else name)
    link.symlink_to(target)
