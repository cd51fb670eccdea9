"""Finding, validating, enabling and choosing plugins.

A plugin is named ``module::Class`` as PixStor prints it. Plugins come from
three places:

- built in: the modules in :data:`BUILTIN_MODULES` of this package (all but
  :data:`BUILTIN_OPTIONAL` enabled by default);
- entry points of installed distributions, group ``proxyservice.plugins``
  (``my_thumbs = my_package.thumbs:MyThumbs``);
- the plugin folder (``PLUGIN_DIR``), PixStor's layout: modules in
  ``available/``, and a plugin is enabled by a link in ``enabled/``.

The enabled set is ``ENABLED_PLUGINS`` when it is set, else the links in
``enabled/`` when that folder exists, else the built-ins. Links are named
after the plugin (``html_preview::HTMLPreview``); a link to a module of
``available/`` (``enabled/my_thumbs.py``) enables every plugin in it. The web
app and the workers read the same folder, so they see the same set.

Enabling and disabling is :mod:`.enabling`. Every plugin goes through :func:`load_plugin`, which reports what is wrong
with a broken one instead of letting it take the service down.
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

from ..config import Settings
from ..domain import ProxyPlugin, SourceFile
from ..errors import InputInvalid, InputNotFound
from ..schemas import first_error

logger = logging.getLogger(__name__)

"""Modules of this package that hold built-in plugins."""
BUILTIN_PLUGINS = (
    "html_preview::HTMLPreview",
    "image_thumbnail::ImageThumbnail",
    "text_thumbnail::TextThumbnail",
    "pdf_thumbnail::PDFThumbnail",
    "svg_thumbnail::SVGThumbnail",
    "video_thumbnail::VideoThumbnail",
    "markdown_preview::MarkdownPreview",
    "epub_thumbnail::EPUBThumbnail",
    "office_thumbnail::OfficeThumbnail",
)
"""The built-in plugins enabled by default, by name."""
BUILTIN_OPTIONAL = ("html_chromium::ChromiumPreview",)
"""Built-in plugins enabled only when asked: Chromium beside wkhtmltoimage, the default for HTML."""
BUILTIN_MODULES = tuple(name.split("::")[0] for name in (*BUILTIN_PLUGINS, *BUILTIN_OPTIONAL))
"""Their modules, in this package."""
ENTRY_POINT_GROUP = "proxyservice.plugins"
NAMESPACE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MODULE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class PluginInvalid(InputInvalid):
    """A plugin could not be loaded, or breaks the plugin contract; the message says how."""


class PluginNotInstalled(PluginInvalid, InputNotFound):
    """No installed plugin has that name; ``proxyservice plugins list`` shows those that are."""


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


def _import_module(module_name: str, plugin_dir: Path | None) -> ModuleType:
    if module_name in BUILTIN_MODULES:
        return importlib.import_module(f"{__package__}.{module_name}")
    if plugin_dir is not None and MODULE_NAME.match(module_name):
        candidate = plugin_dir / "available" / f"{module_name}.py"
        if candidate.is_file():
            return load_file_module(module_name, candidate)
    return importlib.import_module(module_name)


def plugin_classes(module: ModuleType) -> list[str]:
    """The names of the plugin classes a module defines (not those it imports)."""
    return sorted(
        name for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, ProxyPlugin) and value.__module__ == module.__name__
    )


def check_plugin_class(name: str, plugin_class: Any) -> type[ProxyPlugin]:
    """Check that a class keeps the contract's static parts: namespace and schema.

    Raises
    ------
    PluginInvalid
        It is not a :class:`ProxyPlugin`, or its namespace or schema is invalid.
    """
    if not (isinstance(plugin_class, type) and issubclass(plugin_class, ProxyPlugin)):
        raise PluginInvalid(f"plugin {name} is not a subclass of ProxyPlugin")
    try:
        instance = plugin_class()
        namespace = instance.namespace()
    except Exception as e:
        raise PluginInvalid(f"plugin {name} cannot name its namespace: {type(e).__name__}: {e}") from e
    if not isinstance(namespace, str) or not NAMESPACE.match(namespace):
        raise PluginInvalid(f"plugin {name} has an invalid namespace {namespace!r} (want {NAMESPACE.pattern})")
    try:
        schema = instance.schema()
    except NotImplementedError as e:
        raise PluginInvalid(f"plugin {name} has no schema: schema() is not implemented") from e
    except Exception as e:
        raise PluginInvalid(f"plugin {name} cannot give its schema: {type(e).__name__}: {e}") from e
    problem = first_error("PluginSchema", schema)
    if problem is not None:
        raise PluginInvalid(f"plugin {name} has an invalid schema: {problem}")
    return plugin_class


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


@dataclass(frozen=True)
class Installed:
    """A plugin that can be enabled, and where it comes from."""

    name: str
    origin: str
    """``built-in``, ``entry point (distribution)`` or the plugin folder's file."""


