"""Rendering an HTML file into an image with wkhtmltoimage.

imgkit builds the command line; this module runs it, because imgkit itself
has no timeout and treats the word "Error" in stderr as a failure, while a
page with an unreachable web font still renders. So: the renderer runs in the
sandbox (no network but the allowed hosts, no files but the page's own) under
a time limit, an image that was made is a success with the load errors as
warnings, and no image is a failure with the renderer's own words. Neither
ever names a file outside the page's tree, nor says whether one exists.

HTML is always rendered from a file: imgkit only reads ``<meta
name="imgkit-...">`` options from string sources, so a page cannot choose
the renderer's options.
"""

import logging
import os
import re
import subprocess
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import imgkit
from PIL import Image

from ...domain import ProxySize, SourceView
from ...config import Settings
from ..sandbox import Finished, RunTimedOut, Sandbox
from .cutting import cut_page, cut_warning
from .load_warnings import NOT_ALLOWED, OUTSIDE, Warnings
from .references import unreadable_references
from .engine import HIDE_UNLOADED_IMAGES, PageRenderer, RenderReport
from .qtwebkit_layout import chromium_layout_script
from .errors import RenderFailed, RendererMissing, RenderTimedOut

logger = logging.getLogger(__name__)

PROGRESS_BAR = re.compile(r"\[[=> ]*\]\s*\d+%")
NOISE = ("Loading page", "Rendering (", "Done", "QStandardPaths:", "Exit with code",
         # What a blocked reference is replaced by: said of nearly every page, and nothing to act on.
         "Error: Failed to load about:blank")
BLOCKED = "Warning: Blocked access to file"
"""wkhtmltoimage names the blocked file only when it exists: the sentence is replaced whole."""
VERSION_TIMEOUT_SECONDS = 5.0
NO_NETWORK_PROXY = "http://127.0.0.1:0"
"""Inside the sandbox there is no network anyway; this also stops requests where the proxy is honoured."""
FILE_REFERENCE = re.compile(r"(?i:file://)[^\s,]*|(?<![\w/:.])/[^\s,:'\"()]+")
REFUSED_BY_PROXY = re.compile(r"Failed to load (?P<url>\S+?), with network status code \d+ and http status code \d+ - "
                              r"(Proxy connection refused|Proxy denied connection|Connection refused"
                              r"|Error transferring \S+ - server replied: Filtered)$")
"""A load of a host that may not be reached, as wkhtmltoimage says it: with no host allowed, its proxy (port 0)
refuses every connection; the egress proxy denies a tunnel (HTTPS) or answers "Filtered" (HTTP)."""

PAGE_FOLDER = Path("/page")
"""Where the page's tree appears in the sandbox: the page sees ``file:///page/<its path in its tree>``, never
the worker's folders (as Chromium sees ``http://page.invalid/<its path in its tree>``, ``served_view.py``)."""

OUT_OF_MEMORY_WORDS = ("Could not save image", "QPainter::begin", "std::bad_alloc", "Out of memory")
"""What wkhtmltoimage says when an allocation past its memory limit fails without crashing."""
UNSIZED_UNLOADED_IMAGES_AS_ALT_TEXT = (
    "Array.prototype.slice.call(document.images).forEach(function (image) {"
    " if (!image.complete || image.naturalWidth !== 0 || !image.alt) { return; }"
    " var shown = image.style.display; image.style.display = 'none';"
    " var style = getComputedStyle(image), unsized = style.width === 'auto' && style.height === 'auto';"
    " image.style.display = shown;"
    " if (unsized) { var alt = document.createElement('span'); alt.textContent = image.alt;"
    " alt.style.visibility = 'hidden'; image.parentNode.replaceChild(alt, image); } });"
)
"""Run before :data:`~.engine.HIDE_UNLOADED_IMAGES`: an image that did not load, with alt text and no size of its own,
takes the place of its alt text, wrapped as text, as in Chromium; QtWebKit gives it a box as wide as the whole text on
one line, which widened a narrow table column and reflowed the page around it (libxslt's pages, issue 20). Not drawn,
as any image that did not load. Its width and height are read while it is not displayed, where they are the page's
own (``auto`` when the page gives none), not its drawn size."""
CRASH_SIGNALS = frozenset({6, 7, 11})
"""SIGABRT, SIGBUS, SIGSEGV: how wkhtmltoimage ends when an allocation past its memory limit fails."""


def _whole_image(png: Path) -> bool:
    """Whether a render left by a failing renderer decodes as a whole image (not a bare header)."""
    try:
        with Image.open(png) as image:
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return False
    return True


