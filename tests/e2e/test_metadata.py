"""The whole record of a file, through a real worker: what it reads equals what independent tools read.

Page counts against ``pdfinfo``, image sizes against Pillow, durations
against ``ffprobe``, titles against the page's ``<title>``, and the file's
own facts against ``stat`` and ``hashlib``; every answer fits the contract.
"""

import hashlib
import html
import json
import re
import secrets
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from proxyservice.schemas import first_error
from tests.e2e.conftest import DOCS, Service
from tests.samples import (MEMO_AUTHOR, MEMO_TITLE, SILENCE, SOUNDS, VIDEOS, make_epub, make_memo,
                           make_numbered_document, make_office_documents, make_sound, make_video, picture)
from tests.support import assert_not_blank, dark_share

PDFS = sorted(path for path in DOCS.rglob("*.pdf") if path.is_file())
PAGES = [DOCS / "python3.11/html/library/json.html", DOCS / "python3.11/html/tutorial/index.html"]


def ingested(service: Service, path: Path) -> dict[str, Any]:
    """Ingest a file, follow its tasks to their end, and return its resource."""
    answer = service.client.post("/ingest", json={"path": str(path)})
    assert answer.status_code in (200, 202, 303), answer.get_json()  # 303: ingested before, in another test
    body = answer.get_json()
    for task in body["tasks"]:
        ended = service.follow(task["status_url"], timeout=120)
        assert ended.status_code in (200, 303), ended.get_json()
    resource = service.client.get(f"/files/{body['file_id']}")
    assert resource.status_code == 200, resource.get_json()
    document = resource.get_json()
    assert first_error("File", document) is None, first_error("File", document)
    return dict(document)


def pdfinfo(path: Path) -> dict[str, str]:
    said = subprocess.run(["pdfinfo", "-isodates", "-enc", "UTF-8", str(path)], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in said.splitlines())}


@pytest.mark.skipif(not PDFS, reason="no PDF under /usr/share/doc")
@pytest.mark.parametrize("pdf", PDFS[:2], ids=lambda path: path.name)
def test_a_pdf_has_the_pages_and_dates_pdfinfo_reads(service: Service, pdf: Path) -> None:
    document = ingested(service, pdf)
    expected = pdfinfo(pdf)
    fields = document["metadata"]["pdf_thumbnail"]
    assert fields["pages"] == int(expected["Pages"])
    assert fields.get("title") == (expected.get("Title") or None)
    assert fields.get("author") == (expected.get("Author") or None)
    assert fields.get("created") == expected.get("CreationDate")
    facts = document["metadata"]["file"]
    assert facts["size"] == pdf.stat().st_size and facts["mimetype"] == "application/pdf"
    assert facts["sha256"] == hashlib.sha256(pdf.read_bytes()).hexdigest()
    assert datetime.fromisoformat(facts["modified"]) == datetime.fromtimestamp(pdf.stat().st_mtime, timezone.utc)
    assert document["name"] == pdf.name and document["mimetype"] == "application/pdf"
    assert {proxy["typeidentifier"] for proxy in document["proxies"]} >= {"thumbnail", "page"}
    assert [task["status"] for task in document["tasks"]] == ["succeeded"]


def test_a_photo_has_the_size_pillow_reads_and_its_exif(service: Service) -> None:
    photo = service.sources / "metadata" / "holiday.jpg"
    photo.parent.mkdir(exist_ok=True)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "Pentax", "Pentax K-1", 6
    exif.get_ifd(0x8769)[0x9003] = "2025:07:14 18:05:09"
    picture((1600, 1067)).save(photo, exif=exif)
    fields = ingested(service, photo)["metadata"]["image_thumbnail"]
    with Image.open(photo) as opened:
        assert (fields["width"], fields["height"]) == opened.size
    assert fields["format"] == "JPEG" and fields["orientation"] == 6
    assert fields["camera"] == "Pentax K-1" and fields["taken"] == "2025-07-14T18:05:09"


