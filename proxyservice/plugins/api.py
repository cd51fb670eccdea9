"""What a plugin author imports: the contract and the helpers to store proxies.

    from proxyservice.plugins.api import PluginStatus, Proxy, ProxyPlugin, generate_temp_filename
"""

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..domain import PluginStatus, ProxyFile, ProxyPlugin, SourceFile
from ..services.store import ProxyStore

__all__ = ["PluginStatus", "Proxy", "ProxyPlugin", "SourceFile", "generate_temp_filename", "temporary_file"]


def generate_temp_filename(suffix: str = "") -> Path:
    """A fresh path in the proxy store's temp folder to make a proxy in.

    Making the proxy there, then :meth:`Proxy.ingest`-ing it, moves it into
    place atomically: a half-written proxy is never seen.
    """
    return ProxyStore.current_session().generate_temp_filename(suffix)


@contextmanager
def temporary_file(suffix: str = "") -> Iterator[Path]:
    """A path from :func:`generate_temp_filename`, removed on leaving (if it was not ingested)."""
    path = generate_temp_filename(suffix)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


class Proxy:
    """The proxies of one file, as one plugin makes them.

    Parameters
    ----------
    id_
        The file's id, as given to :meth:`ProxyPlugin.process`.
    plugin
        The plugin making the proxies, or its namespace.
    """

    def __init__(self, id_: str, plugin: ProxyPlugin | str) -> None:
        self.id_ = id_
        self.namespace = plugin if isinstance(plugin, str) else plugin.namespace()

    def ingest(self, path: Path | str, typeidentifier: str, filename: str, mimetype: str) -> ProxyFile:
        """Move a finished proxy file into the store, replacing an earlier one of that type."""
        return ProxyStore.current_session().ingest(
            self.id_, self.namespace, Path(path), typeidentifier, filename, mimetype
        )
