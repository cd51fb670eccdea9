"""A proxy of each page asked for (``pages``), through the real jobs and converters: ``page-1``… each its own page."""

import shutil
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from PIL import Image

from proxyservice.config import Settings
from proxyservice.container import Services
from proxyservice.domain import listing_order
from proxyservice.plugins.context import call_job
from proxyservice.plugins.epub_thumbnail import make_epub_thumbnail
from proxyservice.plugins.office_thumbnail import make_office_thumbnail
from proxyservice.plugins.pdf_thumbnail import make_pdf_thumbnail
from proxyservice.plugins.video_thumbnail import make_video_thumbnail
from proxyservice.services.sandbox import kept
from tests.page_pictures import SAME_PAGE, drawn_pages, page_shown
from tests.samples import VIDEOS, make_epub, make_numbered_document, make_numbered_pdf, make_video
from tests.support import assert_not_blank, pictures


@pytest.fixture(autouse=True)
def no_libreoffice_left() -> Iterator[None]:
    """A test's settings may start a LibreOffice of their own: stopped after it, so none outlives the test."""
    yield
    kept.close_all()


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_numbered_document(tmp_path_factory.mktemp("docx"), 5)


@pytest.fixture(scope="module")
def twelve(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_numbered_pdf(tmp_path_factory.mktemp("pdf") / "twelve.pdf", 12)


def run_job(job: Callable[..., Any], document: Path, settings: Settings, source_dir: Path, *args: Any,
            box: tuple[int, int] = (400, 300), min_spread: float = 5) -> dict[str, Image.Image]:
    """Run ``job`` on a copy of the document in the sources, with ``args`` after the box; its proxies' pictures,
    each checked not blank, in the order they are listed."""
    copy = source_dir / document.name
    shutil.copyfile(document, copy)
    context = Services(settings).job_context
    file_id = context.sources.describe(copy.resolve(), settings.default_proxy_size).file_id
    call_job(job, [file_id, str(copy.resolve()), *box, *args], context)
    made = {}
    for proxy in pictures(context.store.list(file_id)):
        _, content = context.store.get(file_id, proxy.typeidentifier)
        with context.store.local_file(content) as local:
            made[proxy.typeidentifier] = assert_not_blank(local.read_bytes(), min_spread)
    return made


def numbered(proxies: dict[str, Image.Image], kind: str = "page") -> list[str]:
    return [name for name in proxies if name.startswith(f"{kind}-")]


class TestAPdf:
    """A PDF of twelve pages, each showing its own number."""

    def test_all_twelve_pages_each_its_own(self, twelve: Path, settings: Settings, source_dir: Path) -> None:
        proxies = run_job(make_pdf_thumbnail, twelve, settings, source_dir, 100)
        assert numbered(proxies) == [f"page-{number}" for number in range(1, 13)], "listed in order"
        truth = drawn_pages(twelve, 400)
        for number in range(1, 13):
            picture = proxies[f"page-{number}"]
            assert max(picture.size) == 300 or picture.width == 400, "the whole page, fitting the box"
            shown, ssim = page_shown(picture, truth)
            assert (shown, ssim > SAME_PAGE) == (number, True), f"page-{number} shows page {shown} ({ssim:.2f})"
        assert {"thumbnail", "page"} <= set(proxies), "the first page's proxies, as without pages"

    @pytest.mark.parametrize("pages, made", [(3, 3), (10, 10), (11, 11), (20, 12)])
    def test_as_many_as_asked_or_as_it_has(self, twelve: Path, settings: Settings, source_dir: Path,
                                           pages: int, made: int) -> None:
        proxies = run_job(make_pdf_thumbnail, twelve, settings, source_dir, pages)
        assert numbered(proxies) == [f"page-{number}" for number in range(1, made + 1)]

    def test_ten_pages_asked_of_ten(self, tmp_path: Path, settings: Settings, source_dir: Path) -> None:
        """The second run of pdftoppm begins past the end: the pages end there, and the task does not fail."""
        ten = make_numbered_pdf(tmp_path / "ten.pdf", 10)
        assert numbered(run_job(make_pdf_thumbnail, ten, settings, source_dir, 30)) == [
            f"page-{number}" for number in range(1, 11)]

    def test_at_a_named_size(self, twelve: Path, settings: Settings, source_dir: Path) -> None:
        proxies = run_job(make_pdf_thumbnail, twelve, settings, source_dir, 2, box=(1024, 768))
        assert numbered(proxies) == ["page-1@large", "page-2@large"]
        assert proxies["page-2@large"].height == 768

    def test_without_pages_none_is_made(self, twelve: Path, settings: Settings, source_dir: Path) -> None:
        """A task queued before pages were asked for has four arguments: it makes what it always made."""
        assert sorted(run_job(make_pdf_thumbnail, twelve, settings, source_dir), key=listing_order) == [
            "page", "thumbnail"]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is needed (config/install.sh installs it)")
class TestAnOfficeDocument:
    """A Word document of five pages, each showing its number: LibreOffice makes the pages asked for a PDF."""


    def test_every_page_each_its_own(self, five: dict[str, Path], settings: Settings, source_dir: Path) -> None:
        proxies = run_job(make_office_thumbnail, five["docx"], settings, source_dir, 100)
        assert numbered(proxies) == [f"page-{number}" for number in range(1, 6)]
        truth = drawn_pages(five["pdf"], 400)
        for number in range(1, 6):
            shown, ssim = page_shown(proxies[f"page-{number}"], truth)
            assert (shown, ssim > SAME_PAGE) == (number, True), f"page-{number} shows page {shown} ({ssim:.2f})"

    def test_as_many_as_asked(self, five: dict[str, Path], settings: Settings, source_dir: Path) -> None:
        assert numbered(run_job(make_office_thumbnail, five["docx"], settings, source_dir, 2)) == ["page-1", "page-2"]


CHAPTER_COLOURS = ("#fff3d6", "#204080", "#208040")
"""The first chapter's background (its stylesheet's), and the next two's."""


def chapter(colour: str) -> str:
    return (f'<?xml version="1.0" encoding="utf-8"?><html xmlns="http://www.w3.org/1999/xhtml"><head><title>A '
            f'chapter</title></head><body style="background: {colour}; color: white"><h1 style="font-size: 5em">A '
            f'chapter</h1><p>Its text.</p></body></html>')


class TestABook:
    """A book of three chapters, each on a background of its own."""

    @pytest.mark.parametrize("cover", [True, False])
    def test_each_chapter_whole_in_the_reading_order(self, tmp_path: Path, settings: Settings, source_dir: Path,
                                                     cover: bool) -> None:
        book = make_epub(tmp_path / "book.epub", cover=cover, more=tuple(chapter(c) for c in CHAPTER_COLOURS[1:]))
        proxies = run_job(make_epub_thumbnail, book, settings, source_dir, 100, min_spread=2)
        assert numbered(proxies) == ["page-1", "page-2", "page-3"]
        for number, colour in enumerate(CHAPTER_COLOURS, start=1):
            picture = proxies[f"page-{number}"].convert("RGB")
            assert picture.size == (225, 300), "a reader's page, whole"
            corner = picture.getpixel((picture.width - 3, picture.height - 3))
            expected = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
            assert max(abs(a - b) for a, b in zip(corner, expected)) < 12, f"page-{number} is {corner}"
        assert {"thumbnail", "page"} <= set(proxies)

    def test_as_many_as_asked(self, tmp_path: Path, settings: Settings, source_dir: Path) -> None:
        book = make_epub(tmp_path / "book.epub", cover=False, more=tuple(chapter(c) for c in CHAPTER_COLOURS[1:]))
        assert numbered(run_job(make_epub_thumbnail, book, settings, source_dir, 1, min_spread=2)) == ["page-1"]


class TestAVideo:
    """A video asked for pages: a storyboard of that many frames, evenly spaced."""

    def test_a_storyboard_of_frames(self, tmp_path: Path, settings: Settings, source_dir: Path) -> None:
        video = make_video(tmp_path / "bars.mp4", VIDEOS["mp4"][1])
        proxies = run_job(make_video_thumbnail, video, settings, source_dir, 4)
        assert list(proxies) == ["frame-1", "frame-2", "frame-3", "frame-4", "thumbnail"]
        assert all(proxies[name].format == "JPEG" and proxies[name].width == 400 for name in numbered(proxies, "frame"))