def test_a_video_lasts_what_ffprobe_says(service: Service) -> None:
    name, options = VIDEOS["mp4"]
    video = make_video(service.sources / "metadata" / name, options, seconds=3, size="160x120")
    fields = ingested(service, video)["metadata"]["video_thumbnail"]
    probed = json.loads(subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=width,height,codec_name",
         "-select_streams", "v:0", "-of", "json", str(video)], capture_output=True, text=True, check=True).stdout)
    assert abs(fields["duration"] - float(probed["format"]["duration"])) <= 0.1
    stream = probed["streams"][0]
    assert (fields["width"], fields["height"], fields["codec"]) == (stream["width"], stream["height"],
                                                                   stream["codec_name"])


class TestSounds:
    """A sound's facts against ffprobe's, its tags as written, and a waveform a user can see."""

    @pytest.mark.parametrize("kind", ["mp3", "opus", "m4a"])
    def test_a_sound_lasts_what_ffprobe_says_and_has_its_tags(self, service: Service, kind: str) -> None:
        name, options = SOUNDS[kind]
        sound = make_sound(service.sources / "metadata" / name, options, seconds=4,
                           tags={"title": f"Night Song ({kind})", "artist": "Ann Example"})
        document = ingested(service, sound)
        fields = document["metadata"]["audio_waveform"]
        probed = json.loads(subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration:stream=codec_name,channels,sample_rate",
             "-select_streams", "a:0", "-of", "json", str(sound)], capture_output=True, text=True, check=True).stdout)
        assert abs(fields["duration"] - float(probed["format"]["duration"])) <= 0.1
        stream = probed["streams"][0]
        assert (fields["codec"], fields["channels"], fields["sample_rate"]) == (
            stream["codec_name"], stream["channels"], int(stream["sample_rate"]))
        assert (fields["title"], fields["artist"]) == (f"Night Song ({kind})", "Ann Example")
        assert fields["bit_rate"] > 0 and "album" not in fields
        picture = waveform(service, document)
        middle = picture.height // 2
        assert dark_share(picture, middle) > 0.95 and dark_share(picture, middle - picture.height // 4) > 0.9
        assert dark_share(picture, 1) == 0.0

    def test_a_silence_draws_a_flat_line(self, service: Service) -> None:
        quiet = make_sound(service.sources / "metadata" / "quiet.wav", [], seconds=2, source=SILENCE)
        picture = waveform(service, ingested(service, quiet))
        dark_rows = [row for row in range(picture.height) if dark_share(picture, row) > 0.5]
        assert dark_rows and max(dark_rows) - min(dark_rows) <= 2, "one line across the middle"
        assert abs((min(dark_rows) + max(dark_rows)) / 2 - picture.height / 2) <= 2


def waveform(service: Service, document: dict[str, Any]) -> Image.Image:
    """The sound's ``thumbnail``, as a client downloads it, checked not to be blank."""
    answer = service.client.get(f"/proxies/{document['file_id']}/thumbnail")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "image/png"
    image = assert_not_blank(answer.data)
    assert image.size == (400, 100), "1200x300 drawn, scaled into the 400x300 box"
    return image


@pytest.mark.parametrize("page", [page for page in PAGES if page.is_file()], ids=lambda path: path.name)
def test_a_page_has_its_title_and_language(service: Service, page: Path) -> None:
    fields = ingested(service, page)["metadata"]["html_preview"]
    title = re.search(r"<title[^>]*>(.*?)</title>", page.read_text(), re.DOTALL)
    assert title is not None and fields["title"] == " ".join(html.unescape(title.group(1)).split())
    assert fields["language"] == "en"


class TestUnknownFiles:
    """What the resource answers for a file the service never saw."""

    def test_404(self, service: Service) -> None:
        answer = service.client.get(f"/files/{secrets.token_hex(32)}")
        assert answer.status_code == 404 and "nothing was ingested" in answer.get_json()["message"]


def text_proxy(service: Service, document: dict[str, Any]) -> str:
    """The file's ``text`` proxy, as a client downloads it."""
    [listed] = [proxy for proxy in document["proxies"] if proxy["typeidentifier"] == "text"]
    answer = service.client.get(listed["url"])
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert answer.headers["ETag"] == f'"{listed["checksum"]}"'
    return answer.get_data(as_text=True)


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


class TestTextProxies:
    """The text of a file, for a search index, against what independent tools read."""

    @pytest.mark.skipif(not PDFS, reason="no PDF under /usr/share/doc")
    def test_a_pdfs_text_is_pdftotexts(self, service: Service, tmp_path: Path) -> None:
        document = ingested(service, PDFS[0])
        expected = tmp_path / "expected.txt"
        subprocess.run(["pdftotext", "-enc", "UTF-8", "-q", str(PDFS[0]), str(expected)], check=True, timeout=60)
        text = text_proxy(service, document)
        assert text == expected.read_text(encoding="utf-8")
        assert document["metadata"]["pdf_thumbnail"]["text_characters"] == len(text)

    @pytest.mark.parametrize("page", [page for page in PAGES if page.is_file()], ids=lambda path: path.name)
    def test_a_pages_text_holds_the_words_chromium_shows(self, service: Service, page: Path) -> None:
        playwright = pytest.importorskip("playwright.sync_api")
        with playwright.sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path="/usr/lib/chromium/chromium")
            try:
                tab = browser.new_page()
                tab.goto(page.as_uri())
                shown = words(tab.evaluate("document.body.innerText"))
            finally:
                browser.close()
        mine = set(words(text_proxy(service, ingested(service, page))))
        recall = sum(word in mine for word in shown) / len(shown)
        assert recall >= 0.98, recall

    def test_a_text_files_text_is_itself(self, service: Service) -> None:
        notes = service.sources / "metadata" / "notes.txt"
        notes.parent.mkdir(exist_ok=True)
        notes.write_text("Grüße aus Köln\nsecond line\n", encoding="utf-8")
        assert text_proxy(service, ingested(service, notes)) == "Grüße aus Köln\nsecond line\n"

    def test_markdown_has_its_first_heading_and_the_text_it_shows(self, service: Service) -> None:
        notes = service.sources / "metadata" / "README.md"
        notes.parent.mkdir(exist_ok=True)
        notes.write_text("Some intro\n\nInstalling *quickly*\n====================\n\n- one `step`\n", encoding="utf-8")
        document = ingested(service, notes)
        assert document["metadata"]["markdown_preview"]["heading"] == "Installing quickly"
        assert text_proxy(service, document) == "Some intro\nInstalling quickly\none step"

    def test_a_book_has_its_title_language_and_text(self, service: Service) -> None:
        book = make_epub(service.sources / "metadata" / "book.epub", cover=False)
        document = ingested(service, book)
        assert document["metadata"]["epub_thumbnail"] == {
            "title": "A test book", "language": "en",
            "text_characters": len(text_proxy(service, document))}
        assert text_proxy(service, document) == "Chapter One\nIt was a bright cold day in April."


