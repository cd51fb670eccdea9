"""Paged documents' proxies through the real converters: the top of page one at a size it can be read, and the
whole page beside it."""

import io
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from proxyservice.config import Settings
from proxyservice.container import Services
from proxyservice.plugins.context import call_job
from proxyservice.plugins.epub_thumbnail import make_epub_thumbnail
from proxyservice.plugins.office_thumbnail import make_office_thumbnail
from proxyservice.plugins.pdf_thumbnail import make_pdf_thumbnail
from proxyservice.services.sandbox import kept
from tests.ocr import word_recall
from tests.samples import DEBIAN_PDF, EPUB_PAGE, MEMO_BODY, MEMO_FIRST_LINES, make_epub, make_memo
from tests.support import assert_not_blank, pictures

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("tesseract") is None,
                                reason="LibreOffice and tesseract are needed (config/install.sh installs them)")

KINDS = ("pdf", "docx")
JOBS = {".pdf": make_pdf_thumbnail, ".epub": make_epub_thumbnail}
A4 = 210 / 297
DEBIAN_PDF_LINE = "This is version 0.21 of the Shared MIME-info Database specification, last updated 2 October 2018."


@pytest.fixture(autouse=True)
def no_libreoffice_left() -> Iterator[None]:
    """Each test's settings start a LibreOffice of their own: stopped after it, so none outlives the test."""
    yield
    kept.close_all()


@pytest.fixture(scope="module")
def memo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_memo(tmp_path_factory.mktemp("memo"))


def proxies_of(document: Path, settings: Settings, source_dir: Path,
               box: tuple[int, int] = (400, 300)) -> dict[str, bytes]:
    """Run the document's job on a copy in the sources; its proxies' pictures, each checked not blank, by type
    identifier."""
    copy = source_dir / document.name
    if document != copy:
        shutil.copyfile(document, copy)
    context = Services(settings).job_context
    file_id = context.sources.describe(copy.resolve(), settings.default_proxy_size).file_id
    job = JOBS.get(copy.suffix, make_office_thumbnail)
    assert call_job(job, [file_id, str(copy.resolve()), *box], context) == []
    made = {}
    for proxy in pictures(context.store.list(file_id)):
        _, content = context.store.get(file_id, proxy.typeidentifier)
        with context.store.local_file(content) as local:
            made[proxy.typeidentifier] = local.read_bytes()
            assert_not_blank(made[proxy.typeidentifier])
    return made


def picture(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


class TestAMemo:
    """A one-page memo in 11 pt text, as LibreOffice writes it: a PDF, and a Word document."""

    @pytest.mark.parametrize("kind", KINDS)
    def test_ocr_reads_its_first_lines_in_the_thumbnail(self, memo: dict[str, Path], kind: str, settings: Settings,
                                                        source_dir: Path) -> None:
        thumbnail = proxies_of(memo[kind], settings, source_dir)["thumbnail"]
        assert picture(thumbnail).width == 400 and picture(thumbnail).height <= 300
        assert word_recall(thumbnail, MEMO_FIRST_LINES) >= 0.7

    @pytest.mark.parametrize("kind", KINDS)
    def test_its_page_is_the_whole_a4_page(self, memo: dict[str, Path], kind: str, settings: Settings,
                                           source_dir: Path) -> None:
        page = picture(proxies_of(memo[kind], settings, source_dir)["page"])
        assert page.size == (round(300 * A4), 300)

    def test_at_the_large_size_too(self, memo: dict[str, Path], settings: Settings, source_dir: Path) -> None:
        made = proxies_of(memo["pdf"], settings, source_dir, (1024, 768))
        assert picture(made["thumbnail@large"]).width == 1024 and picture(made["page@large"]).height == 768
        assert word_recall(made["thumbnail@large"], MEMO_FIRST_LINES) >= 0.9


class TestOtherPages:
    """Pages that are not a column of text."""

    def test_a_small_table_in_a_corner_fills_the_box(self, settings: Settings, source_dir: Path) -> None:
        sheet = Image.new("RGB", (850, 1100), "white")
        sheet.paste((40, 40, 160), (100, 100, 300, 250))  # a quarter of the page's width, at its top left
        sheet.save(source_dir / "table.pdf")
        thumbnail = picture(proxies_of(source_dir / "table.pdf", settings, source_dir)["thumbnail"]).convert("RGB")
        inked = sum(1 for x in range(thumbnail.width) if thumbnail.getpixel((x, thumbnail.height // 3))[2] > 120
                    and thumbnail.getpixel((x, thumbnail.height // 3))[0] < 100)
        assert inked >= thumbnail.width // 2, f"the table spans {inked} of {thumbnail.width} pixels"

    def test_a_real_pdf_from_debian(self, settings: Settings, source_dir: Path) -> None:
        made = proxies_of(DEBIAN_PDF, settings, source_dir)
        assert word_recall(made["thumbnail"], DEBIAN_PDF_LINE) >= 0.7
        assert picture(made["page"]).height == 300


class TestABook:
    """An EPUB book: its first chapter drawn on a reader's page when it has no cover."""

    def test_ocr_reads_its_first_lines_and_its_page_is_a_readers_page(self, settings: Settings,
                                                                     source_dir: Path) -> None:
        chapter = EPUB_PAGE.replace("It was a bright cold day in April.", f"{MEMO_BODY}</p><p>{MEMO_BODY}")
        made = proxies_of(make_epub(source_dir / "book.epub", cover=False, chapter=chapter), settings, source_dir)
        assert picture(made["thumbnail"]).size == (400, 300)
        assert word_recall(made["thumbnail"], MEMO_FIRST_LINES) >= 0.7
        assert picture(made["page"]).size == (225, 300), "600x800, as an e-reader's page"

    def test_a_cover_is_both(self, settings: Settings, source_dir: Path) -> None:
        made = proxies_of(make_epub(source_dir / "covered.epub"), settings, source_dir)
        assert made["thumbnail"] == made["page"] and picture(made["page"]).size == (400, 300)
