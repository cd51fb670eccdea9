"""The world a plugin's job sees, handed to it: the same on any host, and all of it in one place.

A worker builds a :class:`JobContext` from its settings for each job and
passes it as the job's ``context`` argument when the job takes one; the
plugin API's helpers (``Proxy(...).ingest``, ``generate_temp_filename``) use
the context of the job they run in. Nothing here reads Flask's ``g``: a job
runs the same in a worker, in ``plugins check`` and in a test.

This is the service's side. A plugin sees it only through the narrow
:class:`~.contract.JobContext` protocol of the plugin API (no store, sources or
sandbox in its signatures); mypy checks that this class keeps it
(:func:`_keeps_the_plugin_api`).
"""

import inspect
import shutil
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Mapping, Sequence

from ..config import Settings
from ..domain import ProxyFile, SourceView
from ..process.metadata import MetadataBook, keep_metadata
from ..services.audio import AudioReader
from ..services.imaging import ImageScaler
from ..services.office import OfficeConverter
from ..services.pdf import PdfRasterizer
from ..services.renderer import ChromiumRenderer, HtmlRenderer
from ..services.sandbox import Sandbox
from ..services.sources import SourceFiles
from ..services.store import ProxyStore
from ..services.svg import SvgRasterizer
from ..services.video import VideoFrames
from . import contract

NO_CONTEXT = ("no job context: plugin helpers work inside a job the service runs "
              "(a worker, `proxyservice plugins check`), or inside JobContext.active()")

_current: ContextVar["JobContext | None"] = ContextVar("proxyservice_job_context", default=None)
_refused: ContextVar[list[str] | None] = ContextVar("proxyservice_refused_metadata", default=None)
"""The metadata refusals of the job running now: they join its warnings, whether the job returns them or not."""



class _Nowhere:
    """Where the metadata of a context without records goes: nowhere (it is still checked)."""

    def put_metadata(self, file_id: str, namespace: str, fields: Mapping[str, Any]) -> None:
        pass


_NOWHERE = _Nowhere()


