"""Drawing a PDF's first page with poppler's pdftoppm (Debian's poppler-utils).

pdftoppm is chosen over a Python binding: it is maintained with poppler, runs
in its own process (a crash or a hang on a hostile PDF cannot take the worker
with it) inside the sandbox (no network, no file but the PDF), and is killed,
with anything it started, past the time limit.
"""

import shutil
import tempfile
from pathlib import Path

from ..sandbox import RunTimedOut, Sandbox
from .errors import PdfInvalid, PdfTimedOut, PdfToolMissing


class PdfRasterizer:
    """pdftoppm, run with a time limit.

    Parameters
    ----------
    binary
        The pdftoppm command or path.
    memory_mb
        The heap it may take.
    sandbox
        Where it runs.
    """

    def __init__(self, binary: str = "pdftoppm", memory_mb: int | None = None, sandbox: Sandbox | None = None) -> None:
        self.binary = binary
        self.memory_mb = memory_mb
        self.sandbox = sandbox or Sandbox()

    def first_page(self, source: Path, output: Path, longest_side: int, timeout: float) -> Path:
        """Draw page 1 of ``source`` as a PNG whose longest side is ``longest_side`` pixels.

        Parameters
        ----------
        output
            Path of the PNG to write (pdftoppm adds ``.png`` to a prefix; this
            is the full name).

        Raises
        ------
        PdfToolMissing, PdfInvalid, PdfTimedOut
        """
        executable = shutil.which(self.binary)
        if executable is None:
            raise PdfToolMissing(f"{self.binary!r} was not found; install poppler-utils")
        with tempfile.TemporaryDirectory(prefix=".pdf-", dir=output.parent) as work:
            prefix = Path(work) / "page"
            command = [executable, "-f", "1", "-l", "1", "-png", "-singlefile",
                       "-scale-to", str(longest_side), str(source), str(prefix)]
            try:
                finished = self.sandbox.run(command, (source,), Path(work), timeout, self.memory_mb,
                                            within=source.parent)
            except RunTimedOut as e:
                raise PdfTimedOut(f"drawing {source.name} took longer than {timeout:g} s (RENDER_TIMEOUT)") from e
            drawn = prefix.with_suffix(".png")
            if finished.returncode != 0 or not drawn.is_file():
                reason = finished.stderr.strip().splitlines()[-1:] or [f"exit code {finished.returncode}"]
                said = reason[0].replace(str(source), source.name).replace(str(prefix), "page")
                raise PdfInvalid(f"{source.name} has no page that can be drawn: {said}")
            drawn.replace(output)
        return output
