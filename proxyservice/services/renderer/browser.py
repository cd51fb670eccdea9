"""One Chromium per worker child, kept running in the sandbox and driven by Playwright.

Starting Chromium costs more than drawing a page in one that runs, so each
worker child keeps one (``kept.py``), started by Playwright through a launcher
script that puts it in the sandbox (``Sandbox.launcher``). Chromium's own
sandbox runs inside ours: each page is drawn by a renderer process of new
user, PID and network namespaces, under Chromium's seccomp filter.

Chromium sees no file of the service: each page gets a fresh browser context
(no cache, cookies or storage of another page) in which every request is
answered from the page's :class:`~.served_view.ServedView`, let through to
an allowed host, or refused. It is replaced when a page takes longer than
its limit, when it dies, and after :data:`PAGES_PER_BROWSER` pages.
"""

import logging
import os
import shutil
import signal
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Playwright, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ...domain import ProxySize
from ..sandbox import Sandbox
from ..sandbox.kept import remove_stale_folders
from ..sandbox.launcher import LAUNCHER_PID_FILE
from ..sandbox.sandbox import BWRAP_ENVIRONMENT
from .engine import HIDE_UNLOADED_IMAGES
from .page_requests import PageRequests
from .served_view import ServedView

logger = logging.getLogger(__name__)

FOLDER_PREFIX = "proxyservice-chromium-"
PAGES_PER_BROWSER = 200
"""Pages one Chromium draws before it is replaced by a fresh one."""
START_SECONDS = 30.0
"""The longest Chromium may take to start, whatever a page's own limit."""
NO_NETWORK_PROXY = "http://127.0.0.1:0"
"""A proxy that answers nothing: where no host is allowed, even a request past the sandbox's walls goes nowhere."""
STILL_LOADING = "the page was still loading after {seconds:g} s; its first screen is drawn as it was then"
DRAWING_SECONDS = 5.0
HIDING_MS = 1000.0
"""Milliseconds the page may take to hide the images it did not load before it is drawn as it is."""
"""Of a page's time limit, what is kept to draw it (a quarter of the limit, when that is less)."""


_DRIVER: dict[int, Playwright] = {}
"""This process's Playwright (one per thread is all it allows), by PID: a forked child starts its own."""


def _driver() -> Playwright:
    """This process's Playwright, started on first use; it ends with the process."""
    driver = _DRIVER.get(os.getpid())
    if driver is None:
        driver = _DRIVER[os.getpid()] = sync_playwright().start()
    return driver


def _stop_driver() -> None:
    """Stop this process's Playwright driver (if it still runs), and forget it: the next use starts another."""
    driver = _DRIVER.pop(os.getpid(), None)
    if driver is not None:
        try:
            driver.stop()
        except (PlaywrightError, OSError) as e:
            logger.info("Playwright's driver stopped with: %s", e)


class PageCrashed(Exception):
    """The renderer process drawing the page ended (most often: past its memory limit)."""


class BrowserGone(Exception):
    """Chromium, or Playwright's driver, ended before or while drawing a page: it goes to fresh ones (once)."""


