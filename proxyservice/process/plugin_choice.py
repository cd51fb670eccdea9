"""Which plugins make a file's proxies: those a client names, or every enabled one that handles it.

Two plugins that make the same proxies of a file (the two HTML engines'
``preview``) would overwrite each other's: of those, the preferred one
(HTML_ENGINE's) makes them, else the first enabled (or the first named). A
client names another to have it draw the file; it keeps its picture under a
name of its own.
"""

from dataclasses import dataclass
from typing import Protocol, Sequence

from ..domain import ALL_ENABLED, ProxyPlugin, SourceFile, proxy_types

Plugins = tuple[tuple[str, type[ProxyPlugin]], ...]

NOT_ENABLED = "plugins: %r is not an enabled plugin"
NO_PLUGIN_HANDLES = "no enabled plugin makes proxies of %s files (%s)"
NAMED_PLUGINS_DO_NOT_HANDLE = "none of the plugins named makes proxies of %s files (%s)"


class EnabledPlugins(Protocol):
    """The enabled plugins (the registry's plugin set)."""

    @property
    def plugins(self) -> Plugins: ...

    @property
    def preferred(self) -> tuple[str, ...]: ...

    def get(self, name: str) -> type[ProxyPlugin] | None: ...

    def handling(self, source: SourceFile, or_its_extension: bool = False) -> Plugins: ...


@dataclass(frozen=True)
class PluginRefusal:
    """Why no plugin will make proxies of a file."""

    reason: str
    not_enabled: bool = False
    """A name the client gave is no enabled plugin (else: none handles the file's type)."""


def unknown_plugin(enabled: EnabledPlugins, named: Sequence[str] | None) -> PluginRefusal | None:
    """The refusal for a named plugin that is not enabled, if one is."""
    for name in named or ():
        if name != ALL_ENABLED and enabled.get(name) is None:
            return PluginRefusal(NOT_ENABLED % name, not_enabled=True)
    return None


def choose_plugins(enabled: EnabledPlugins, source: SourceFile, named: Sequence[str] | None) -> Plugins | PluginRefusal:
    """The plugins to run on ``source``.

    Parameters
    ----------
    named
        The plugins a client asked for (``@proxy``: every enabled one), or ``None``. A named
        plugin may take any file whose extension it handles, whatever its content looks like.
    """
    refusal = unknown_plugin(enabled, named)
    if refusal is not None:
        return refusal
    candidates = enabled
    if named and ALL_ENABLED not in named:
        candidates = _Subset(tuple((n, c) for n, c in enabled.plugins if n in named), enabled)
    handling = candidates.handling(source, or_its_extension=bool(named))
    # The preferred first (a stable sort): of two that make the same proxies, it is the one kept.
    chosen = _first_of_each_proxy(tuple(sorted(handling, key=lambda plugin: plugin[0] not in enabled.preferred)))
    if not chosen:
        reason = NAMED_PLUGINS_DO_NOT_HANDLE if named else NO_PLUGIN_HANDLES
        return PluginRefusal(reason % (source.mimetype, source.ext or "no extension"))
    return chosen


def _first_of_each_proxy(plugins: Plugins) -> Plugins:
    """``plugins`` without those whose every proxy an earlier one makes already (one that reads fields only is kept)."""
    made: set[str] = set()
    kept = []
    for name, plugin in plugins:
        proxies = set(proxy_types(plugin().schema()))
        if proxies and proxies <= made:
            continue
        made |= proxies
        kept.append((name, plugin))
    return tuple(kept)


class _Subset:
    """Some of the enabled plugins, choosing as the whole set does."""

    def __init__(self, plugins: Plugins, whole: EnabledPlugins) -> None:
        self._plugins = plugins
        self._whole = whole

    @property
    def plugins(self) -> Plugins:
        return self._plugins

    @property
    def preferred(self) -> tuple[str, ...]:
        return self._whole.preferred

    def get(self, name: str) -> type[ProxyPlugin] | None:
        return dict(self._plugins).get(name)

    def handling(self, source: SourceFile, or_its_extension: bool = False) -> Plugins:
        return tuple(p for p in self._whole.handling(source, or_its_extension) if p in self._plugins)
