"""Drawing an SVG file with librsvg's rsvg-convert (Debian's librsvg2-bin).

rsvg-convert draws in a process of its own inside the sandbox: it sees the
drawing alone, with no network, so an ``<image href>`` or a stylesheet
pointing anywhere else (another file, ``http://``) loads nothing; librsvg
itself loads only files beside the drawing and never the network. It is
killed, with anything it started, past the time limit; libxml2's own limits
stop entity expansion (billion laughs) with an error.
"""

import tempfile
from pathlib import Path

from ..sandbox import Sandbox
from ..sandbox.tool import SandboxedTool
from .errors import SvgInvalid, SvgTimedOut, SvgToolMissing


class SvgRasterizer(SandboxedTool):
    """rsvg-convert, run in the sandbox with a time and a memory limit (see :class:`SandboxedTool`)."""

    MISSING = SvgToolMissing
    INSTALL = "librsvg2-bin"
    TIMED_OUT = SvgTimedOut

    def __init__(self, binary: str = "rsvg-convert", memory_mb: int | None = None,
                 sandbox: Sandbox | None = None) -> None:
        super().__init__(binary, memory_mb, sandbox)

    def draw(self, source: Path, output: Path, width: int, height: int, timeout: float) -> Path:
        """Draw ``source`` as a PNG fitting ``width`` x ``height`` (its aspect kept), on white.

        Raises
        ------
        SvgToolMissing, SvgInvalid, SvgTimedOut
        """
        executable = self.executable()
        with tempfile.TemporaryDirectory(prefix=".svg-", dir=output.parent) as work:
            drawn = Path(work) / "drawing.png"
            command = [executable, "--format", "png", "--keep-aspect-ratio", "--width", str(width),
                       "--height", str(height), "--background-color", "white", "--output", str(drawn),
                       str(source)]
            finished = self.run_on(command, source, Path(work), timeout, "drawing")
            if finished.returncode != 0 or not drawn.is_file() or drawn.stat().st_size == 0:
                raise SvgInvalid(f"{source.name} cannot be drawn: {finished.last_words(source)}")
            drawn.replace(output)
        return output