class BrowserSession:
    """A Chromium running in the sandbox, drawing one page at a time.

    Parameters
    ----------
    executable
        Chromium's program.
    memory_mb
        The heap each of its processes may take.
    sandbox
        Where it runs.

    Raises
    ------
    playwright.sync_api.Error
        Chromium did not start; nothing is left running.
    """

    def __init__(self, executable: str, memory_mb: int | None, sandbox: Sandbox) -> None:
        self.pid = os.getpid()
        remove_stale_folders(Path(tempfile.gettempdir()), FOLDER_PREFIX)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{self.pid}-"))
        self.allowed_hosts = sandbox.allowed_hosts if sandbox.enabled else ()
        self.drawn = 0
        self.closed = False
        self.launcher_pid: int | None = None
        """The sandbox's PID, the leader of its process group: set once Chromium started."""
        self._stack = ExitStack()
        try:
            script = self._stack.enter_context(
                sandbox.launcher(executable, self.folder, memory_mb, egress=True, nested_sandbox=True))
            started = time.monotonic()
            self.browser = _driver().chromium.launch(
                executable_path=str(script),
                args=[f"--proxy-server={sandbox.egress_proxy or NO_NETWORK_PROXY}",
                      # Loopback goes through the proxy too: it is no exception to the allowed hosts.
                      "--proxy-bypass-list=<-loopback>"],
                # Inside ours, Chromium runs as nobody and sandboxes its renderers; as root outside any, it cannot.
                chromium_sandbox=sandbox.enabled or os.geteuid() != 0,
                env=dict(BWRAP_ENVIRONMENT) if sandbox.enabled else None,
                timeout=START_SECONDS * 1000,
                handle_sigint=False, handle_sigterm=False, handle_sighup=False,
            )
        except BaseException:
            self.close()
            raise
        self.launcher_pid = self._written_pid()
        logger.info("Chromium started for this worker process in %.1f s", time.monotonic() - started)

    @property
    def is_alive(self) -> bool:
        """Whether it runs, in this process, and has pages left before it is replaced."""
        return (self.pid == os.getpid() and not self.closed and self.browser.is_connected()
                and self.drawn < PAGES_PER_BROWSER)

    def screenshot(self, served: ServedView, viewport: ProxySize, delay_ms: int,
                   timeout: float) -> tuple[bytes, tuple[str, ...]]:
        """The first screen of a page as PNG bytes, and what it could not load.

        Raises
        ------
        playwright.sync_api.TimeoutError
            It took longer than ``timeout``; close this session.
        PageCrashed
            The renderer drawing it ended.
        BrowserGone
            Chromium or the driver ended (or said what it could not do); close this session.
        """
        deadline = time.monotonic() + timeout

        def left_ms() -> float:
            return max(1.0, (deadline - time.monotonic()) * 1000)

        self.drawn += 1
        crashed = []
        context = None
        try:
            context = self.browser.new_context(
                viewport={"width": viewport.width, "height": viewport.height},
                service_workers="block", accept_downloads=False)
            requests = PageRequests(served, self.allowed_hosts, context)
            context.route("**/*", requests.answer)
            page = context.new_page()
            page.on("crash", lambda _: crashed.append(True))
            page.on("requestfailed", requests.failed)
            page.goto(served.url, wait_until="commit", timeout=left_ms())
            # The first screen is drawn once the page loaded, or as it is when the time left is
            # only enough to draw it: a page that never ends loading still has a preview.
            drawing = min(DRAWING_SECONDS, timeout / 4) * 1000
            try:
                page.wait_for_load_state("load", timeout=max(1.0, left_ms() - drawing))
            except PlaywrightTimeout:
                requests.warnings.add(STILL_LOADING.format(seconds=timeout - drawing / 1000))
            page.wait_for_timeout(min(delay_ms, max(0.0, left_ms() - drawing)))
            try:
                # Bounded: a page whose script never yields would hold an evaluate for good.
                page.wait_for_function(f"() => {{ {HIDE_UNLOADED_IMAGES} return true; }}",
                                       timeout=min(HIDING_MS, max(1.0, left_ms() - drawing)))
            except PlaywrightError:  # its script holds the page, broke it, or it navigated: drawn as it is
                pass
            picture = page.screenshot(type="png", timeout=left_ms())
        except PlaywrightTimeout:
            raise
        except PlaywrightError as e:
            if crashed:
                raise PageCrashed(str(e)) from e
            raise BrowserGone(str(e).splitlines()[0]) from e
        finally:
            if context is not None and self.browser.is_connected():
                try:
                    context.close()
                except PlaywrightError:
                    pass  # it ended with its browser: said above
        return picture, requests.warnings.said()

    def _written_pid(self) -> int | None:
        try:
            return int((self.folder / LAUNCHER_PID_FILE).read_text())
        except (OSError, ValueError):
            return None

    def close(self, with_driver: bool = False) -> None:
        """Kill Chromium, with everything it started, and remove the folder.

        Parameters
        ----------
        with_driver
            Stop this process's Playwright driver too (after an error it may be the cause of).
        """
        if self.pid != os.getpid():
            return
        self.closed = True
        pid = self.launcher_pid or self._written_pid()
        if pid:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            if self.launcher_pid is not None:
                self.browser.close()  # already killed: Playwright only forgets it
        except PlaywrightError as e:
            logger.info("Chromium closed with: %s", e)
        self._stack.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        if with_driver:
            _stop_driver()
