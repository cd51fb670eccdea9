"""Finding, validating and choosing plugins.

A plugin is named ``module::Class`` as PixStor prints it. A module that is one
of :data:`BUILTIN_MODULES` is looked up in this package; any other is
imported as given. Every plugin goes through :func:`load_plugin`, which
reports what is wrong with a broken one instead of letting it take the
service down.
"""

import importlib
import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..domain import ProxyPlugin, SourceFile
from ..schemas import first_error

logger = logging.getLogger(__name__)

BUILTIN_MODULES = ("html_preview",)
"""Modules of this package that hold built-in plugins."""
BUILTIN_PLUGINS = ("html_preview::HTMLPreview",)
"""The built-in plugins, by name."""
NAMESPACE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class PluginInvalid(Exception):
    """A plugin could not be loaded, or breaks the plugin contract; the message says how."""


def _module_name(module: str) -> str:
    return f"{__package__}.{module}" if module in BUILTIN_MODULES else module


def load_plugin(name: str) -> type[ProxyPlugin]:
    """Import and check the plugin ``module::Class``.

    Raises
    ------
    PluginInvalid
        The name is malformed, the import failed, the class is not a
        :class:`ProxyPlugin`, or its namespace or schema is invalid.
    """
    module_name, sep, class_name = name.partition("::")
    if not sep or not module_name or not class_name:
        raise PluginInvalid(f"{name!r} is not a plugin name of the form module::Class")
    try:
        module = importlib.import_module(_module_name(module_name))
        plugin_class = getattr(module, class_name)
    except Exception as e:  # any import error of third-party code is reported
        raise PluginInvalid(f"plugin {name} cannot be imported: {type(e).__name__}: {e}") from e
    if not (isinstance(plugin_class, type) and issubclass(plugin_class, ProxyPlugin)):
        raise PluginInvalid(f"plugin {name} is not a subclass of ProxyPlugin")
    try:
        instance = plugin_class()
        namespace, schema = instance.namespace(), instance.schema()
    except Exception as e:
        raise PluginInvalid(f"plugin {name} cannot describe itself: {type(e).__name__}: {e}") from e
    if not isinstance(namespace, str) or not NAMESPACE.match(namespace):
        raise PluginInvalid(f"plugin {name} has an invalid namespace {namespace!r} (want {NAMESPACE.pattern})")
    problem = first_error("PluginSchema", schema)
    if problem is not None:
        raise PluginInvalid(f"plugin {name} has an invalid schema: {problem}")
    return plugin_class


@dataclass(frozen=True)
class PluginSet:
    """The plugins in use, by name, and those that failed to load."""

    plugins: tuple[tuple[str, type[ProxyPlugin]], ...]
    broken: tuple[tuple[str, str], ...]
    """``(name, reason)`` of each plugin that could not be loaded."""

    def names(self) -> tuple[str, ...]:
        """The names of the loaded plugins."""
        return tuple(name for name, _ in self.plugins)

    def get(self, name: str) -> type[ProxyPlugin] | None:
        """The plugin class of that name, if it is loaded."""
        return dict(self.plugins).get(name)

    def handling(self, source: SourceFile) -> tuple[tuple[str, type[ProxyPlugin]], ...]:
        """The plugins that handle a file, by its extension or its mimetype."""
        return tuple(
            (name, plugin_class)
            for name, plugin_class in self.plugins
            if plugin_class().handles(ext=source.ext, mimetype=source.mimetype)
        )

    def describe(self) -> list[dict[str, Any]]:
        """Each plugin's name, namespace, async-ness and schema."""
        described = []
        for name, plugin_class in self.plugins:
            plugin = plugin_class()
            described.append(
                {
                    "name": name,
                    "namespace": plugin.namespace(),
                    "is_async": plugin.is_async(),
                    "handles": {
                        "extensions": sorted(plugin_class.EXTENSIONS),
                        "mimetypes": sorted(plugin_class.MIMETYPES),
                    },
                    "schema": plugin.schema(),
                }
            )
        return described


@lru_cache(maxsize=8)
def enabled_plugins(names: tuple[str, ...]) -> PluginSet:
    """Load the plugins named; a broken one is logged and left out."""
    loaded, broken = [], []
    for name in names:
        try:
            loaded.append((name, load_plugin(name)))
        except PluginInvalid as e:
            logger.error("plugin %s is skipped: %s", name, e)
            broken.append((name, str(e)))
    return PluginSet(tuple(loaded), tuple(broken))
