"""Picking a representative frame of a video with ffmpeg (Debian's ffmpeg package).

Not the first frame, which is often black or a title: ffmpeg seeks a little
way in (a tenth of the length, at most SEEK_AT_MOST seconds), then its
``thumbnail`` filter picks the most typical of the next frames. Seeking is by
the container's index, so a ten-hour video costs what a ten-second one does.

What a video may make ffmpeg open is closed twice over: only the ``file``
protocol, and only the demuxers of the containers taken (MP4/MOV, Matroska/
WebM), so a playlist (HLS, concat) disguised as a video is refused before it
is read, whatever it points to; and ffmpeg runs in the sandbox, which shows
it the video alone, with no network.
"""

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from ..sandbox import Finished, Sandbox
from ..sandbox.tool import SandboxedTool
from .errors import VideoInvalid, VideoTimedOut, VideoToolMissing

CONTAINERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"
"""ffmpeg's demuxers for the containers taken: MP4 and QuickTime, Matroska and WebM."""
SEEK_FRACTION = 0.1
SEEK_AT_MOST = 10.0
"""Seconds into the video the frames are looked at, at most."""
FRAMES_LOOKED_AT = 30
"""Frames the ``thumbnail`` filter chooses among."""
CLOSED = ["-protocol_whitelist", "file", "-format_whitelist", CONTAINERS]
ADDRESS = re.compile(r" @ 0x[0-9a-f]+")
"""ffmpeg names its parts with their addresses in memory: of no use to a reader."""


