"""Drawing an SVG file with librsvg's rsvg-convert (Debian's librsvg2-bin).

rsvg-convert draws in a process of its own inside the sandbox: it sees the
drawing alone, with no network, so an ``<image href>`` or a stylesheet
pointing anywhere else (another file, ``http://``) loads nothing; librsvg
itself loads only files beside the drawing and never the network. It is
killed, with anything it started, past the time limit; libxml2's own limits
stop entity expansion (billion laughs) with an error.
"""

import shutil
import tempfile
from pathlib import Path

from ..sandbox import RunTimedOut, Sandbox
from .errors import SvgInvalid, SvgTimedOut, SvgToolMissing


class SvgRasterizer:
    """rsvg-convert, run with a time and a memory limit.

    Parameters
    ----------
    binary
        The rsvg-convert command or path.
    memory_mb
        The heap it may take.
    sandbox
        Where it runs.
    """

    def __init__(self, binary: str = "rsvg-convert", memory_mb: int | None = None,
                 sandbox: Sandbox | None = None) -> None:
        self.binary = binary
        self.memory_mb = memory_mb
        self.sandbox = sandbox or Sandbox()

    def draw(self, source: Path, output: Path, width: int, height: int, timeout: float) -> Path:
        """Draw ``source`` as a PNG fitting ``width`` x ``height`` (its aspect kept), on white.

        Raises
        ------
        SvgToolMissing, SvgInvalid, SvgTimedOut
        """
        executable = shutil.which(self.binary)
        if executable is None:
            raise SvgToolMissing(f"{self.binary!r} was not found; install librsvg2-bin")
        with tempfile.TemporaryDirectory(prefix=".svg-", dir=output.parent) as work:
            drawn = Path(work) / "drawing.png"
            command = [executable, "--format", "png", "--keep-aspect-ratio", "--width", str(width),
                       "--height", str(height), "--background-color", "white", "--output", str(drawn),
                       str(source)]
            try:
                finished = self.sandbox.run(command, (source,), Path(work), timeout, self.memory_mb,
                                            within=source.parent)
            except RunTimedOut as e:
                raise SvgTimedOut(f"drawing {source.name} took longer than {timeout:g} s (RENDER_TIMEOUT)") from e
            if finished.returncode != 0 or not drawn.is_file() or drawn.stat().st_size == 0:
                raise SvgInvalid(f"{source.name} cannot be drawn: {finished.last_words(source)}")
            drawn.replace(output)
        return output

