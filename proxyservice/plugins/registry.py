"""Which plugins are enabled, and the set of them in use.

Plugins are found by :mod:`.discovery` (entry points, the built-ins among
them, and the plugin folder) and checked by :mod:`.validation`. The enabled
set is ``ENABLED_PLUGINS`` when it is set, else the links in the plugin
folder's ``enabled/`` when that folder exists, else :data:`BUILTIN_PLUGINS`.
Links are named after the plugin (``html_preview::HTMLPreview``); a link to a
module of ``available/`` (``enabled/my_thumbs.py``) enables every plugin in
it. The web app and the workers read the same folder, so they see the same
set; among the built-ins, the HTML plugin is HTML_ENGINE's. When both HTML
engines are enabled, HTML_ENGINE's makes a file's ``preview`` unless a
request names the other. Enabling and disabling is :mod:`.enabling`.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import HTML_ENGINES, Settings
from ..domain import ProxyPlugin, SourceFile
from .api_version import API_VERSION, declared_api_version
from .discovery import (ENTRY_POINT_GROUP, Installed, import_plugin, installed_plugins, load_file_module, load_plugin,
                        plugin_classes)
from .validation import NAMESPACE, PluginInvalid, PluginNotInstalled, check_plugin_class

__all__ = ["API_VERSION", "BUILTIN_OPTIONAL", "BUILTIN_PLUGINS", "ENTRY_POINT_GROUP", "NAMESPACE", "Installed",
           "PluginInvalid", "PluginNotInstalled", "PluginSet", "check_plugin_class", "enabled_names",
           "enabled_plugins", "import_plugin", "installed_plugins", "load_file_module", "load_plugin",
           "plugin_classes"]

logger = logging.getLogger(__name__)

BUILTIN_PLUGINS = (
    "html_preview::HTMLPreview",
    "image_thumbnail::ImageThumbnail",
    "text_thumbnail::TextThumbnail",
    "pdf_thumbnail::PDFThumbnail",
    "svg_thumbnail::SVGThumbnail",
    "video_thumbnail::VideoThumbnail",
    "audio_waveform::AudioWaveform",
    "markdown_preview::MarkdownPreview",
    "epub_thumbnail::EPUBThumbnail",
    "office_thumbnail::OfficeThumbnail",
)
"""The built-in plugins enabled by default, by name."""
BUILTIN_OPTIONAL = ("html_chromium::ChromiumPreview",)
"""Built-in plugins enabled only when asked: Chromium beside wkhtmltoimage, the default for HTML.

Both lists are entry points of proxyservice's own pyproject.toml, as a third party's plugins are of theirs."""


def enabled_names(settings: Settings) -> tuple[str, ...]:
    """The names of the enabled plugins (see the module's docstring for the rules).

    Raises
    ------
    SettingInvalid
        HTML_ENGINE names no engine.
    """
    engine = settings.html_engine_plugin
    if settings.ENABLED_PLUGINS:
        return settings.ENABLED_PLUGINS
    enabled = settings.plugin_dir / "enabled"
    if not enabled.is_dir():
        # The built-ins draw HTML with HTML_ENGINE.
        return tuple(engine if name == HTML_ENGINES["wkhtmltoimage"] else name for name in BUILTIN_PLUGINS)
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
    preferred: tuple[str, ...] = ()
    """Plugins that make a file's proxies before any other that makes the same ones (HTML_ENGINE's)."""
    _handling: dict[tuple[str, str, bool], tuple[tuple[str, type[ProxyPlugin]], ...]] = field(
        default_factory=dict, compare=False, repr=False)
    """The answers of :meth:`handling`, by extension, media type and whether the extension alone counts."""

    def names(self) -> tuple[str, ...]:
        """The names of the loaded plugins."""
        return tuple(name for name, _ in self.plugins)

    def get(self, name: str) -> type[ProxyPlugin] | None:
        """The plugin class of that name, if it is loaded."""
        return dict(self.plugins).get(name)

    def handling(self, source: SourceFile, or_its_extension: bool = False) -> tuple[tuple[str, type[ProxyPlugin]], ...]:
        """The plugins that handle a file, by its extension and its mimetype.

        The contract's ``handles`` is asked only of the extension and the
        media type, so its answers are kept per pair for this set of plugins:
        each kind of file asks every plugin once, not at every ingest.

        Parameters
        ----------
        or_its_extension
            Also those that handle its extension whatever its content (a client named them).
        """
        key = (source.ext, source.mimetype, or_its_extension)
        chosen = self._handling.get(key)
        if chosen is None:
            chosen = self._handling[key] = self._ask_handles(source.ext, source.mimetype, or_its_extension)
        return chosen

    def _ask_handles(self, ext: str, mimetype: str, or_its_extension: bool) -> tuple[tuple[str, type[ProxyPlugin]], ...]:
        chosen = []
        for name, plugin_class in self.plugins:
            try:
                plugin = plugin_class()
                if plugin.handles(ext=ext, mimetype=mimetype) or (
                        or_its_extension and ext and plugin.handles(ext=ext, mimetype=None)):
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
                    "api_version": declared_api_version(plugin_class),
                    "handles": {
                        "extensions": sorted(plugin_class.EXTENSIONS),
                        "mimetypes": sorted(plugin_class.MIMETYPES),
                    },
                    "schema": plugin.schema(),
                }
            )
        return described


_LOADED: dict[tuple[tuple[str, ...], Path, str], PluginSet] = {}


def enabled_plugins(settings: Settings) -> PluginSet:
    """Load the enabled plugins; a broken one is logged and left out.

    The enabled names are read each time (a listing of one folder), so
    ``plugins enable`` takes effect without a restart; loading is done once
    per set of names.
    """
    names = enabled_names(settings)
    key = (names, settings.plugin_dir, settings.html_engine_plugin)
    if key not in _LOADED:
        loaded, broken = [], []
        for name in names:
            try:
                loaded.append((name, load_plugin(name, settings.plugin_dir)))
            except PluginInvalid as e:
                logger.error("plugin %s is skipped: %s", name, e)
                broken.append((name, str(e)))
        _LOADED[key] = PluginSet(tuple(loaded), tuple(broken), preferred=(settings.html_engine_plugin,))
    return _LOADED[key]
