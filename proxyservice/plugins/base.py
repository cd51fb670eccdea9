"""A base for plugins that make one proxy per file in a worker: what the built-ins and third parties use.

A subclass names its job (a module-level function of its own module taking
``file_id, path, width, height`` and its ``context``, and returning
warnings), what it handles and its schema; :meth:`process` submits the job,
as the contract asks.
"""

import logging
from pathlib import Path
from typing import Any, Callable, ClassVar

from ..domain import Area, FileInfo, PluginStatus, ProxyFile, ProxyPlugin, ProxySize, sized_typeidentifier
from .context import current_job_context
from .contract import JobContext
from .helpers import Proxy

logger = logging.getLogger(__name__)

Job = Callable[..., list[str]]


def ingest_scaled(context: JobContext, image: Path, file_id: str, namespace: str, typeidentifier: str,
                  box: ProxySize, palette: bool = False, photo: bool = False) -> ProxyFile:
    """Scale an image made by a job into ``box`` and store it as the file's proxy at that size.

    It is kept beside the file's proxies of other sizes: under ``typeidentifier`` at the
    default size, else under ``typeidentifier@<size>`` (:func:`sized_typeidentifier`).

    Parameters
    ----------
    palette, photo
        As :meth:`ImageScaler.fit`: 256 colours for pages and drawings, JPEG for photos.
    """
    return ingest_part_scaled(context, image, None, file_id, namespace, typeidentifier, box, palette, photo)


def ingest_part_scaled(context: JobContext, image: Path, area: Area | None, file_id: str, namespace: str,
                       typeidentifier: str, box: ProxySize, palette: bool = False, photo: bool = False) -> ProxyFile:
    """:func:`ingest_scaled` of ``area`` of the image alone (all of it for ``None``): for the built-ins' pages.

    Not in the plugin API (``api.py``), which keeps its version: a third party's plugin cuts its picture itself.
    """
    settings = context.settings
    stored = sized_typeidentifier(typeidentifier, box, settings.default_proxy_size, settings.named_sizes)
    with context.temporary_file() as out:
        scaled = context.image_scaler().fit(image, out, box, palette=palette, photo=photo, area=area)
        return Proxy(file_id, namespace, context).ingest(
            out, stored, f"{stored.replace('@', '-')}{scaled.extension}", scaled.mimetype
        )


class DeclaredPlugin(ProxyPlugin):
    """A plugin that says what it is in class attributes: the part of the contract every built-in shares.

    Attributes
    ----------
    NAMESPACE
        The plugin's short name, under which its proxies and fields are kept (``csv_table``).
    EXTENSIONS, MIMETYPES
        What it handles: the media type read from the content decides, the extension only
        when the content says nothing (``application/octet-stream``).
    SCHEMA
        Its ``schema()``: one entry per proxy type it makes and per metadata field it reads.
    """

    NAMESPACE: ClassVar[str]
    SCHEMA: ClassVar[list[dict[str, Any]]]

    def namespace(self) -> str:
        return self.NAMESPACE

    def handles(self, ext: str | None = None, mimetype: str | None = None) -> bool:
        # The content's media type decides when it is known; the extension only otherwise.
        if mimetype and mimetype != "application/octet-stream":
            return mimetype.lower() in self.MIMETYPES
        return (ext or "").lower() in self.EXTENSIONS

    def schema(self) -> list[dict[str, Any]]:
        return self.SCHEMA


class WorkerProxyPlugin(DeclaredPlugin):
    """An async plugin whose work is one job: make the proxy of one file at one size.

    A subclass sets these, and :meth:`process` submits ``job`` for each file and size.

    Attributes
    ----------
    NAMESPACE, EXTENSIONS, MIMETYPES, SCHEMA
        As :class:`DeclaredPlugin`'s.
    job
        ``staticmethod(fn)`` of a function of the plugin's own module, taking
        ``file_id, path, width, height, context`` and returning warnings.
    MAKES_PAGES
        True for a plugin whose job also takes ``pages`` (after ``height``, ``None`` by default, with
        ``context`` keyword-only): how many numbered proxies (``page-1``…) to make, when a request asks.
    """

    @staticmethod
    def job(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
        """Make and store the proxy; return warnings. Overridden by a module-level function."""
        raise NotImplementedError

    def is_async(self) -> bool:
        return True

    def process(self, id_: str, file_: str, fileinfo: FileInfo | None = None) -> PluginStatus:
        size = fileinfo.proxy_size if fileinfo is not None else current_job_context().settings.default_proxy_size
        args: list[Any] = [id_, file_, size.width, size.height]
        if self.MAKES_PAGES and fileinfo is not None and fileinfo.pages is not None:
            args.append(fileinfo.pages)  # last, and only when asked: a job of a task queued before takes four
        try:
            self._submit(type(self).job, args=args)
        except Exception as e:  # the contract: report FATAL, never propagate
            logger.error("%s cannot submit the proxy of %s: %s", self.NAMESPACE, file_, e)
            return PluginStatus.FATAL
        return PluginStatus.INPROGRESS
