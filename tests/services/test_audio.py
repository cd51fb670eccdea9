"""A sound's waveform and facts with the real ffmpeg in the real sandbox, and files made to attack it."""

import json
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from proxyservice.services.audio import AudioInvalid, AudioReader, AudioTimedOut, AudioToolMissing
from tests.canary import Canary
from tests.samples import SILENCE, SOUNDS, make_sound
from tests.support import assert_not_blank, dark_share

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (config/install.sh)")

TAGS = {"title": "Night Song", "artist": "Ann Example", "album": "Tones"}


@pytest.fixture(scope="module")
def sounds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("sounds")
    return {kind: make_sound(folder / name, options, tags=TAGS) for kind, (name, options) in SOUNDS.items()}


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


def draw(source: Path, tmp_path: Path, timeout: float = 30) -> Image.Image:
    """The waveform's picture, checked not to be blank."""
    return assert_not_blank(AudioReader().waveform(source, tmp_path / "waveform.png", timeout))


def ffprobe(source: Path) -> dict[str, str]:
    said = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "format=duration:stream=codec_name,channels,sample_rate", "-of", "json", str(source)],
        capture_output=True, text=True, check=True, timeout=60).stdout)
    return {**said["streams"][0], "duration": said["format"]["duration"]}


class TestWaveform:
    """Each container taken gives a picture of its waveform."""

    @pytest.mark.parametrize("kind", sorted(SOUNDS))
    def test_a_loud_tone_fills_the_middle_from_end_to_end(self, sounds: dict[str, Path], kind: str,
                                                          tmp_path: Path) -> None:
        image = draw(sounds[kind], tmp_path)
        assert image.size == (1200, 300)
        assert dark_share(image, 150) == 1.0 and dark_share(image, 100) > 0.9, "the tone, end to end"
        assert dark_share(image, 5) == 0.0, "80 % of full scale leaves the edges white"

    def test_a_silence_draws_a_flat_line(self, tmp_path: Path) -> None:
        image = draw(make_sound(tmp_path / "quiet.flac", ["-c:a", "flac"], source=SILENCE), tmp_path)
        assert all(dark_share(image, row) == 1.0 for row in range(147, 153)), "a line through the middle"
        assert all(dark_share(image, row) == 0.0 for row in (10, 100, 145, 154, 200, 290))

    def test_a_long_file_is_drawn_from_its_first_hour_alone(self, tmp_path: Path) -> None:
        # Two hours, silent for the first (DRAWN_SECONDS): what comes after is never read, so a
        # ten-hour file costs what an hour does.
        loud_later = "aevalsrc=if(gte(t\\,3600)\\,0.8*sin(2*PI*440*t)\\,0):s=2000"
        long = make_sound(tmp_path / "long.wav", ["-c:a", "pcm_u8"], seconds=7200, source=loud_later)
        image = draw(long, tmp_path, timeout=30)
        assert dark_share(image, 150) == 1.0 and dark_share(image, 100) == 0.0


class TestFacts:
    """What ffprobe reads of each container taken, and the tags written into it."""

    @pytest.mark.parametrize("kind", sorted(SOUNDS))
    def test_what_ffprobe_reads(self, sounds: dict[str, Path], kind: str) -> None:
        facts, probed = AudioReader().facts(sounds[kind], 30), ffprobe(sounds[kind])
        assert facts["duration"] == pytest.approx(float(probed["duration"]), abs=0.001)
        assert (facts["codec"], facts["channels"], facts["sample_rate"]) == (
            probed["codec_name"], probed["channels"], int(probed["sample_rate"]))
        assert facts["bit_rate"] is not None and facts["bit_rate"] > 0
        assert {tag: facts[tag] for tag in TAGS} == TAGS

    def test_no_tags(self, tmp_path: Path) -> None:
        facts = AudioReader().facts(make_sound(tmp_path / "bare.wav", []), 30)
        assert (facts["title"], facts["artist"], facts["album"]) == (None, None, None)
        assert facts["codec"] == "pcm_s16le" and facts["bit_rate"] == 44100 * 2 * 16


class TestHostileFiles:
    """Files that are not what they say, and playlists that point elsewhere, fail with a reason."""

    @pytest.mark.parametrize("playlist", [
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{url}\n#EXT-X-ENDLIST\n",
        "ffconcat version 1.0\nfile '{url}'\n",
        "ffconcat version 1.0\nfile '{sound}'\n",
    ])
    def test_a_playlist_named_as_a_sound_is_never_followed(self, playlist: str, canary: Canary,
                                                           sounds: dict[str, Path], tmp_path: Path) -> None:
        disguised = tmp_path / "song.mp3"
        disguised.write_text(playlist.format(url=canary.url("/segment.mp3"), sound=sounds["mp3"]))
        with pytest.raises(AudioInvalid, match="song.mp3 is not a sound that can be read"):
            AudioReader().facts(disguised, 30)
        with pytest.raises(AudioInvalid, match="song.mp3 is not a sound that can be read"):
            draw(disguised, tmp_path)
        assert canary.settle() == []

    def test_a_video_container_is_not_taken(self, tmp_path: Path) -> None:
        # Matroska is a video's container: refused by the audio reader's demuxers, whatever it holds.
        sound = make_sound(tmp_path / "tone.mka", ["-c:a", "libvorbis"])
        with pytest.raises(AudioInvalid, match="tone.mka is not a sound that can be read") as e:
            draw(sound, tmp_path)
        assert " @ 0x" not in str(e.value) and str(tmp_path) not in str(e.value)

    def test_damaged_bytes(self, tmp_path: Path) -> None:
        (tmp_path / "noise.flac").write_bytes(b"fLaC" + bytes(range(256)) * 64)
        with pytest.raises(AudioInvalid, match="noise.flac is not a sound that can be read"):
            AudioReader().facts(tmp_path / "noise.flac", 30)

    def test_a_sound_slower_than_its_limit_is_stopped(self, sounds: dict[str, Path], tmp_path: Path) -> None:
        with pytest.raises(AudioTimedOut, match="took longer than 0.01 s"):
            draw(sounds["mp3"], tmp_path, timeout=0.01)

    def test_no_ffmpeg(self, sounds: dict[str, Path], tmp_path: Path) -> None:
        with pytest.raises(AudioToolMissing, match="install ffmpeg"):
            AudioReader("no-such-ffmpeg").waveform(sounds["mp3"], tmp_path / "w.png", 5)