@dataclass(frozen=True)
class JobContext:
    """What a plugin's job may use.

    Parameters
    ----------
    settings
        The service's settings (limits, sizes, binaries).
    store
        Where proxies go (through :meth:`proxy` or the API's ``Proxy``).
    sources
        The files proxies are made of, and what a page may read of its tree.
    sandbox
        Where every external program a job runs must run (``sandbox.run``).
    metadata
        Where metadata goes (through :meth:`store_metadata` or the API's ``Metadata``); none, none is kept.
    """

    settings: Settings
    store: ProxyStore
    sources: SourceFiles
    sandbox: Sandbox
    metadata: MetadataBook | None = None

    @contextmanager
    def active(self) -> Iterator["JobContext"]:
        """Make this the context the plugin API's helpers use, for the block."""
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    def generate_temp_filename(self, suffix: str = "") -> Path:
        """A fresh path in the store's temp folder to make a proxy in."""
        return self.store.generate_temp_filename(suffix)

    @contextmanager
    def temporary_file(self, suffix: str = "") -> Iterator[Path]:
        """A path from :meth:`generate_temp_filename`, removed on leaving (if it was not stored)."""
        path = self.generate_temp_filename(suffix)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    @contextmanager
    def temporary_folder(self, suffix: str = "") -> Iterator[Path]:
        """A fresh folder in the store's temp folder, removed with all it holds on leaving."""
        folder = self.generate_temp_filename(suffix)
        folder.mkdir()
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    @contextmanager
    def snapshot(self, path: str, file_id: str) -> Iterator[Path]:
        """The job's own copy of the file it makes proxies of, checked to be the one ingested as ``file_id``.

        Work on it, never on ``path``: the file there may have been swapped
        for a link, or its bytes changed, since it was ingested (both are
        refused here). It is removed when the block ends.

        Raises
        ------
        SourceChanged, SourceNotFound, SourceOutsideRoots, SourceTooLarge
            The file is not the one ingested, or not there any more.
        """
        with self.temporary_folder(".source") as folder:
            yield self.sources.snapshot(path, file_id, folder)

    def page_view(self, path: str) -> SourceView:
        """What a page at ``path`` may read of its tree: its folder and ``RENDER_ALLOW_UP`` folders up."""
        return self.sources.page_view(Path(path), self.settings.RENDER_ALLOW_UP)

    def store_proxy(self, file_id: str, namespace: str, path: Path, typeidentifier: str, filename: str,
                    mimetype: str) -> ProxyFile:
        """Move a finished proxy file into the store atomically, replacing an earlier one of that type."""
        return self.store.ingest(file_id, namespace, path, typeidentifier, filename, mimetype)

    def store_metadata(self, file_id: str, namespace: str, schema: Sequence[Mapping[str, Any]],
                       values: Mapping[str, Any]) -> list[str]:
        """Keep the values that fit ``schema`` as what ``namespace`` read of the file; return the refusals.

        The refusals join the job's warnings (:func:`call_job`). Storing again
        replaces what the plugin stored of the file before.

        Raises
        ------
        RecordsUnavailable
            The records are away: the task waits and runs again.
        """
        refused = keep_metadata(self.metadata or _NOWHERE, file_id, namespace, schema, values)
        collected = _refused.get()
        if collected is not None:
            collected.extend(refused)
        return refused

    def html_renderer(self) -> HtmlRenderer:
        """wkhtmltoimage with the configured window and limits, in this context's sandbox."""
        return HtmlRenderer.from_settings(self.settings, self.sandbox)

    def chromium_renderer(self) -> ChromiumRenderer:
        """Chromium with the configured window and limits, in this context's sandbox."""
        return ChromiumRenderer.from_settings(self.settings, self.sandbox)

    def pdf_rasterizer(self) -> PdfRasterizer:
        """pdftoppm with the configured limits, in this context's sandbox."""
        return PdfRasterizer(self.settings.PDFTOPPM, self.settings.RENDER_MEMORY_MB, self.sandbox)

    def svg_rasterizer(self) -> SvgRasterizer:
        """rsvg-convert with the configured limits, in this context's sandbox."""
        return SvgRasterizer(self.settings.RSVG_CONVERT, self.settings.RENDER_MEMORY_MB, self.sandbox)

    def video_frames(self) -> VideoFrames:
        """ffmpeg and ffprobe with the configured limits, in this context's sandbox."""
        return VideoFrames(self.settings.FFMPEG, self.settings.FFPROBE, self.settings.RENDER_MEMORY_MB, self.sandbox)

    def audio_reader(self) -> AudioReader:
        """ffmpeg and ffprobe on sound files with the configured limits, in this context's sandbox."""
        return AudioReader(self.settings.FFMPEG, self.settings.FFPROBE, self.settings.RENDER_MEMORY_MB, self.sandbox)

    def office_converter(self) -> OfficeConverter:
        """LibreOffice with the configured limits, in this context's sandbox."""
        return OfficeConverter(self.settings.SOFFICE, self.settings.OFFICE_MEMORY_MB, self.sandbox)

    def image_scaler(self) -> ImageScaler:
        """Pillow, refusing images over MAX_IMAGE_PIXELS."""
        return ImageScaler(self.settings.MAX_IMAGE_PIXELS)


def call_job(job: Callable[..., Any], args: Sequence[Any], context: JobContext) -> list[str]:
    """Run a plugin's job in ``context`` (handed to it as ``context`` when it takes one); return its warnings.

    They are those the job returned, then the metadata it stored that was refused (:meth:`JobContext.store_metadata`).
    """
    refused: list[str] = []
    token = _refused.set(refused)
    try:
        with context.active():
            if "context" in inspect.signature(job).parameters:
                result = job(*args, context=context)
            else:
                result = job(*args)
    finally:
        _refused.reset(token)
    warnings = [str(warning) for warning in (result or ())]
    return warnings + [warning for warning in refused if warning not in warnings]


def current_job_context() -> JobContext:
    """The context of the job running now.

    Raises
    ------
    RuntimeError
        No job is running here (see :data:`NO_CONTEXT`).
    """
    context = _current.get()
    if context is None:
        raise RuntimeError(NO_CONTEXT)
    return context


def _keeps_the_plugin_api(context: JobContext) -> contract.JobContext:
    """Never called: mypy fails here if the service's context stops keeping the plugin API's protocol."""
    return context
