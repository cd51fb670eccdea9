"""Finding plugins: entry points of installed distributions, and the plugin folder.

A plugin is named ``module::Class`` as PixStor prints it.

- **Entry points**, group ``proxyservice.plugins``: ``csv_table =
  "csv_table:CSVTable"`` in a distribution's ``pyproject.toml`` installs the
  plugin ``csv_table::CSVTable``: the entry point's name stands for the
  module. The built-ins are entry points of proxyservice itself
  (``html_preview = "proxyservice.plugins.html_preview:HTMLPreview"``), found
  the same way.
- **The plugin folder** (``PLUGIN_DIR``), PixStor's layout: modules in
  ``available/`` (``available/my_thumbs.py`` holds ``my_thumbs::MyThumbs``).
- Any other name is imported as a module path (``my_package.thumbs::MyThumbs``).
"""

import importlib
import importlib.metadata
import importlib.util
import inspect
import logging
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from ..domain import ProxyPlugin
from .validation import PluginInvalid, check_plugin_class

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "proxyservice.plugins"
OWN_DISTRIBUTION = "proxyservice"
"""The distribution whose entry points are the built-ins."""
MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
NOT_REGISTERED = ("plugin {name} is built into proxyservice but not registered: the installed metadata predates "
                  "its entry point; reinstall proxyservice (pip install -e ., as config/install.sh does)")


@dataclass(frozen=True)
class Installed:
    """A plugin that can be enabled, and where it comes from."""

    name: str
    origin: str
    """``built-in``, ``entry point (distribution)`` or the plugin folder's file."""


def plugin_entry_points() -> tuple[dict[str, importlib.metadata.EntryPoint], list[tuple[str, str]]]:
    """The group's entry points by name, and ``(name, reason)`` of those that cannot name a plugin."""
    found: dict[str, importlib.metadata.EntryPoint] = {}
    broken: list[tuple[str, str]] = []
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if not MODULE_NAME.match(entry.name) or not entry.attr:
            broken.append((entry.name, f"entry point {entry.name} = {entry.value} ({_distribution(entry)}) does not "
                                       "name a plugin: want name = \"module:Class\", the name a Python identifier"))
        elif entry.name in found:
            broken.append((f"{entry.name}::{entry.attr}",
                           f"entry point {entry.name} of {_distribution(entry)} is also declared by "
                           f"{_distribution(found[entry.name])}, whose plugin is used"))
        else:
            found[entry.name] = entry
    return found, broken


def _distribution(entry: importlib.metadata.EntryPoint) -> str:
    return entry.dist.name if entry.dist is not None else "an unknown distribution"


def installed_plugins(plugin_dir: Path | None) -> tuple[list[Installed], list[tuple[str, str]]]:
    """Every installed plugin, built-ins first, and ``(name, reason)`` of those that cannot be used."""
    entries, broken = plugin_entry_points()
    found = [Installed(f"{name}::{entry.attr}",
                       "built-in" if _distribution(entry) == OWN_DISTRIBUTION else f"entry point ({_distribution(entry)})")
             for name, entry in entries.items()]
    found.sort(key=lambda plugin: (plugin.origin != "built-in", plugin.name))
    available = plugin_dir / "available" if plugin_dir is not None else None
    if available is not None and available.is_dir():
        for path in sorted(available.glob("*.py")):
            try:
                module = load_file_module(path.stem, path)
            except Exception as e:  # a broken file is reported, never fatal
                broken.append((f"{path.stem}::*", f"{path} cannot be imported: {type(e).__name__}: {e}"))
                continue
            found.extend(Installed(f"{path.stem}::{cls}", str(path)) for cls in plugin_classes(module))
    return found, broken


def load_file_module(module_name: str, path: Path) -> ModuleType:
    """Import a plugin folder's module from its file, under its own name.

    Raises
    ------
    PluginInvalid
        A different module of that name is already imported.
    """
    existing = sys.modules.get(module_name)
    if existing is not None:
        if Path(getattr(existing, "__file__", "") or "").resolve() == path.resolve():
            return existing
        raise PluginInvalid(f"plugin module {module_name!r} clashes with the installed module of that name")
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PluginInvalid(f"{path} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


def plugin_classes(module: ModuleType) -> list[str]:
    """The names of the plugin classes a module defines (not those it imports)."""
    return sorted(
        name for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, ProxyPlugin) and value.__module__ == module.__name__
    )


def _import_module(module_name: str, plugin_dir: Path | None) -> ModuleType:
    entry = plugin_entry_points()[0].get(module_name)
    if entry is not None:
        return importlib.import_module(entry.module)
    if plugin_dir is not None and MODULE_NAME.match(module_name):
        candidate = plugin_dir / "available" / f"{module_name}.py"
        if candidate.is_file():
            return load_file_module(module_name, candidate)
    return importlib.import_module(module_name)


def import_plugin(name: str, plugin_dir: Path | None = None) -> Any:
    """Import what ``module::Class`` or ``path/to/file.py::Class`` names, unchecked.

    Raises
    ------
    PluginInvalid
        The name is malformed or the import failed.
    """
    module_name, sep, class_name = name.partition("::")
    if not sep or not module_name or not class_name:
        raise PluginInvalid(f"{name!r} is not a plugin name of the form module::Class")
    try:
        if module_name.endswith(".py"):
            path = Path(module_name)
            if not path.is_file():
                raise PluginInvalid(f"no plugin file {module_name}")
            module = load_file_module(path.stem, path)
        else:
            module = _import_module(module_name, plugin_dir)
        return getattr(module, class_name)
    except PluginInvalid:
        raise
    except ModuleNotFoundError as e:
        if MODULE_NAME.match(module_name) and importlib.util.find_spec(f"{__package__}.{module_name}") is not None:
            raise PluginInvalid(NOT_REGISTERED.format(name=name)) from e
        raise PluginInvalid(f"plugin {name} cannot be imported: {type(e).__name__}: {e}") from e
    except Exception as e:  # any import error of third-party code is reported
        raise PluginInvalid(f"plugin {name} cannot be imported: {type(e).__name__}: {e}") from e


def load_plugin(name: str, plugin_dir: Path | None = None) -> type[ProxyPlugin]:
    """Import and check the plugin ``module::Class``.

    Raises
    ------
    PluginInvalid
        The name is malformed, the import failed, or the class breaks the contract.
    """
    return check_plugin_class(name, import_plugin(name, plugin_dir))
