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

import tempfile
from pathlib import Path
from typing import Any

from ..sandbox import Finished
from ..sandbox.ffmpeg_tool import FFmpegTool, said_by, seconds, whole
from .errors import VideoInvalid, VideoTimedOut, VideoToolMissing

CONTAINERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"
"""ffmpeg's demuxers for the containers taken: MP4 and QuickTime, Matroska and WebM."""
SEEK_FRACTION = 0.1
SEEK_AT_MOST = 10.0
"""Seconds into the video the frames are looked at, at most."""
FRAMES_LOOKED_AT = 30
"""Frames the ``thumbnail`` filter chooses among."""


class VideoFrames(FFmpegTool):
    """ffmpeg and ffprobe on videos, run in the sandbox with a time and a memory limit (see :class:`FFmpegTool`)."""

    MISSING = VideoToolMissing
    TIMED_OUT = VideoTimedOut
    INVALID = VideoInvalid
    CONTAINERS = CONTAINERS
    STREAM = "v:0"
    KIND = "a video"

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
        ffmpeg = self.executable()
        with tempfile.TemporaryDirectory(prefix=".video-", dir=output.parent) as work:
            folder = Path(work)
            duration = self._duration(source, folder, timeout)
            frame = folder / "frame.png"
            seek = min(duration * SEEK_FRACTION, SEEK_AT_MOST)
            finished = self._grab(ffmpeg, source, frame, seek, width, height, folder, timeout)
            if not _made(frame) and seek > 0:  # a length the container overstated: from the start
                finished = self._grab(ffmpeg, source, frame, 0.0, width, height, folder, timeout)
            if not _made(frame):
                raise VideoInvalid(f"{source.name}: no frame could be decoded "
                                   f"({said_by(finished, source)})")
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
            found = self.probe(source, Path(work), timeout,
                                "format=duration:stream=codec_type,codec_name,width,height")
        stream = found["streams"][0]
        return {"duration": seconds(found.get("format", {}).get("duration")),
                "width": whole(stream.get("width")), "height": whole(stream.get("height")),
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
        ffmpeg = self.executable()
        made: list[Path] = []
        with tempfile.TemporaryDirectory(prefix=".video-", dir=folder) as work:
            duration = self._duration(source, Path(work), timeout)
            times = [duration * (index + 0.5) / count for index in range(count)] if duration > 0 else [0.0]
            for at in times:
                frame = Path(work) / "frame.png"
                finished = self._frame_at(ffmpeg, source, frame, at, width, height, Path(work), timeout)
                if _made(frame):  # a time past a length the container overstated has no frame: left out
                    made.append(frame.replace(folder / f"frame-{len(made) + 1}.png"))
        if not made:
            raise VideoInvalid(f"{source.name}: no frame could be decoded ({said_by(finished, source)})")
        return made

    def _frame_at(self, ffmpeg: str, source: Path, frame: Path, at: float, width: int, height: int, folder: Path,
                  timeout: float) -> Finished:
        scale = f"scale=w={width}:h={height}:force_original_aspect_ratio=decrease"
        command = [ffmpeg, "-nostdin", "-v", "error", "-y", *self.closed, "-ss", f"{at:.3f}", "-i", str(source),
                   "-an", "-sn", "-dn", "-vf", scale, "-frames:v", "1", "-threads", "1", str(frame)]
        return self.run(command, source, folder, timeout)

    def _duration(self, source: Path, folder: Path, timeout: float) -> float:
        """The video's length in seconds as its container says (0 when it does not say)."""
        return seconds(self.probe(source, folder, timeout, "format=duration:stream=codec_type")
                        .get("format", {}).get("duration")) or 0.0


    def _grab(self, ffmpeg: str, source: Path, frame: Path, seek: float, width: int, height: int,
              folder: Path, timeout: float) -> Finished:
        scale = f"scale=w={width}:h={height}:force_original_aspect_ratio=decrease"
        command = [ffmpeg, "-nostdin", "-v", "error", "-y", *self.closed, "-ss", f"{seek:.3f}", "-i", str(source),
                   "-an", "-sn", "-dn", "-vf", f"{scale},thumbnail={FRAMES_LOOKED_AT}", "-frames:v", "1",
                   "-threads", "1", str(frame)]
        return self.run(command, source, folder, timeout)





def _made(frame: Path) -> bool:
    return frame.is_file() and frame.stat().st_size > 0
