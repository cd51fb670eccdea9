"""What a plugin's job may ask of the service: the :class:`JobContext` protocol of plugin API v1.

A job sees this narrow interface, never the service's store, sources or
sandbox: settings, temp files and folders, its checked copy of the file, the
view a page has of its tree, the converters (each already in the sandbox,
with the configured limits), and a way to store a finished proxy. The
service's own context (:class:`proxyservice.plugins.context.JobContext`)
implements it; a test may hand a job any object that does.
"""

from pathlib import Path
from typing import Any, ContextManager, Mapping, Protocol, Sequence

from ..config import Settings
from ..domain import ProxyFile, SourceView
from ..services.audio import AudioReader
from ..services.imaging import ImageScaler
from ..services.office import OfficeConverter
from ..services.pdf import PdfRasterizer
from ..services.renderer import ChromiumRenderer, HtmlRenderer
from ..services.svg import SvgRasterizer
from ..services.video import VideoFrames


class JobContext(Protocol):
    """The world a plugin's job runs in: handed to it as its ``context`` argument."""

    @property
    def settings(self) -> Settings:
        """The service's settings: limits, proxy sizes, timeouts."""

    def generate_temp_filename(self, suffix: str = "") -> Path:
        """A fresh path in the store's temp folder to make a proxy in (moved into place when stored)."""

    def temporary_file(self, suffix: str = "") -> ContextManager[Path]:
        """A path from :meth:`generate_temp_filename`, removed on leaving the block if it was not stored."""

    def temporary_folder(self, suffix: str = "") -> ContextManager[Path]:
        """A fresh folder in the store's temp folder, removed with all it holds on leaving the block."""

    def snapshot(self, path: str, file_id: str) -> ContextManager[Path]:
        """The job's own copy of its file, checked to be the one ingested as ``file_id``; work on it, not on ``path``.

        Raises
        ------
        InputInvalid
            The file is not the one ingested (changed, swapped for a link) or not there any more.
        LimitExceeded
            The file has grown past MAX_SOURCE_BYTES.
        """

    def page_view(self, path: str) -> SourceView:
        """What a page at ``path`` may read of its tree: its folder and ``RENDER_ALLOW_UP`` folders up."""

    def store_proxy(self, file_id: str, namespace: str, path: Path, typeidentifier: str, filename: str,
                    mimetype: str) -> ProxyFile:
        """Move a finished proxy file into the store atomically, replacing an earlier one of that type."""

    def store_metadata(self, file_id: str, namespace: str, schema: Sequence[Mapping[str, Any]],
                       values: Mapping[str, Any]) -> list[str]:
        """Keep the values that fit the plugin's ``schema`` as what it read of the file; return the refusals
        (each names its field, and joins the job's warnings)."""

    def html_renderer(self) -> HtmlRenderer:
        """wkhtmltoimage, in the sandbox, with the configured window and limits."""

    def chromium_renderer(self) -> ChromiumRenderer:
        """Chromium, in the sandbox, with the configured window and limits."""

    def pdf_rasterizer(self) -> PdfRasterizer:
        """pdftoppm, in the sandbox, with the configured limits."""

    def svg_rasterizer(self) -> SvgRasterizer:
        """rsvg-convert, in the sandbox, with the configured limits."""

    def video_frames(self) -> VideoFrames:
        """ffmpeg and ffprobe, in the sandbox, with the configured limits."""

    def audio_reader(self) -> AudioReader:
        """ffmpeg and ffprobe on sound files, in the sandbox, with the configured limits (plugin API 1.2)."""

    def office_converter(self) -> OfficeConverter:
        """LibreOffice, in the sandbox, with the configured limits."""

    def image_scaler(self) -> ImageScaler:
        """Pillow, refusing images over MAX_IMAGE_PIXELS."""
