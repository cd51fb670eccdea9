"""The proxy-plugin contract (PixStor Search's, in Python).

A plugin says which files it handles and makes proxies of them. A
synchronous plugin does its work inside :meth:`ProxyPlugin.process`; an
asynchronous one hands it to the job engine with :meth:`ProxyPlugin._submit`
and returns :attr:`PluginStatus.INPROGRESS`.
"""

from enum import Enum
from typing import Any, Callable, Mapping, Protocol, Sequence

from .source import FileInfo

ALL_ENABLED = "@proxy"
"""The group name that stands for every enabled proxy plugin."""


class PluginStatus(str, Enum):
    """What :meth:`ProxyPlugin.process` did with a file: an outcome, not an error."""

    SUCCESS = "SUCCESS"
    """The proxies were made in-process."""
    SKIPPED = "SKIPPED"
    """The plugin chose not to make proxies of this file."""
    ERRORED = "ERRORED"
    """This file could not be handled; others may be."""
    FATAL = "FATAL"
    """The plugin could not work at all (for example, submitting the job failed)."""
    INPROGRESS = "INPROGRESS"
    """The work was submitted to the job engine."""


class Submitter(Protocol):
    """Sends one job to the job engine; raises when it cannot."""

    def __call__(self, fn: Callable[..., Any], args: Sequence[Any]) -> None: ...


class MetadataSink(Protocol):
    """Checks one plugin's metadata of a file against its schema and stores what fits; returns the refusals."""

    def __call__(self, file_id: str, values: Mapping[str, Any]) -> list[str]: ...


class ProxyPlugin:
    """Base class of every proxy plugin.

    Subclasses override the public methods; each raises
    ``NotImplementedError`` here. A new instance is made for each ingest, so
    an instance may keep per-file state.

    Parameters
    ----------
    submit
        Where :meth:`_submit` sends jobs; the ingest process binds it.
    store_metadata
        Where :meth:`_store_metadata` stores fields read at ingest; the ingest process binds it.
    """

    EXTENSIONS: frozenset[str] = frozenset()
    """Extensions the plugin handles, for listings; :meth:`handles` decides."""
    MIMETYPES: frozenset[str] = frozenset()
    """Media types the plugin handles, for listings; :meth:`handles` decides."""
    MAKES_PAGES: bool = False
    """Whether it makes a numbered proxy of each page asked for (``fileinfo.pages``: ``page-1``…, a video's
    ``frame-1``…); a plugin that does not is asked as if no pages were (its task the same as without)."""

    def __init__(self, *, submit: Submitter | None = None, store_metadata: MetadataSink | None = None) -> None:
        self._submitter = submit
        self._metadata_sink = store_metadata

    def namespace(self) -> str:
        """Return the plugin's short name, used in proxy metadata (``html_preview``)."""
        raise NotImplementedError

    def is_async(self) -> bool:
        """Return whether :meth:`process` submits its work instead of doing it."""
        raise NotImplementedError

    def handles(self, ext: str | None = None, mimetype: str | None = None) -> bool:
        """Return whether the plugin makes proxies of files with this extension or type.

        Parameters
        ----------
        ext
            Lower-case extension with its dot (``.html``).
        mimetype
            The file's media type (``text/html``).
        """
        raise NotImplementedError

    def schema(self) -> list[dict[str, Any]]:
        """Return the fields the plugin adds: one ``{name, prompt, value[, searchable]}`` per proxy type
        (datatype ``Proxy``) and per metadata field (String, Integer, Float, Boolean, Date, or List of one)."""
        raise NotImplementedError

    def process(self, id_: str, file_: str, fileinfo: FileInfo | None = None) -> PluginStatus:
        """Make, or submit the making of, the proxies of one file.

        Parameters
        ----------
        id_
            The file's id; proxies are stored under it.
        file_
            The file's path.
        fileinfo
            The file's :class:`~proxyservice.domain.FileInfo`: its id, path, size,
            mimetype, the requested proxy size and pages.
        """
        raise NotImplementedError

    def _submit(self, fn: Callable[..., Any], args: Sequence[Any] = ()) -> None:
        """Send ``fn(*args)`` to the job engine.

        ``fn`` must be a module-level function of the plugin's own module and
        ``args`` plain JSON values. Raises whatever the job engine raised.
        """
        if self._submitter is None:
            raise RuntimeError(
                f"{type(self).__name__} has no job engine bound; "
                "it can only submit work during an ingest"
            )
        self._submitter(fn, list(args))

    def _store_metadata(self, id_: str, values: Mapping[str, Any]) -> list[str]:
        """Store metadata read of a file in :meth:`process`, as its schema declares it; return the refusals.

        Each value is checked against its field's declaration first: one that
        does not fit (or is not declared) is not stored, and a warning naming
        the field says why. A worker's job stores its fields through its
        context instead (``Metadata(id_, plugin).ingest``).
        """
        if self._metadata_sink is None:
            raise RuntimeError(f"{type(self).__name__} has no metadata store bound; "
                               "it can only store metadata during an ingest")
        return self._metadata_sink(id_, values)