def _redacted(message: str, view: SourceView, page: Path) -> str:
    """``message`` with paths of the page's tree made relative to it; one fixed sentence if it names another file."""
    outside = False

    def relative(match: re.Match[str]) -> str:
        nonlocal outside
        text = match.group(0)
        path = Path(re.sub(r"(?i)^file://", "", text) or "/")
        if not path.is_absolute() or not os.path.normpath(path).startswith(str(view.folder) + os.sep):
            outside = True
            return text
        return os.path.relpath(os.path.normpath(path), page.parent)

    redacted = FILE_REFERENCE.sub(relative, message)
    return OUTSIDE if outside else redacted


def _messages(stderr: str, view: SourceView, page: Path, named: Callable[[], list[str]]) -> tuple[str, ...]:
    """The renderer's own sentences in its stderr, without progress bars, naming no file outside the page's tree.

    Parameters
    ----------
    named
        The files the page names that it cannot read, as it names them: asked when wkhtmltoimage refused a file
        without saying which.
    """
    warnings = Warnings()
    for raw in PROGRESS_BAR.sub("\n", stderr).splitlines():
        line = raw.strip()
        refused = REFUSED_BY_PROXY.search(line)
        if refused:
            warnings.add(NOT_ALLOWED.format(host=urlsplit(refused["url"]).hostname or refused["url"][:60]))
        elif line.startswith(BLOCKED):
            warnings.refused_file(None)
        elif line and not line.startswith(NOISE):
            redacted = _redacted(line, view, page)
            if redacted == OUTSIDE:
                warnings.refused_file(None)
            else:
                warnings.add(redacted)
    if warnings.refused_unnamed:
        for name in named():
            warnings.refused_file(name)
    return warnings.said()


