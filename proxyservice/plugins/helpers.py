"""PixStor's helpers for storing proxies, working in the context of the job they run in.

A job handed its ``context`` may use it directly (``context.temporary_file()``,
``Proxy(id_, plugin, context)``); a PixStor-style job that takes no context
calls these, and they find the context of the job running now.
"""

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping

from ..domain import ProxyFile, ProxyPlugin, copy_format
from .context import current_job_context
from .contract import JobContext


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
        context = self.context or current_job_context()
        return context.store_proxy(self.id_, self.namespace, Path(path), typeidentifier, filename, mimetype)


class Metadata:
    """The metadata one plugin reads of one file, stored as its schema declares it.

    Parameters
    ----------
    id_
        The file's id, as given to :meth:`ProxyPlugin.process`.
    plugin
        The plugin (or its class) whose ``schema()`` declares the fields.
    context
        The job's context; the one the job runs in when not given.
    """

    def __init__(self, id_: str, plugin: ProxyPlugin | type[ProxyPlugin], context: JobContext | None = None) -> None:
        self.id_ = id_
        self.plugin = plugin() if isinstance(plugin, type) else plugin
        self.context = context

    def ingest(self, values: Mapping[str, Any]) -> list[str]:
        """Keep the values that fit their declared fields; return a warning for each that does not.

        ``None`` stands for a field the file does not have and is left out. The
        refusals join the job's warnings whether it returns them or not.

        Raises
        ------
        ResourceUnavailable
            The records are away: the task waits and runs again.
        """
        context = self.context or current_job_context()
        return context.store_metadata(self.id_, self.plugin.namespace(), self.plugin.schema(), values)
