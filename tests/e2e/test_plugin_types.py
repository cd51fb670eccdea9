"""Every built-in plugin end to end: upload over HTTP, a real worker, the proxy downloaded."""

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from proxyservice.schemas import first_error
from tests.e2e.conftest import Service, running_service
from tests.canary import Canary
from tests.ocr import word_recall
from tests.samples import (MEMO_FIRST_LINES, SOUNDS, VIDEOS, make_epub, make_memo, make_sound, make_video,
                           write_samples)
from tests.services.test_epub import MB, zeros_member
from tests.services.test_svg import BILLION_LAUGHS
from tests.support import assert_not_blank, wait_until

EXPECTED = {
    # kind: (plugin namespace, type identifier, mimetype of the proxy)
    "png": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "jpeg": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "gif": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "webp": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "tiff": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "bmp": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "transparent_png": ("image_thumbnail", "thumbnail", "image/png"),
    "no_extension": ("image_thumbnail", "thumbnail", "image/jpeg"),
    "pdf": ("pdf_thumbnail", "thumbnail", "image/png"),
    "text": ("text_thumbnail", "thumbnail", "image/png"),
    "python": ("text_thumbnail", "thumbnail", "image/png"),
    # As a browser shows them: a .txt is text whatever it holds; a page is a page whatever libmagic says.
    "html_as_txt": ("text_thumbnail", "thumbnail", "image/png"),
    "xhtml_declared": ("html_preview", "preview", "image/png"),
    "html_declared": ("html_preview", "preview", "image/png"),
    "html_mostly_script": ("html_preview", "preview", "image/png"),
    "svg": ("svg_thumbnail", "thumbnail", "image/png"),
    "svgz": ("svg_thumbnail", "thumbnail", "image/png"),
    "markdown": ("markdown_preview", "preview", "image/png"),
    "mp4": ("video_thumbnail", "thumbnail", "image/jpeg"),
    "webm": ("video_thumbnail", "thumbnail", "image/jpeg"),
    "mov": ("video_thumbnail", "thumbnail", "image/jpeg"),
    "mkv": ("video_thumbnail", "thumbnail", "image/jpeg"),
    "epub": ("epub_thumbnail", "thumbnail", "image/jpeg"),
    "epub_without_cover": ("epub_thumbnail", "thumbnail", "image/png"),
}


@pytest.mark.parametrize("kind", sorted(SOUNDS))
def test_a_sound_gets_its_waveform(service: Service, kind: str) -> None:
    name, options = SOUNDS[kind]
    sound = make_sound(service.sources / "sounds" / name, options)
    accepted = service.client.post("/ingest", json={"path": str(sound)})
    [task] = accepted.get_json()["tasks"]
    assert task["plugin"] == "audio_waveform::AudioWaveform"
    assert service.follow(accepted.headers["Location"]).status_code == 303
    answer = service.client.get(f"/proxies/{accepted.get_json()['file_id']}/thumbnail")
    assert answer.headers["Content-Type"] == "image/png"
    assert assert_not_blank(answer.data).size == (400, 100)


@pytest.fixture(scope="module")
def samples(service: Service) -> dict[str, Path]:
    return write_samples(service.sources / "plugin-types")


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_the_right_plugin_makes_its_proxy(service: Service, samples: dict[str, Path], kind: str) -> None:
    namespace, typeidentifier, mimetype = EXPECTED[kind]
    accepted = service.client.post("/ingest", json={"path": str(samples[kind])})
    assert accepted.status_code in (202, 303), accepted.get_json()
    [task] = accepted.get_json()["tasks"]
    assert task["plugin"].startswith(f"{namespace}::")
    finished = service.follow(task["status_url"])
    assert finished.status_code == 303, finished.get_json()

    listing = service.client.get(f"/proxies/{accepted.get_json()['file_id']}").get_json()
    assert first_error("ProxyList", listing) is None
    [proxy] = [p for p in listing["proxies"] if p["typeidentifier"] == typeidentifier]
    assert (proxy["plugin"], proxy["mimetype"]) == (namespace, mimetype)
    image = assert_not_blank(service.client.get(proxy["url"]).data, min_spread=5)
    assert image.width <= 400 and image.height <= 300
    assert image.width == 400 or image.height == 300, "it fills the box on one side"


def test_exif_orientation_survives_the_whole_path(service: Service) -> None:
    photo = Image.new("RGB", (800, 400), "white")
    photo.paste((255, 0, 0), (0, 0, 100, 400))
    exif = Image.Exif()
    exif[0x0112] = 6
    path = service.sources / "rotated.jpg"
    photo.save(path, exif=exif)
    accepted = service.client.post("/ingest", json={"path": str(path)})
    assert service.follow(accepted.headers["Location"]).status_code == 303
    data = service.client.get(f"/proxies/{accepted.get_json()['file_id']}/thumbnail").data
    assert assert_not_blank(data).size == (150, 300)


