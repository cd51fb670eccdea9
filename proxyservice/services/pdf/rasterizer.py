"""Drawing a PDF's pages with poppler's pdftoppm, reading its facts with pdfinfo and its text with pdftotext
(Debian's poppler-utils).

pdftoppm is chosen over a Python binding: it is maintained with poppler, runs
in its own process (a crash or a hang on a hostile PDF cannot take the worker
with it) inside the sandbox (no network, no file but the PDF), and is killed,
with anything it started, past the time limit.

It writes PPM, not PNG: pdftoppm's PNG encoding (zlib at its best compression)
took ten times as long as drawing a page of text, for a picture that is scaled
and encoded again anyway.
"""

import tempfile
from pathlib import Path

from ...domain import Area
from ..sandbox import Finished, Sandbox
from ..sandbox.tool import SandboxedTool
from .errors import PdfInvalid, PdfTimedOut, PdfToolMissing
from .facts import PdfFacts, parse_pdfinfo


SAID_AT_MOST = 1 << 16
"""Bytes of pdfinfo's output read."""


class PdfRasterizer(SandboxedTool):
    """pdftoppm, run in the sandbox with a time and a memory limit (see :class:`SandboxedTool`)."""

    MISSING = PdfToolMissing
    INSTALL = "poppler-utils"
    TIMED_OUT = PdfTimedOut

    def __init__(self, binary: str = "pdftoppm", memory_mb: int | None = None, sandbox: Sandbox | None = None) -> None:
        super().__init__(binary, memory_mb, sandbox)

    def first_page(self, source: Path, output: Path, longest_side: int, timeout: float) -> Path:
        """Draw page 1 of ``source`` as a PPM picture whose longest side is ``longest_side`` pixels.

        Parameters
        ----------
        output
            Path of the picture to write (pdftoppm adds ``.ppm`` to a prefix; this
            is the full name).

        Raises
        ------
        PdfToolMissing, PdfInvalid, PdfTimedOut
        """
        return self._draw(source, output, ["-scale-to", str(longest_side)], timeout)

    def first_page_part(self, source: Path, output: Path, page_width: int, part: Area, timeout: float) -> Path:
        """Draw ``part`` of page 1 of ``source`` as a PPM picture, the page drawn ``page_width`` pixels wide.

        Only that part is drawn: the top of a page at a size where its text can be
        read costs what a whole page at proxy size does.

        Parameters
        ----------
        part
            The rectangle to draw, in the pixels of the page drawn ``page_width`` wide.

        Raises
        ------
        PdfToolMissing, PdfInvalid, PdfTimedOut
        """
        return self._draw(source, output, ["-scale-to-x", str(page_width), "-scale-to-y", "-1",
                                           "-x", str(part.left), "-y", str(part.top),
                                           "-W", str(part.width), "-H", str(part.height)], timeout)

    def pages(self, source: Path, folder: Path, first: int, last: int, longest_side: int,
              timeout: float) -> list[tuple[int, Path]]:
        """Draw pages ``first`` to ``last`` of ``source`` (those it has) into ``folder``, in one run of pdftoppm.

        Each is a PPM picture whose longest side is ``longest_side`` pixels. pdftoppm
        stops at the document's last page; a range that begins after it draws nothing.

        Returns
        -------
        list of (int, Path)
            Each page's number and picture, in page order; empty when the document
            ends before ``first`` (never for ``first`` 1: a PDF without a page is invalid).

        Raises
        ------
        PdfToolMissing, PdfInvalid, PdfTimedOut
        """
        executable = self.executable()
        with tempfile.TemporaryDirectory(prefix=".pdf-", dir=folder) as work:
            prefix = Path(work) / "page"
            command = [executable, "-f", str(first), "-l", str(last), "-scale-to", str(longest_side),
                       str(source), str(prefix)]
            finished = self.run_on(command, source, Path(work), timeout, "drawing")
            # pdftoppm names each page's picture page-<number>, the number padded to the page count's digits.
            drawn = sorted((int(path.stem.rpartition("-")[2]), path) for path in Path(work).glob("page-*.ppm"))
            if not drawn and (finished.returncode == 0 or first == 1):
                raise PdfInvalid(f"{source.name} has no page that can be drawn: {_said(finished, source, prefix)}")
            kept = []
            for number, path in drawn:  # out of the run's folder, which goes
                kept.append((number, path.replace(folder / f"page-{number}.ppm")))
        return kept

    def facts(self, source: Path, timeout: float) -> PdfFacts:
        """Read a PDF's pages, title, author and creation date with pdfinfo, beside pdftoppm, in the sandbox.

        Raises
        ------
        PdfToolMissing, PdfInvalid, PdfTimedOut
        """
        binary = str(Path(self.binary).with_name("pdfinfo")) if "/" in self.binary else "pdfinfo"
        with tempfile.TemporaryDirectory(prefix=".pdfinfo-") as work, tempfile.TemporaryFile() as said:
            finished = self.run_on([self.executable(binary), "-isodates", "-enc", "UTF-8", str(source)], source,
                                   Path(work), timeout, "reading", stdout=said)
            said.seek(0)
            # A few lines; a hostile file's longest title is cut, never read whole.
            output = said.read(SAID_AT_MOST).decode("utf-8", "replace")
        facts = parse_pdfinfo(output) if finished.returncode == 0 else None
        if facts is None:
            reason = finished.stderr.strip().splitlines()[-1:] or [f"exit code {finished.returncode}"]
            raise PdfInvalid(f"{source.name} cannot be read as a PDF: {reason[0].replace(str(source), source.name)}")
        return facts

    def text(self, source: Path, output: Path, timeout: float) -> Path:
        """Write a PDF's text into ``output`` (UTF-8, pages parted by form feeds) with pdftotext, in the sandbox.

        Raises
        ------
        PdfToolMissing, PdfInvalid, PdfTimedOut
        """
        binary = str(Path(self.binary).with_name("pdftotext")) if "/" in self.binary else "pdftotext"
        with tempfile.TemporaryDirectory(prefix=".pdftext-", dir=output.parent) as work:
            written = Path(work) / "text.txt"
            finished = self.run_on([self.executable(binary), "-enc", "UTF-8", "-q", str(source), str(written)],
                                   source, Path(work), timeout, "reading the text of")
            if finished.returncode != 0 or not written.is_file():
                raise PdfInvalid(f"{source.name} has no text that can be read: {finished.last_words(source)}")
            written.replace(output)
        return output

    def _draw(self, source: Path, output: Path, scaling: list[str], timeout: float) -> Path:
        executable = self.executable()
        with tempfile.TemporaryDirectory(prefix=".pdf-", dir=output.parent) as work:
            prefix = Path(work) / "page"
            command = [executable, "-f", "1", "-l", "1", "-singlefile", *scaling, str(source), str(prefix)]
            finished = self.run_on(command, source, Path(work), timeout, "drawing")
            drawn = prefix.with_suffix(".ppm")
            if finished.returncode != 0 or not drawn.is_file():
                raise PdfInvalid(f"{source.name} has no page that can be drawn: {_said(finished, source, prefix)}")
            drawn.replace(output)
        return output


def _said(finished: Finished, source: Path, prefix: Path) -> str:
    """pdftoppm's last line of errors, naming the PDF by its name and its pictures as ``page``."""
    reason = finished.stderr.strip().splitlines()[-1:] or [f"exit code {finished.returncode}"]
    return reason[0].replace(str(source), source.name).replace(str(prefix), "page")
