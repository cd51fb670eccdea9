"""What both HTML engines are: a program drawing a page's first screen, configured alike, answering alike."""

import copy
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, Self

from ...domain import ProxySize, SourceView
from ..context import SettingsService
from ..sandbox import Sandbox
from .errors import RendererMissing


HIDE_UNLOADED_IMAGES = (
    "Array.prototype.forEach.call(document.images, function (image) {"
    " if (image.complete && image.naturalWidth === 0) { image.style.visibility = 'hidden'; } });"
)
"""Run once the page loaded, in both engines: an image that did not load (missing, outside the page's tree, or a
host it may not reach) keeps its place but is not drawn, where the engine would draw a broken-image icon."""


@dataclass(frozen=True)
class RenderReport:
    """What a successful render said along the way."""

    warnings: tuple[str, ...]
    """Resources that failed to load (fonts, scripts, images), and the cut: the page still rendered."""
    cut: bool = False
    """Whether it was drawn from its start and end only (RENDER_PAGE_BYTES): drawn whole, it may show more."""


class PageRenderer(SettingsService):
    """An HTML engine: wkhtmltoimage (:class:`~.renderer.HtmlRenderer`) or Chromium (:class:`~.chromium.ChromiumRenderer`).

    Parameters
    ----------
    binary
        The engine's program: a name looked up on PATH, or a path.
    viewport
        The window size pages are rendered at.
    javascript_delay_ms
        How long scripts may run after the page loaded.
    memory_mb
        The heap each of its processes may take.
    sandbox
        Where it runs: no network but the allowed hosts, no file but the page's own.
    page_bytes
        Pages longer than this are cut to about this size for rendering (``cutting.py``).
    """

    INSTALL: ClassVar[str]
    """What to install (or set) when the program is not found."""

    def __init__(self, binary: str, viewport: ProxySize, javascript_delay_ms: int, memory_mb: int | None = None,
                 sandbox: Sandbox | None = None, page_bytes: int | None = None) -> None:
        self.binary = binary
        self.viewport = viewport
        self.javascript_delay_ms = javascript_delay_ms
        self.memory_mb = memory_mb
        self.sandbox = sandbox or Sandbox()
        self.page_bytes = page_bytes

    def with_viewport(self, viewport: ProxySize) -> Self:
        """The same engine with the same limits, rendering in a window of ``viewport`` (a book's page)."""
        other = copy.copy(self)
        other.viewport = viewport
        return other

    def executable(self) -> str:
        """The full path of the engine's program.

        Raises
        ------
        RendererMissing
            It is not installed.
        """
        found = shutil.which(self.binary)
        if found is None:
            raise RendererMissing(f"{self.binary!r} was not found; {self.INSTALL}")
        return found

    def render(self, source: Path, output: Path, timeout: float, view: SourceView,
               copy: Path | None = None, whole: bool = False) -> RenderReport:
        """Render the first screen of ``source`` (the first of ``view``) into the image ``output``.

        Parameters
        ----------
        source
            The HTML file.
        output
            Where the image is written (a BMP or a PNG, as the engine writes fastest; it is scaled
            and encoded after).
        timeout
            Seconds the render may take; then the engine is killed with all it started.
        view
            What the page may read: itself and its tree's stylesheets, scripts and images.
        copy
            The job's checked copy of the page (``JobContext.snapshot``), drawn in its place:
            the file at the page's path may have changed since.
        whole
            Draw the whole page, however long (within the time and memory limits): never cut.

        Raises
        ------
        RendererMissing
            The engine is not installed.
        RenderTimedOut
            The render took longer than ``timeout``.
        RenderFailed
            No image was made.
        SandboxError
            The sandbox could not be set up; nothing was rendered.
        """
        raise NotImplementedError