class TestOfficeDocuments:
    """An office document's pages, properties and text, read in the run of LibreOffice that draws it."""

    def test_a_memos_properties_and_text(self, service: Service) -> None:
        memo = make_memo(service.sources / "metadata" / "memo")["docx"]
        document = ingested(service, memo)
        fields = document["metadata"]["office_thumbnail"]
        pdf_pages = pdfinfo(memo.with_suffix(".pdf"))["Pages"]  # LibreOffice's own PDF of the whole memo
        assert (fields["title"], fields["author"], fields["pages"]) == (MEMO_TITLE, MEMO_AUTHOR, int(pdf_pages))
        # The words written into the document, in order: its source, not LibreOffice, is the ground truth.
        source = (memo.parent / "memo.fodt").read_text()
        body = re.sub(r"<office:meta>.*?</office:meta>", "", source, flags=re.DOTALL)
        assert words(text_proxy(service, document)) == words(html.unescape(re.sub(r"<[^>]+>", " ", body)))

    def test_a_long_documents_pages_are_pdfinfos(self, service: Service) -> None:
        made = make_numbered_document(service.sources / "metadata" / "numbered", 7)
        fields = ingested(service, made["docx"])["metadata"]["office_thumbnail"]
        assert fields["pages"] == int(pdfinfo(made["pdf"])["Pages"]) == 7

    def test_a_spreadsheets_sheets_and_cells(self, service: Service) -> None:
        xlsx = make_office_documents(service.sources / "metadata" / "office")["xlsx"]
        document = ingested(service, xlsx)
        assert document["metadata"]["office_thumbnail"]["sheets"] == 1
        rows = text_proxy(service, document).splitlines()
        assert rows[:3] == ["region\tsales\tdouble", "r0\t0\t0", "r1\t10\t20"]
