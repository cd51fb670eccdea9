"""ffmpeg and ffprobe on a stranger's media file, in the sandbox: what the video and the audio services share.

What a file may make ffmpeg open is closed twice over: only the ``file``
protocol and only the demuxers of the containers a service takes
(:attr:`FFmpegTool.CONTAINERS`), so a playlist (HLS, concat) disguised as a
media file is refused before it is read; and ffmpeg runs in the sandbox,
which shows it the file alone, with no network.
"""

import json
import re
from pathlib import Path
from typing import Any, ClassVar

from .runner import Finished
from .sandbox import Sandbox
from .tool import SandboxedTool

ADDRESS = re.compile(r" @ 0x[0-9a-f]+")
"""ffmpeg names its parts with their addresses in memory: of no use to a reader."""


class FFmpegTool(SandboxedTool):
    """ffmpeg (the tool's binary) and ffprobe, run in the sandbox with a time and a memory limit.

    A subclass names the demuxers it takes, the stream it reads, and its error for a file that is not one.

    Parameters
    ----------
    ffmpeg, ffprobe
        The commands or paths.
    """

    INSTALL = "ffmpeg"
    CONTAINERS: ClassVar[str]
    """ffmpeg's demuxers for the containers taken, comma-separated."""
    STREAM: ClassVar[str]
    """The stream read (``v:0``, ``a:0``)."""
    INVALID: ClassVar[type[Exception]]
    """Raised for a file with no such stream that can be read."""
    KIND: ClassVar[str]
    """What a file is to be (``a video``), in messages."""

    def __init__(self, ffmpeg: str = "ffmpeg", ffprobe: str = "ffprobe", memory_mb: int | None = None,
                 sandbox: Sandbox | None = None) -> None:
        super().__init__(ffmpeg, memory_mb, sandbox)
        self.ffprobe = ffprobe

    @property
    def closed(self) -> list[str]:
        """The options that close what ffmpeg and ffprobe may open to the ``file`` protocol and the containers."""
        return ["-protocol_whitelist", "file", "-format_whitelist", self.CONTAINERS]

    def probe(self, source: Path, folder: Path, timeout: float, entries: str) -> dict[str, Any]:
        """ffprobe's JSON of ``entries`` for the stream read.

        Raises
        ------
        INVALID
            It has no such stream ffprobe can read.
        """
        said = folder / "probe.json"
        command = [self.executable(self.ffprobe), "-v", "error", *self.closed, "-select_streams", self.STREAM,
                   "-show_entries", entries, "-of", "json", "-o", str(said), str(source)]
        finished = self.run(command, source, folder, timeout)
        try:
            found = json.loads(said.read_text() if said.is_file() else "{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            found = {}
        if finished.returncode != 0 or not found.get("streams"):
            kind = "video" if self.STREAM.startswith("v") else "audio"
            why = said_by(finished, source) if finished.returncode else f"it has no {kind} stream"
            raise self.INVALID(f"{source.name} is not {self.KIND} that can be read: {why}")
        return dict(found)

    def run(self, command: list[str], source: Path, folder: Path, timeout: float) -> Finished:
        """Run ``command`` on ``source`` (see :meth:`SandboxedTool.run_on`)."""
        return self.run_on(command, source, folder, timeout, "reading")


def seconds(value: Any) -> float | None:
    """A duration ffprobe wrote, in seconds; ``None`` when it is missing or makes no sense."""
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return found if 0.0 <= found < float("inf") else None


def whole(value: Any) -> int | None:
    """A count ffprobe wrote (as a number, or as a string for rates); ``None`` when it is missing or not positive."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def said_by(finished: Finished, source: Path) -> str:
    """ffmpeg's last words, without the addresses it names its parts by."""
    return ADDRESS.sub("", finished.last_words(source))
