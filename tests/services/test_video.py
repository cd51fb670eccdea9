"""A typical frame of a video with the real ffmpeg in the real sandbox, and files made to attack it."""

import shutil
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image, ImageStat

from proxyservice.services.video import VideoFrames, VideoInvalid, VideoTimedOut, VideoToolMissing
from tests.canary import Canary
from tests.samples import VIDEOS, make_video

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (config/install.sh)")


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("videos")
    return {kind: make_video(folder / name, options) for kind, (name, options) in VIDEOS.items()}


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


def grab(source: Path, tmp_path: Path, timeout: float = 30) -> Image.Image:
    out = VideoFrames().representative_frame(source, tmp_path / "frame.png", 400, 300, timeout)
    image = Image.open(out)
    image.load()
    return image


def brightness(image: Image.Image) -> float:
    return float(ImageStat.Stat(image.convert("L")).mean[0])


class TestFrames:
    """Each container taken gives a frame of its picture, not the black it opens on."""

    @pytest.mark.parametrize("kind", sorted(VIDEOS))
    def test_a_frame_of_the_picture_fitting_the_box(self, videos: dict[str, Path], kind: str, tmp_path: Path) -> None:
        frame = grab(videos[kind], tmp_path)
        assert frame.size == (400, 300)
        assert brightness(frame) > 80, "the colour bars, not the black first second"

    def test_a_ten_hour_video_costs_what_a_short_one_does(self, tmp_path: Path) -> None:
        # A small picture at one frame a second, ten hours long: the frame is taken near the start.
        long = tmp_path / "ten-hours.mkv"
        make_video(long, VIDEOS["mkv"][1] + ["-g", "600"], seconds=36_000, size="32x24", rate=1)
        assert grab(long, tmp_path, timeout=10).size == (400, 300)


class TestHostileFiles:
    """Files that are not what they say, and playlists that point elsewhere, fail with a reason."""

    def test_a_container_lying_about_its_codec(self, videos: dict[str, Path], tmp_path: Path) -> None:
        lying = tmp_path / "lying.mp4"
        lying.write_bytes(videos["mp4"].read_bytes().replace(b"avc1", b"hvc1"))
        with pytest.raises(VideoInvalid, match=r"^lying.mp4 (is not a video that can be read|: no frame)") as e:
            grab(lying, tmp_path)
        assert " @ 0x" not in str(e.value) and str(tmp_path) not in str(e.value)

    def test_damaged_bytes(self, tmp_path: Path) -> None:
        (tmp_path / "noise.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64)
        with pytest.raises(VideoInvalid, match="noise.mp4 is not a video that can be read"):
            grab(tmp_path / "noise.mp4", tmp_path)

    @pytest.mark.parametrize("playlist", [
        "#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n{url}\n#EXT-X-ENDLIST\n",
        "ffconcat version 1.0\nfile '{url}'\n",
        "ffconcat version 1.0\nfile '{video}'\n",
    ])
    def test_a_playlist_named_as_a_video_is_never_followed(self, playlist: str, canary: Canary,
                                                           videos: dict[str, Path], tmp_path: Path) -> None:
        disguised = tmp_path / "movie.mp4"
        disguised.write_text(playlist.format(url=canary.url("/segment.ts"), video=videos["mp4"]))
        with pytest.raises(VideoInvalid, match="movie.mp4 is not a video that can be read"):
            grab(disguised, tmp_path)
        assert canary.settle() == []

    def test_a_video_slower_than_its_limit_is_stopped(self, videos: dict[str, Path], tmp_path: Path) -> None:
        with pytest.raises(VideoTimedOut, match="took longer than 0.01 s"):
            grab(videos["mp4"], tmp_path, timeout=0.01)

    def test_no_ffmpeg(self, videos: dict[str, Path], tmp_path: Path) -> None:
        with pytest.raises(VideoToolMissing, match="install ffmpeg"):
            VideoFrames("no-such-ffmpeg").representative_frame(videos["mp4"], tmp_path / "f.png", 10, 10, 5)


def make_brightening_video(path: Path, seconds: int = 10) -> Path:
    """A grey video that brightens evenly, 25 levels a second: a frame's brightness tells its time."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"color=c=black:s=160x120:r=10:d={seconds},format=yuv420p,geq=lum='25*T':cb=128:cr=128",
                    "-c:v", "libx264", "-g", "10", str(path)], check=True, timeout=120)
    return path


class TestStoryboard:
    """Frames spaced evenly through a video."""

    def test_each_frame_is_from_its_own_part_of_the_video(self, tmp_path: Path) -> None:
        video = make_brightening_video(tmp_path / "brightening.mp4")
        (tmp_path / "out").mkdir()
        frames = VideoFrames().evenly_spaced_frames(video, tmp_path / "out", 5, 80, 60, timeout=30)
        assert [frame.name for frame in frames] == [f"frame-{number}.png" for number in range(1, 6)]
        levels = [brightness(Image.open(frame)) for frame in frames]
        # The middles of five two-second parts: 1, 3, 5, 7 and 9 s, at 25 levels a second (video's 16-235 range).
        assert levels == pytest.approx([(25 * t - 16) * 255 / 219 for t in (1, 3, 5, 7, 9)], abs=8)
        assert Image.open(frames[0]).size == (80, 60)

    def test_more_frames_than_the_video_has_times(self, videos: dict[str, Path], tmp_path: Path) -> None:
        frames = VideoFrames().evenly_spaced_frames(videos["mp4"], tmp_path, 3, 400, 300, timeout=30)
        assert len(frames) == 3 and all(max(Image.open(frame).size) <= 400 for frame in frames)

    def test_not_a_video(self, tmp_path: Path) -> None:
        (tmp_path / "fake.mp4").write_bytes(b"\0" * 1000)
        with pytest.raises(VideoInvalid):
            VideoFrames().evenly_spaced_frames(tmp_path / "fake.mp4", tmp_path, 3, 400, 300, timeout=30)
