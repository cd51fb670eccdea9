"""Rendering an HTML file into a PNG with wkhtmltoimage.

imgkit builds the command line; this module runs it, because imgkit itself
has no timeout and treats the word "Error" in stderr as a failure, while a
page with an unreachable web font still renders. So: the renderer runs in its
own process group under a time limit (the whole group is killed past it), an
image that was made is a success with the load errors as warnings, and no
image is a failure with the renderer's own words.

HTML is always rendered from a file: imgkit only reads ``<meta
name="imgkit-...">`` options from string sources, so a page cannot choose
the renderer's options.
"""

import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import imgkit
from flask import Flask

from ...domain import ProxySize
from ..context import init_settings, session_on_g
from ..subprocesses import TimedOut, run_bounded
from .errors import RenderFailed, RendererMissing, RenderTimedOut

logger = logging.getLogger(__name__)

PROGRESS_BAR = re.compile(r"\[[=> ]*\]\s*\d+%")
NOISE = ("Loading page", "Rendering (", "Done", "QStandardPaths:", "Exit with code")
VERSION_TIMEOUT_SECONDS = 5.0
NO_NETWORK_PROXY = "http://127.0.0.1:0"


@dataclass(frozen=True)
class RenderReport:
    """What a successful render said along the way."""

    warnings: tuple[str, ...]
    """Resources that failed to load (fonts, scripts, images): the page still rendered."""


def _messages(stderr: str) -> tuple[str, ...]:
    """The renderer's own sentences in its stderr, without progress bars."""
    found: list[str] = []
    for raw in PROGRESS_BAR.sub("\n", stderr).splitlines():
        line = raw.strip()
        if line and not line.startswith(NOISE) and line not in found:
            found.append(line)
    return tuple(found)


class HtmlRenderer:
    """wkhtmltoimage, run with a time limit.

    Parameters
    ----------
    binary
        The wkhtmltoimage command or path.
    viewport
        The window size pages are rendered at.
    javascript_delay_ms
        How long scripts may run after the page loaded.
    allowed_hosts
        The only hosts whose http(s) resources a page may load.
    memory_mb
        The heap the renderer may take.
    """

    def __init__(
        self,
        binary: str,
        viewport: ProxySize,
        javascript_delay_ms: int,
        allowed_hosts: tuple[str, ...] = (),
        memory_mb: int | None = None,
    ) -> None:
        self.binary = binary
        self.viewport = viewport
        self.javascript_delay_ms = javascript_delay_ms
        self.allowed_hosts = allowed_hosts
        self.memory_mb = memory_mb

    @staticmethod
    def init_app(app: Flask) -> None:
        """Make sure ``app`` has settings for the renderer."""
        init_settings(app)

    @classmethod
    def current_session(cls) -> "HtmlRenderer":
        """The renderer of the current application context."""
        return session_on_g(
            "html_renderer",
            lambda s: cls(
                s.WKHTMLTOIMAGE,
                ProxySize(s.RENDER_VIEWPORT_WIDTH, s.RENDER_VIEWPORT_HEIGHT),
                s.RENDER_JAVASCRIPT_DELAY_MS,
                s.RENDER_ALLOWED_HOSTS,
                s.RENDER_MEMORY_MB,
            ),
        )

    def executable(self) -> str:
        """The full path of wkhtmltoimage.

        Raises
        ------
        RendererMissing
            It is not installed.
        """
        found = shutil.which(self.binary)
        if found is None:
            raise RendererMissing(f"{self.binary!r} was not found; install wkhtmltopdf")
        return found

    def command(self, source: Path, output: Path, readable: Path) -> list[str]:
        """The wkhtmltoimage command line that renders ``source`` into ``output``.

        Parameters
        ----------
        readable
            The one folder whose files the page may load.
        """
        options: dict[str, str | list[str] | None] = {
            "format": "png",
            "width": str(self.viewport.width),
            "height": str(self.viewport.height),
            # A page wider than the window (a long unbreakable line) widens the
            # render; the preview is the window, so crop to it.
            "crop-w": str(self.viewport.width),
            "crop-h": str(self.viewport.height),
            "javascript-delay": str(self.javascript_delay_ms),
            # Blocks file:// reads, then lets the page reach one folder (its
            # stylesheets, scripts and images) and nothing else.
            "disable-local-file-access": None,
            "allow": str(readable),
            # No network: every request goes to a proxy at port 0, where no
            # connection can ever be made, except those to allowed hosts.
            # Redirects, iframes, XHR and CSS url()s all go through it.
            "proxy": NO_NETWORK_PROXY,
            "bypass-proxy-for": list(self.allowed_hosts),
        }
        config = imgkit.config(wkhtmltoimage=self.executable())
        command: list[str] = imgkit.IMGKit(str(source), "file", options=options, config=config).command(
            str(output)
        )
        return command

    def render(self, source: Path, output: Path, timeout: float, readable: Path | None = None) -> RenderReport:
        """Render an HTML file into a PNG image.

        Parameters
        ----------
        source
            The HTML file.
        output
            Where the PNG is written.
        timeout
            Seconds the render may take; then the renderer's whole process
            group is killed.
        readable
            The one folder the page may load files from; its own by default.

        Raises
        ------
        RendererMissing
            wkhtmltoimage is not installed.
        RenderTimedOut
            The render took longer than ``timeout``.
        RenderFailed
            No image was made.
        """
        try:
            command = self.command(source, output, readable or source.parent)
        except OSError as e:  # imgkit checks that the page exists
            raise RenderFailed(f"rendering {source.name} made no image: {e}") from e
        with tempfile.TemporaryDirectory(prefix="wkhtml-runtime-") as runtime_dir:
            environment = {**os.environ, "XDG_RUNTIME_DIR": runtime_dir, "QT_QPA_PLATFORM": "offscreen"}
            try:
                finished = run_bounded(command, timeout, environment, self.memory_mb)
            except TimedOut as e:
                raise RenderTimedOut(f"rendering {source.name} timed out after {timeout:g} s") from e
        messages = _messages(finished.stderr)
        if output.is_file() and output.stat().st_size > 0:
            if finished.returncode != 0:
                logger.info("rendered %s with load errors: %s", source, messages)
            return RenderReport(warnings=messages)
        reason = "; ".join(messages) or f"wkhtmltoimage exited with code {finished.returncode}"
        raise RenderFailed(f"rendering {source.name} made no image: {reason}")

    def version(self) -> str:
        """wkhtmltoimage's version (``0.12.6``).

        Raises
        ------
        RendererMissing
            It is not installed or does not answer.
        """
        try:
            completed = subprocess.run(
                [self.executable(), "--version"],
                capture_output=True,
                timeout=VERSION_TIMEOUT_SECONDS,
                check=True,
                text=True,
            )
        except (OSError, subprocess.SubprocessError) as e:
            raise RendererMissing(f"{self.binary!r} does not run: {e}") from e
        return completed.stdout.strip().split()[-1]
