"""What a plugin author imports: the contract, the job's context and the helpers to store proxies.

    from proxyservice.plugins.api import JobContext, PluginStatus, Proxy, ProxyPlugin, generate_temp_filename

A job (the function a plugin submits) may take a ``context`` keyword
argument: the worker then hands it the :class:`JobContext` it runs in, with
the settings, the store, the sources and the sandbox. The helpers below use
that same context, so a PixStor-style plugin that only calls them works too.
"""

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..domain import PluginStatus, ProxyFile, ProxyPlugin, ProxySize, SourceFile, copy_format, sized_typeidentifier
from .context import JobContext, current_job_context

__all__ = ["JobContext", "PluginStatus", "Proxy", "ProxyPlugin", "ProxySize", "SourceFile", "generate_temp_filename",
           "sized_typeidentifier", "temporary_file"]


def generate_temp_filename(suffix: str = "") -> Path:
    """A fresh path in the proxy store's temp folder to make a proxy in.

    Making the proxy there, then :meth:`Proxy.ingest`-ing it, moves it into
    place atomically: a half-written proxy is never seen.
    """
    return current_job_context().generate_temp_filename(suffix)


@contextmanager
def temporary_file(suffix: str = "") -> Iterator[Path]:
    """A path from :func:`generate_temp_filename`, removed on leaving (if it was not ingested)."""
    with current_job_context().temporary_file(suffix) as path:
        yield path


class Proxy:
    """The proxies of one file, as one plugin makes them.

    Parameters
    ----------
    id_
        The file's id, as given to :meth:`ProxyPlugin.process`.
    plugin
        The plugin making the proxies, or its namespace.
    context
        The job's context; the one the job runs in when not given.
    """

    def __init__(self, id_: str, plugin: ProxyPlugin | str, context: JobContext | None = None) -> None:
        self.id_ = id_
        self.namespace = plugin if isinstance(plugin, str) else plugin.namespace()
        self.context = context

    def ingest(self, path: Path | str, typeidentifier: str, filename: str, mimetype: str) -> ProxyFile:
        """Move a finished proxy file into the store, replacing an earlier one of that type.

        Raises
        ------
        ValueError
            ``typeidentifier`` is not of the allowed form, or ends as the service's copies in
            modern formats are named (``.webp``, ``.avif``): those are the service's to make.
        """
        if copy_format(typeidentifier) is not None:
            raise ValueError(f"type identifier {typeidentifier!r}: a name ending in .webp or .avif is kept for "
                             "the service's copies of proxies in those formats")
        store = (self.context or current_job_context()).store
        return store.ingest(self.id_, self.namespace, Path(path), typeidentifier, filename, mimetype)
