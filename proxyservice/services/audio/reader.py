"""A picture of a sound's waveform, and its length, codec and tags, with ffmpeg (Debian's ffmpeg package).

The picture is ffmpeg's ``showwavespic`` filter, which keeps every sample
it is given until the end: the sound is mixed down to one channel and
resampled to :data:`DRAWN_RATE` first, which is plenty for a picture a few
hundred pixels wide and keeps an hour within about 120 MB. Only the first
:data:`DRAWN_SECONDS` are drawn, so a ten-hour recording costs what an hour
does (measured: 2.7 s for an MP3, 7 s for Opus) and stays within
RENDER_TIMEOUT; its picture is of that first hour.

What a file may make ffmpeg open is closed twice over, as for videos: only
the ``file`` protocol, and only the demuxers of the audio containers taken,
so a playlist (HLS, concat) named ``.mp3`` is refused before it is read;
and ffmpeg runs in the sandbox, which shows it the file alone, with no
network.
"""

import tempfile
from pathlib import Path
from typing import Any

from ..sandbox.ffmpeg_tool import FFmpegTool, said_by, seconds, whole
from .errors import AudioInvalid, AudioTimedOut, AudioToolMissing

CONTAINERS = "mp3,ogg,flac,wav,aac,mov,mp4,m4a,3gp,3g2,mj2"
"""ffmpeg's demuxers for the containers taken: MP3, Ogg (Vorbis, Opus), FLAC, WAV, ADTS AAC, and MP4 (M4A)."""
DRAWN_SIZE = (1200, 300)
"""The picture ffmpeg draws, scaled into the proxy's box afterwards."""
DRAWN_RATE = 8000
"""Samples a second the waveform is drawn from (see the module's docstring)."""
DRAWN_SECONDS = 3600
"""Seconds from the start drawn at most."""
INK, PAPER = "0x1f3b5c", "white"
TAGS = ("title", "artist", "album")
LONGEST_TEXT = 200
"""Characters kept of a tag or a codec's name."""


class AudioReader(FFmpegTool):
    """ffmpeg and ffprobe on sound files, run in the sandbox with a time and a memory limit.

    Parameters
    ----------
    ffmpeg, ffprobe
        The commands or paths.
    """

    MISSING = AudioToolMissing
    TIMED_OUT = AudioTimedOut
    INVALID = AudioInvalid
    CONTAINERS = CONTAINERS
    STREAM = "a:0"
    KIND = "a sound"

    def waveform(self, source: Path, output: Path, timeout: float) -> Path:
        """Draw the waveform of ``source`` (its first :data:`DRAWN_SECONDS`) as a PNG of :data:`DRAWN_SIZE`:
        dark on white, about a line through the middle, which is all a silence draws.

        Raises
        ------
        AudioToolMissing, AudioInvalid, AudioTimedOut
        """
        width, height = DRAWN_SIZE
        # On a square-root scale: speech and quiet recordings (-20 dBFS) show their shape, where a linear
        # scale draws them as a line; louder is still taller.
        graph = (f"[0:a:0]aformat=channel_layouts=mono,aresample={DRAWN_RATE},asetnsamples=n=16384:p=0,"
                 f"showwavespic=s={width}x{height}:draw=full:scale=sqrt:colors={INK}[wave];"
                 f"color=c={PAPER}:s={width}x{height},drawbox=y=ih/2-3:w=iw:h=6:color={INK}:t=fill[paper];"
                 "[paper][wave]overlay=shortest=1,format=rgb24")
        with tempfile.TemporaryDirectory(prefix=".audio-", dir=output.parent) as work:
            picture = Path(work) / "waveform.png"
            command = [self.executable(), "-nostdin", "-v", "error", "-y", *self.closed, "-t", str(DRAWN_SECONDS),
                       "-i", str(source), "-filter_complex", graph, "-frames:v", "1", "-threads", "1",
                       str(picture)]
            finished = self.run(command, source, Path(work), timeout)
            if finished.returncode != 0 or not picture.is_file() or picture.stat().st_size == 0:
                raise AudioInvalid(f"{source.name} is not a sound that can be read: {said_by(finished, source)}")
            picture.replace(output)
        return output

    def facts(self, source: Path, timeout: float) -> dict[str, Any]:
        """A sound's duration in seconds, its first audio stream's codec, channels, sample rate and bit rate,
        and its title, artist and album tags, as ffprobe reads them (``None`` where the file does not say).

        Raises
        ------
        AudioToolMissing, AudioInvalid, AudioTimedOut
        """
        entries = ("format=duration,bit_rate:format_tags=title,artist,album:"
                   "stream=codec_name,channels,sample_rate,bit_rate:stream_tags=title,artist,album")
        with tempfile.TemporaryDirectory(prefix=".probe-") as work:
            found = self.probe(source, Path(work), timeout, entries)
        container, stream = found.get("format", {}), found["streams"][0]
        # Ogg keeps its comments on the stream, the others on the container: either may say.
        tags = {str(key).lower(): value for key, value in {**stream.get("tags", {}),
                                                           **container.get("tags", {})}.items()}
        return {"duration": seconds(container.get("duration")),
                "codec": _text(stream.get("codec_name")),
                "channels": whole(stream.get("channels")),
                "sample_rate": whole(stream.get("sample_rate")),
                "bit_rate": whole(stream.get("bit_rate")) or whole(container.get("bit_rate")),
                **{tag: _text(tags.get(tag)) for tag in TAGS}}






def _text(value: Any) -> str | None:
    text = " ".join(str(value).split())[:LONGEST_TEXT] if value is not None else ""
    return text or None