class VideoFrames(SandboxedTool):
    """ffmpeg and ffprobe, run in the sandbox with a time and a memory limit (see :class:`SandboxedTool`).

    Parameters
    ----------
    ffmpeg, ffprobe
        The commands or paths.
    """

    MISSING = VideoToolMissing
    INSTALL = "ffmpeg"
    TIMED_OUT = VideoTimedOut

    def __init__(self, ffmpeg: str = "ffmpeg", ffprobe: str = "ffprobe", memory_mb: int | None = None,
                 sandbox: Sandbox | None = None) -> None:
        super().__init__(ffmpeg, memory_mb, sandbox)
        self.ffprobe = ffprobe

    def representative_frame(self, source: Path, output: Path, width: int, height: int, timeout: float) -> Path:
        """Write a typical frame of ``source`` as a PNG fitting ``width`` x ``height``.

        Parameters
        ----------
        timeout
            Seconds for the whole (reading the length, then the frames).

        Raises
        ------
        VideoToolMissing, VideoInvalid, VideoTimedOut
        """
        ffmpeg, ffprobe = self.executable(), self.executable(self.ffprobe)
        with tempfile.TemporaryDirectory(prefix=".video-", dir=output.parent) as work:
            folder = Path(work)
            duration = self._duration(ffprobe, source, folder, timeout)
            frame = folder / "frame.png"
            seek = min(duration * SEEK_FRACTION, SEEK_AT_MOST)
            finished = self._grab(ffmpeg, source, frame, seek, width, height, folder, timeout)
            if not _made(frame) and seek > 0:  # a length the container overstated: from the start
                finished = self._grab(ffmpeg, source, frame, 0.0, width, height, folder, timeout)
            if not _made(frame):
                raise VideoInvalid(f"{source.name}: no frame could be decoded "
                                   f"({_said(finished, source)})")
            frame.replace(output)
        return output

    def facts(self, source: Path, timeout: float) -> dict[str, Any]:
        """A video's duration in seconds, and its first video stream's width, height and codec, as ffprobe reads
        them (``None`` where the container does not say).

        Raises
        ------
        VideoToolMissing, VideoInvalid, VideoTimedOut
        """
        with tempfile.TemporaryDirectory(prefix=".probe-") as work:
            found = self._probe(self.executable(self.ffprobe), source, Path(work), timeout,
                                "format=duration:stream=codec_type,codec_name,width,height")
        stream = found["streams"][0]
        return {"duration": _seconds(found.get("format", {}).get("duration")),
                "width": _whole(stream.get("width")), "height": _whole(stream.get("height")),
                "codec": str(stream["codec_name"])[:40] if stream.get("codec_name") else None}

    def evenly_spaced_frames(self, source: Path, folder: Path, count: int, width: int, height: int,
                             timeout: float) -> list[Path]:
        """Write ``count`` frames of ``source`` spaced evenly through it (the middle of each ``count``-th part) into
        ``folder``, as PNGs fitting ``width`` x ``height``, in order.

        Each is one run of ffmpeg seeking by the container's index, so a frame costs what a thumbnail does,
        however long the video. A video whose length is not said gives its first frame alone.

        Parameters
        ----------
        timeout
            Seconds for each run.

        Raises
        ------
        VideoToolMissing, VideoInvalid, VideoTimedOut
            As :meth:`representative_frame`; :class:`VideoInvalid` when not one frame could be decoded.
        """
        ffmpeg, ffprobe = self.executable(), self.executable(self.ffprobe)
        made: list[Path] = []
        with tempfile.TemporaryDirectory(prefix=".video-", dir=folder) as work:
            duration = self._duration(ffprobe, source, Path(work), timeout)
            times = [duration * (index + 0.5) / count for index in range(count)] if duration > 0 else [0.0]
            for at in times:
                frame = Path(work) / "frame.png"
                finished = self._frame_at(ffmpeg, source, frame, at, width, height, Path(work), timeout)
                if _made(frame):  # a time past a length the container overstated has no frame: left out
                    made.append(frame.replace(folder / f"frame-{len(made) + 1}.png"))
        if not made:
            raise VideoInvalid(f"{source.name}: no frame could be decoded ({_said(finished, source)})")
        return made

    def _frame_at(self, ffmpeg: str, source: Path, frame: Path, at: float, width: int, height: int, folder: Path,
                  timeout: float) -> Finished:
        scale = f"scale=w={width}:h={height}:force_original_aspect_ratio=decrease"
        command = [ffmpeg, "-nostdin", "-v", "error", "-y", *CLOSED, "-ss", f"{at:.3f}", "-i", str(source),
                   "-an", "-sn", "-dn", "-vf", scale, "-frames:v", "1", "-threads", "1", str(frame)]
        return self._run(command, source, folder, timeout)

    def _duration(self, ffprobe: str, source: Path, folder: Path, timeout: float) -> float:
        """The video's length in seconds as its container says (0 when it does not say)."""
        return _seconds(self._probe(ffprobe, source, folder, timeout, "format=duration:stream=codec_type")
                        .get("format", {}).get("duration")) or 0.0

    def _probe(self, ffprobe: str, source: Path, folder: Path, timeout: float, entries: str) -> dict[str, Any]:
        """ffprobe's JSON of ``entries`` for the first video stream.

        Raises
        ------
        VideoInvalid
            It has no video stream ffprobe can read.
        """
        said = folder / "probe.json"
        command = [ffprobe, "-v", "error", *CLOSED, "-select_streams", "v:0", "-show_entries",
                   entries, "-of", "json", "-o", str(said), str(source)]
        finished = self._run(command, source, folder, timeout)
        try:
            found = json.loads(said.read_text() if said.is_file() else "{}")
        except (json.JSONDecodeError, UnicodeDecodeError):
            found = {}
        if finished.returncode != 0 or not found.get("streams"):
            why = _said(finished, source) if finished.returncode else "it has no video stream"
            raise VideoInvalid(f"{source.name} is not a video that can be read: {why}")
        return dict(found)

    def _grab(self, ffmpeg: str, source: Path, frame: Path, seek: float, width: int, height: int,
              folder: Path, timeout: float) -> Finished:
        scale = f"scale=w={width}:h={height}:force_original_aspect_ratio=decrease"
        command = [ffmpeg, "-nostdin", "-v", "error", "-y", *CLOSED, "-ss", f"{seek:.3f}", "-i", str(source),
                   "-an", "-sn", "-dn", "-vf", f"{scale},thumbnail={FRAMES_LOOKED_AT}", "-frames:v", "1",
                   "-threads", "1", str(frame)]
        return self._run(command, source, folder, timeout)

    def _run(self, command: list[str], source: Path, folder: Path, timeout: float) -> Finished:
        return self.run_on(command, source, folder, timeout, "reading")


def _seconds(value: Any) -> float | None:
    """A duration ffprobe wrote, in seconds; ``None`` when it is missing or makes no sense."""
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        return None
    return seconds if 0.0 <= seconds < float("inf") else None


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and value > 0 else None


def _made(frame: Path) -> bool:
    return frame.is_file() and frame.stat().st_size > 0


def _said(finished: Finished, source: Path) -> str:
    return ADDRESS.sub("", finished.last_words(source))