def installed_plugins(plugin_dir: Path | None) -> tuple[list[Installed], list[tuple[str, str]]]:
    """Every installed plugin, and ``(name, reason)`` of plugin modules that would not import."""
    found = [Installed(name, "built-in") for name in (*BUILTIN_PLUGINS, *BUILTIN_OPTIONAL)]
    broken: list[tuple[str, str]] = []
    for entry in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        module_name, _, class_name = entry.value.partition(":")
        distribution = entry.dist.name if entry.dist is not None else "unknown"
        found.append(Installed(f"{module_name}::{class_name}", f"entry point ({distribution})"))
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


def enabled_names(settings: Settings) -> tuple[str, ...]:
    """The names of the enabled plugins (see the module's docstring for the rules)."""
    if settings.ENABLED_PLUGINS:
        return settings.ENABLED_PLUGINS
    enabled = settings.plugin_dir / "enabled"
    if not enabled.is_dir():
        return BUILTIN_PLUGINS
    names: list[str] = []
    for link in sorted(enabled.iterdir(), key=lambda p: p.name):
        if "::" in link.name:
            names.append(link.name)
        elif link.suffix == ".py" and link.exists():
            try:
                module = load_file_module(link.stem, settings.plugin_dir / "available" / link.name)
            except Exception as e:
                logger.error("enabled plugin module %s cannot be imported: %s", link, e)
                names.append(f"{link.stem}::*")  # reported as broken
                continue
            names.extend(f"{link.stem}::{cls}" for cls in plugin_classes(module))
    return tuple(names)


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

    def handling(self, source: SourceFile, or_its_extension: bool = False) -> tuple[tuple[str, type[ProxyPlugin]], ...]:
        """The plugins that handle a file, by its extension and its mimetype.

        Parameters
        ----------
        or_its_extension
            Also those that handle its extension whatever its content (a client named them).
        """
        chosen = []
        for name, plugin_class in self.plugins:
            try:
                plugin = plugin_class()
                if plugin.handles(ext=source.ext, mimetype=source.mimetype) or (
                        or_its_extension and source.ext and plugin.handles(ext=source.ext, mimetype=None)):
                    chosen.append((name, plugin_class))
            except Exception:  # a plugin's bug must not fail the ingest
                logger.exception("plugin %s raised in handles()", name)
        return tuple(chosen)

    def describe(self) -> list[dict[str, Any]]:
        """Each plugin's name, namespace, async-ness, what it lists as handled, and schema."""
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


_LOADED: dict[tuple[tuple[str, ...], Path], PluginSet] = {}


def enabled_plugins(settings: Settings) -> PluginSet:
    """Load the enabled plugins; a broken one is logged and left out.

    The enabled names are read each time (a listing of one folder), so
    ``plugins enable`` takes effect without a restart; loading is done once
    per set of names.
    """
    names = enabled_names(settings)
    key = (names, settings.plugin_dir)
    if key not in _LOADED:
        loaded, broken = [], []
        for name in names:
            try:
                loaded.append((name, load_plugin(name, settings.plugin_dir)))
            except PluginInvalid as e:
                logger.error("plugin %s is skipped: %s", name, e)
                broken.append((name, str(e)))
        _LOADED[key] = PluginSet(tuple(loaded), tuple(broken))
    return _LOADED[key]