def test_a_decompression_bomb_fails_with_a_clear_error(service: Service) -> None:
    path = service.sources / "bomb.png"
    Image.new("1", (20000, 20000)).save(path)
    accepted = service.client.post("/ingest", json={"path": str(path)})
    failed = service.follow(accepted.headers["Location"])
    assert failed.status_code == 200
    body = failed.get_json()
    assert body["status"] == "failed" and "more pixels than the limit of 50000000 (MAX_IMAGE_PIXELS)" in body["error"]


def test_plugins_lists_every_builtin(service: Service) -> None:
    body = service.client.get("/plugins").get_json()
    assert {p["namespace"] for p in body["plugins"]} == {
        "html_preview", "image_thumbnail", "text_thumbnail", "pdf_thumbnail", "svg_thumbnail", "video_thumbnail",
        "markdown_preview", "epub_thumbnail", "office_thumbnail", "audio_waveform"}


def failed(service: Service, path: Path) -> str:
    """Why the task of a file that must fail failed."""
    accepted = service.client.post("/ingest", json={"path": str(path)})
    assert accepted.status_code == 202, accepted.get_json()
    body = service.follow(accepted.headers["Location"], timeout=120).get_json()
    assert body["status"] == "failed", body
    error: str = body["error"]
    return error


class TestHostileFilesThroughAWorker:
    """Files made to attack the new converters fail in the worker with a reason, and the worker goes on."""

    def test_an_svg_billion_laughs(self, service: Service) -> None:
        path = service.sources / "laughs.svg"
        path.write_text(BILLION_LAUGHS)
        assert "laughs.svg cannot be drawn" in failed(service, path)

    def test_a_video_lying_about_its_codec(self, service: Service, samples: dict[str, Path]) -> None:
        path = service.sources / "lying.mp4"
        path.write_bytes(samples["mp4"].read_bytes().replace(b"avc1", b"hvc1"))
        assert "lying.mp4 is not a video that can be read" in failed(service, path)

    def test_a_ten_hour_video_gets_its_thumbnail(self, service: Service) -> None:
        path = make_video(service.sources / "ten-hours.mkv", VIDEOS["mkv"][1] + ["-g", "600"], seconds=36_000,
                          size="32x24", rate=1)
        accepted = service.client.post("/ingest", json={"path": str(path)})
        assert service.follow(accepted.headers["Location"]).status_code == 303

    def test_a_playlist_named_as_a_video_is_drawn_as_the_text_it_is(self, service: Service) -> None:
        canary = Canary()
        try:
            path = service.sources / "playlist.mp4"
            path.write_text(f"#EXTM3U\n#EXTINF:10,\n{canary.url('/segment.ts')}\n#EXT-X-ENDLIST\n")
            accepted = service.client.post("/ingest", json={"path": str(path)})
            [task] = accepted.get_json()["tasks"]
            assert task["plugin"] == "text_thumbnail::TextThumbnail"  # the content decides: ffmpeg never sees it
            assert service.follow(accepted.headers["Location"]).status_code == 303
            assert canary.settle() == []
        finally:
            canary.close()

    def test_a_playlist_named_as_a_sound_is_drawn_as_the_text_it_is(self, service: Service) -> None:
        canary = Canary()
        try:
            path = service.sources / "playlist.mp3"
            path.write_text(f"#EXTM3U\n#EXTINF:10,\n{canary.url('/segment.mp3')}\n#EXT-X-ENDLIST\n")
            accepted = service.client.post("/ingest", json={"path": str(path)})
            [task] = accepted.get_json()["tasks"]
            assert task["plugin"] == "text_thumbnail::TextThumbnail"  # the content decides: ffmpeg never sees it
            assert service.follow(accepted.headers["Location"]).status_code == 303
            assert canary.settle() == []
        finally:
            canary.close()

    def test_an_epub_zip_bomb(self, service: Service) -> None:
        # No cover: the first page is rendered, for which the whole book is unpacked, up to the limit.
        path = zeros_member(make_epub(service.sources / "bomb.epub", cover=False), "OEBPS/zeros.bin", 256 * MB)
        assert "more than 209715200 bytes (MAX_UNPACKED_BYTES)" in failed(service, path)

    def test_a_corrupt_epub(self, service: Service) -> None:
        path = service.sources / "corrupt.epub"
        path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
        assert "corrupt.epub is not an EPUB book: it is not a zip" in failed(service, path)