class HtmlRenderer(PageRenderer):
    """wkhtmltoimage, run in the sandbox with a time limit (the parameters are :class:`~.engine.PageRenderer`'s)."""

    INSTALL = "install wkhtmltopdf (or set WKHTMLTOIMAGE)"

    @classmethod
    def from_settings(cls, settings: Settings, sandbox: Sandbox | None = None) -> "HtmlRenderer":
        """The renderer with the configured window and limits, in ``sandbox`` (the configured one by default)."""
        return cls(
            settings.WKHTMLTOIMAGE,
            ProxySize(settings.RENDER_VIEWPORT_WIDTH, settings.RENDER_VIEWPORT_HEIGHT),
            settings.RENDER_JAVASCRIPT_DELAY_MS,
            settings.RENDER_MEMORY_MB,
            sandbox or Sandbox.from_settings(settings),
            settings.RENDER_PAGE_BYTES,
        )

    def command(self, source: Path, output: Path, readable: Path) -> list[str]:
        """The wkhtmltoimage command line that renders ``source`` into ``output``.

        Parameters
        ----------
        source
            The page, where the sandbox shows it (it need not exist outside).
        readable
            The one folder whose files the page may load.
        """
        options: dict[str, str | list[str] | None] = {
            # Uncompressed: written and read back at once, where a PNG of the whole window was
            # compressed only to be decoded again for scaling (the proxy is encoded once, scaled).
            "format": "bmp",
            "width": str(self.viewport.width),
            "height": str(self.viewport.height),
            # A page wider than the window (a long unbreakable line) widens the
            # render; the preview is the window, so crop to it.
            "crop-w": str(self.viewport.width),
            "crop-h": str(self.viewport.height),
            "javascript-delay": str(self.javascript_delay_ms),
            # Inside the sandbox only the page's files exist; wkhtmltoimage's own
            # check keeps it to them as well, a second wall.
            "disable-local-file-access": None,
            "allow": str(readable),
            # The sandbox's egress proxy when hosts are allowed, else none at all.
            "proxy": self.sandbox.egress_proxy or NO_NETWORK_PROXY,
            # Host names go to the proxy unresolved. Without this, wkhtmltoimage looks each one up
            # itself first, and in the sandbox, where no lookup succeeds, it sometimes loses one of
            # several failed HTTPS loads of a host: the page never finishes loading (issue 19, item 13).
            "proxy-hostname-lookup": None,
            # A page that navigates away (meta refresh, a script, a form) to where nothing
            # can be loaded is drawn as it was, not refused: the preview shows what it showed.
            "load-error-handling": "ignore",
            "load-media-error-handling": "ignore",
            # What did not load keeps its place (an unsized image, the place of its alt text),
            # without the broken-image icon (the warnings say what it was); and once the window has
            # its size, text fields, fractional font sizes and field lists as Chromium lays them out.
            "run-script": " ".join((UNSIZED_UNLOADED_IMAGES_AS_ALT_TEXT, HIDE_UNLOADED_IMAGES,
                                    chromium_layout_script())),
        }
        config = imgkit.config(wkhtmltoimage=self.executable())
        # Named as a "url": imgkit checks that a "file" exists here, and the page is where the sandbox
        # shows it. Either way it is a name on the command line, never read by imgkit for its meta tags.
        command: list[str] = imgkit.IMGKit(str(source), "url", options=options, config=config).command(
            str(output)
        )
        return command

    def render(self, source: Path, output: Path, timeout: float, view: SourceView,
               copy: Path | None = None, whole: bool = False) -> RenderReport:
        """Render with wkhtmltoimage, started for this page in a sandbox showing its view (see the base class)."""
        with ExitStack() as stack:
            # The renderer writes into a folder of its own: the one thing it may write.
            work = stack.enter_context(tempfile.TemporaryDirectory(prefix=".render-", dir=output.parent))
            made = Path(work) / "render.bmp"
            inside = self._inside(view)
            page = inside.folder / source.relative_to(view.folder)
            command = self.command(page, made, inside.folder)
            if not source.is_file():
                raise RenderFailed(f"rendering {source.name} made no image: the page cannot be read")
            reads, cut = self._reads(source, view, copy, output.parent, stack, whole)
            try:
                finished = self.sandbox.run(command, reads, Path(work), timeout, self.memory_mb,
                                            {"QT_QPA_PLATFORM": "offscreen"}, egress=True, within=view.folder,
                                            shown_as=inside.folder)
            except RunTimedOut as e:
                raise RenderTimedOut(f"rendering {source.name} took longer than {timeout:g} s (RENDER_TIMEOUT)") from e
            messages = _messages(finished.stderr, inside, page,
                                 lambda: unreadable_references((copy or source).read_bytes(), source, view))
            if cut:
                messages = (cut, *messages)
            if made.is_file() and (finished.returncode == 0 or _whole_image(made)):
                os.replace(made, output)
                if finished.returncode != 0:
                    logger.info("rendered %s with load errors: %s", source, messages)
                return RenderReport(warnings=messages, cut=bool(cut))
        raise RenderFailed(f"rendering {source.name} made no image: {self._failure(finished, messages)}")

    def _inside(self, view: SourceView) -> SourceView:
        """``view`` as the page sees it in the sandbox: its tree at :data:`PAGE_FOLDER` (without the sandbox,
        where nothing can be moved, where it is)."""
        if not self.sandbox.enabled:
            return view
        return SourceView(PAGE_FOLDER, tuple(PAGE_FOLDER / path.relative_to(view.folder) for path in view.paths),
                          view.truncated)

    def _reads(self, source: Path, view: SourceView, copy: Path | None, scratch: Path, stack: ExitStack,
               whole: bool) -> tuple[list[Path | tuple[Path, Path]], str]:
        """What the sandbox shows: the view, with the page's checked copy (cut, if huge and not ``whole``) at
        the page's path; and the warning that it was cut, if it was."""
        page = copy or source
        said = ""
        size = page.stat().st_size
        if self.page_bytes and self.sandbox.enabled and not whole and size > self.page_bytes:
            cut = cut_page(page.read_bytes(), self.page_bytes)
            if cut is not None:
                logger.info("rendering %s from %d of its %d bytes", source, len(cut), size)
                said = cut_warning(size, len(cut))
                page = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix=".page-", dir=scratch))) / "page.html"
                page.write_bytes(cut)
        if page == source:
            return list(view.paths), said
        return [(page, source) if path == source else path for path in view.paths], said

    def _failure(self, finished: Finished, messages: tuple[str, ...]) -> str:
        """Why no image was made, in words a user can act on."""
        signal = finished.returncode - 128 if finished.returncode > 128 else -finished.returncode
        if signal in CRASH_SIGNALS and self.memory_mb:
            return (f"wkhtmltoimage crashed (signal {signal}), most likely because it needed more than "
                    f"{self.memory_mb} MiB (RENDER_MEMORY_MB)")
        if self.memory_mb and any(words in finished.stderr for words in OUT_OF_MEMORY_WORDS):
            return f"the page needed more than {self.memory_mb} MiB to be drawn (RENDER_MEMORY_MB)"
        return "; ".join(messages) or f"wkhtmltoimage exited with code {finished.returncode}"

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
