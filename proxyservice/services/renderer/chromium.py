"""Rendering an HTML file into a PNG with a modern engine: Chromium, kept warm per worker child.

wkhtmltoimage draws with QtWebKit of about 2012: flexbox, grid and modern
JavaScript come out wrong. This renderer draws the same first screen with
Debian's Chromium, under the same limits (time, memory, the page's tree, the
allowed hosts) and answers as :class:`~.renderer.HtmlRenderer` does: a
:class:`~.renderer.RenderReport`, or one of the renderer's errors.

Playwright is the ``chromium`` extra, installed in the worker image: it is
imported only when a page is drawn, so the web app runs without it.
"""

import logging
import os
from pathlib import Path

from ...config import Settings
from ...domain import ProxySize, SourceView
from ..sandbox import Sandbox
from ..sandbox.kept import kept_running
from .cutting import cut_page, cut_warning
from .errors import RenderFailed, RendererMissing, RenderTimedOut
from .engine import PageRenderer, RenderReport
from .served_view import ServedView, read_within

logger = logging.getLogger(__name__)

MEMORY_TO_START_MB = 384
"""Below about this heap per process (RENDER_MEMORY_MB), Chromium does not start (measured: 256 fails, 384 works)."""


class ChromiumRenderer(PageRenderer):
    """Chromium, driven by Playwright, in the sandbox with a time limit (the parameters are
    :class:`~.engine.PageRenderer`'s; ``binary`` is Debian's ``/usr/lib/chromium/chromium``)."""

    INSTALL = "install Debian's chromium (or set CHROMIUM)"

    @classmethod
    def from_settings(cls, settings: Settings, sandbox: Sandbox | None = None) -> "ChromiumRenderer":
        """The renderer with the configured window and limits, in ``sandbox`` (the configured one by default)."""
        return cls(settings.CHROMIUM, ProxySize(settings.RENDER_VIEWPORT_WIDTH, settings.RENDER_VIEWPORT_HEIGHT),
                   settings.RENDER_JAVASCRIPT_DELAY_MS, settings.RENDER_MEMORY_MB,
                   sandbox or Sandbox.from_settings(settings), settings.RENDER_PAGE_BYTES)

    def render(self, source: Path, output: Path, timeout: float, view: SourceView,
               copy: Path | None = None, whole: bool = False) -> RenderReport:
        """Render with this worker child's Chromium, which sees no file: the page and its view are served
        to it (see the base class). A page past ``timeout`` has the Chromium killed; the next starts another."""
        executable = self.executable()
        try:
            from playwright.sync_api import Error as PlaywrightError
            from playwright.sync_api import TimeoutError as PlaywrightTimeout

            from .browser import BrowserGone, BrowserSession, PageCrashed
        except ImportError as e:
            raise RendererMissing("Playwright is not installed; install proxyservice[chromium]") from e
        # Without the job's copy, the page is read as the view found it: a link swapped in since is refused.
        page = copy.read_bytes() if copy else read_within(view.paths[0], (os.path.realpath(view.paths[0]),))
        if page is None:
            raise RenderFailed(f"rendering {source.name} made no image: the page cannot be read")
        cut = cut_page(page, self.page_bytes) if self.page_bytes and not whole else None
        if cut is not None:
            logger.info("rendering %s from %d of its %d bytes", source, len(cut), len(page))
        served = ServedView(view, cut or page)
        sandbox = self.sandbox
        key = ("chromium", executable, self.memory_mb, *sandbox.identity)
        for attempt in range(2):
            try:
                session = kept_running(key, lambda: BrowserSession(executable, self.memory_mb, sandbox))
            except PlaywrightError as e:
                needs = f" (it needs about {MEMORY_TO_START_MB} MiB; RENDER_MEMORY_MB is {self.memory_mb})" if (
                    self.memory_mb and self.memory_mb < MEMORY_TO_START_MB) else ""
                raise RenderFailed(f"rendering {source.name} made no image: Chromium did not start{needs}: "
                                   f"{str(e).splitlines()[0]}") from e
            try:
                picture, warnings = session.screenshot(served, self.viewport, self.javascript_delay_ms, timeout)
                break
            except PlaywrightTimeout as e:
                session.close(with_driver=True)
                raise RenderTimedOut(f"rendering {source.name} took longer than {timeout:g} s (RENDER_TIMEOUT)") from e
            except PageCrashed as e:
                session.close()
                raise RenderFailed(f"rendering {source.name} made no image: {self._crashed()}") from e
            except BrowserGone as e:
                # Chromium or its driver ended (killed, or by this page): a fresh one draws it, once.
                session.close(with_driver=True)
                if attempt:
                    raise RenderFailed(f"rendering {source.name} made no image: Chromium ended twice "
                                       f"drawing it ({e})") from e
                logger.warning("Chromium of this worker process ended (%s); starting another", e)
            except BaseException:
                # Stopped while drawing (the task's soft time limit): the page may still be running in it.
                session.close(with_driver=True)
                raise
        output.write_bytes(picture)
        if cut is not None:
            return RenderReport(warnings=(cut_warning(len(page), len(cut)), *warnings), cut=True)
        return RenderReport(warnings=warnings)

    def _crashed(self) -> str:
        """Why no image was made when the page's renderer ended, in words a user can act on."""
        if self.memory_mb:
            return (f"Chromium's renderer ended while drawing the page, most likely because it needed more "
                    f"than {self.memory_mb} MiB (RENDER_MEMORY_MB)")
        return "Chromium's renderer ended while drawing the page"