@pytest.mark.parametrize("extension", ["docx", "xlsx", "pptx", "odt", "rtf"])
def test_office_documents_get_their_first_page(service: Service, office_documents: dict[str, Path],
                                               extension: str) -> None:
    path = service.sources / f"office-{office_documents[extension].name}"
    shutil.copyfile(office_documents[extension], path)
    accepted = service.client.post("/ingest", json={"path": str(path)})
    [task] = accepted.get_json()["tasks"]
    assert task["plugin"] == "office_thumbnail::OfficeThumbnail"
    assert service.follow(accepted.headers["Location"], timeout=120).status_code == 303
    png = service.client.get(f"/proxies/{accepted.get_json()['file_id']}/thumbnail").data
    image = assert_not_blank(png, min_spread=5)
    assert image.width == 400 or image.height == 300


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_a_memo_can_be_read_in_its_thumbnail_and_its_page_is_whole(service: Service, tmp_path: Path,
                                                                   kind: str) -> None:
    path = service.sources / f"memo-{kind}.{kind}"
    shutil.copyfile(make_memo(tmp_path)[kind], path)
    accepted = service.client.post("/ingest", json={"path": str(path)})
    assert service.follow(accepted.headers["Location"], timeout=120).status_code == 303
    proxies = f"/proxies/{accepted.get_json()['file_id']}"
    thumbnail = service.client.get(f"{proxies}/thumbnail").data
    assert assert_not_blank(thumbnail).width == 400
    assert word_recall(thumbnail, MEMO_FIRST_LINES) >= 0.7, "OCR reads most words of the memo's first lines"
    assert assert_not_blank(service.client.get(f"{proxies}/page").data).size == (212, 300), "a whole A4 page"


class TestHostileOfficeDocuments:
    """Office documents made to break LibreOffice fail in the worker with a reason."""

    def test_a_truncated_docx(self, service: Service, office_documents: dict[str, Path]) -> None:
        path = service.sources / "corrupt.docx"
        whole = office_documents["docx"].read_bytes()
        path.write_bytes(whole[:len(whole) // 2])
        assert "corrupt.docx cannot be opened as MS Word 2007 XML" in failed(service, path)

    def test_a_zip_bomb_named_docx(self, service: Service) -> None:
        path = zeros_member(service.sources / "bomb.docx", "word/document.xml", 1024 * MB)
        assert "bomb.docx cannot be opened" in failed(service, path)


def office_owners() -> set[int]:
    """The worker processes (on this machine) whose LibreOffice runs now, by the folder each started it in."""
    listed = subprocess.run(["pgrep", "-af", "UserInstallation=file:///tmp/proxyservice-office-"],
                            capture_output=True, text=True).stdout
    return {int(pid) for pid in re.findall(r"file:///tmp/proxyservice-office-(\d+)-", listed)}


class TestLibreOfficeLivesWithItsWorker:
    """Each worker child keeps one LibreOffice, which never outlives it."""

    def test_a_killed_worker_child_takes_its_libreoffice_and_the_next_child_starts_another(
            self, tmp_path: Path, office_documents: dict[str, Path]) -> None:
        with running_service(tmp_path, concurrency=1) as (service, worker):
            before = office_owners()

            def first_page_of(name: str) -> None:
                path = service.sources / name
                shutil.copyfile(office_documents["docx"], path)
                accepted = service.client.post("/ingest", json={"path": str(path)})
                assert service.follow(accepted.headers["Location"], timeout=120).status_code == 303

            first_page_of("one.docx")
            [child] = office_owners() - before
            first_page_of("two.docx")
            assert office_owners() - before == {child}, "the same LibreOffice converts the next document"

            os.kill(child, signal.SIGKILL)
            wait_until(lambda: child not in office_owners(), 30, "its LibreOffice to end with it")
            first_page_of("three.docx")
            [replacement] = office_owners() - before
            assert replacement != child
        wait_until(lambda: not office_owners() - before, 30, "no LibreOffice to outlive the stopped worker")


def test_a_page_drawn_blank_succeeds_with_a_warning_that_says_so(service: Service) -> None:
    """A single-file wiki whose script QtWebKit cannot run, with Chromium not enabled: the task says so."""
    from tests.scripted_pages import single_file_wiki

    folder = service.sources / "blank"
    folder.mkdir(exist_ok=True)
    accepted = service.client.post("/ingest", json={"path": str(single_file_wiki(folder / "wiki.html", modern=True))})
    assert accepted.status_code == 202, accepted.get_json()
    [task] = accepted.get_json()["tasks"]
    finished = service.follow(task["status_url"])
    assert finished.status_code == 303, finished.get_json()
    [said] = [w for w in finished.get_json()["warnings"] if w.startswith("the preview is blank (one colour)")]
    assert "no other HTML engine is enabled to try" in said and said.endswith("(BLANK_PROXY=fail makes this an error)")
