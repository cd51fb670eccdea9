"""The first page of a PDF, and a range of its pages, with the real pdftoppm."""

from pathlib import Path

import pytest
from PIL import Image

from proxyservice.domain import Area
from proxyservice.services.pdf import PdfInvalid, PdfRasterizer, PdfToolMissing
from tests.page_pictures import drawn_pages, page_shown
from tests.samples import make_numbered_pdf
from tests.support import assert_not_blank

DEBIAN_PDF = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")


def make_pdf(path: Path, pages: int = 2) -> Path:
    sheets = [Image.new("RGB", (850, 1100), colour) for colour in ("white", "black")][:pages]
    Image.Image.paste(sheets[0], (200, 30, 30), (100, 100, 750, 400))
    sheets[0].save(path, save_all=True, append_images=sheets[1:])
    return path


class TestFirstPage:
    """Drawing page one."""

    def test_a_made_pdf(self, tmp_path: Path) -> None:
        out = PdfRasterizer().first_page(make_pdf(tmp_path / "doc.pdf"), tmp_path / "page.ppm", 800, timeout=30)
        image = assert_not_blank(out)
        assert max(image.size) == 800
        assert image.convert("RGB").getpixel((5, 5))[0] > 240, "page one (white), not page two (black)"

    def test_a_part_of_it_drawn_larger(self, tmp_path: Path) -> None:
        # The red block spans 100..750 by 100..400 of an 850x1100 page: drawn 1700 wide, at 200..1500 by 200..800.
        out = PdfRasterizer().first_page_part(make_pdf(tmp_path / "doc.pdf"), tmp_path / "part.ppm", 1700,
                                              Area(100, 100, 1500, 900), timeout=30)
        image = Image.open(out).convert("RGB")
        assert image.size == (1500, 900)

        def red(x: int, y: int) -> bool:
            return bool(image.getpixel((x, y))[1] < 80)  # the PDF holds a JPEG: near (200, 30, 30)

        assert not red(90, 90) and red(110, 110) and red(1390, 690) and not red(1390, 710) and not red(1410, 690)

    def test_a_real_pdf_from_debian(self, tmp_path: Path) -> None:
        assert DEBIAN_PDF.is_file(), f"{DEBIAN_PDF} is missing: run config/install.sh"
        assert_not_blank(PdfRasterizer().first_page(DEBIAN_PDF, tmp_path / "page.ppm", 600, timeout=30))


class TestFailures:
    """Files that are not PDFs, and no pdftoppm."""

    def test_not_a_pdf(self, tmp_path: Path) -> None:
        (tmp_path / "fake.pdf").write_text("%PDF-1.4 but not really")
        with pytest.raises(PdfInvalid, match="fake.pdf"):
            PdfRasterizer().first_page(tmp_path / "fake.pdf", tmp_path / "page.ppm", 600, timeout=30)

    def test_no_pdftoppm(self, tmp_path: Path) -> None:
        with pytest.raises(PdfToolMissing):
            PdfRasterizer("no-such-pdftoppm").first_page(tmp_path / "a.pdf", tmp_path / "p.ppm", 600, timeout=30)


class TestPages:
    """Drawing a range of pages in one run."""

    def test_each_page_of_the_range_is_its_own(self, tmp_path: Path) -> None:
        pdf = make_numbered_pdf(tmp_path / "twelve.pdf", 12)
        (tmp_path / "out").mkdir()
        drawn = PdfRasterizer().pages(pdf, tmp_path / "out", 3, 5, 400, timeout=30)
        assert [number for number, _ in drawn] == [3, 4, 5]
        truth = drawn_pages(pdf, 400)
        for number, picture in drawn:
            assert max(Image.open(picture).size) == 400
            assert page_shown(Image.open(picture), truth) == (number, pytest.approx(1.0, abs=0.02))

    def test_a_range_past_the_end_stops_at_the_last_page(self, tmp_path: Path) -> None:
        pdf = make_numbered_pdf(tmp_path / "twelve.pdf", 12)
        drawn = PdfRasterizer().pages(pdf, tmp_path, 11, 20, 200, timeout=30)
        assert [number for number, _ in drawn] == [11, 12]
        assert sorted(path.name for path in tmp_path.glob("page-*.ppm")) == ["page-11.ppm", "page-12.ppm"]

    def test_a_range_after_the_end_draws_nothing(self, tmp_path: Path) -> None:
        assert PdfRasterizer().pages(make_pdf(tmp_path / "two.pdf"), tmp_path, 3, 10, 200, timeout=30) == []

    def test_not_a_pdf(self, tmp_path: Path) -> None:
        (tmp_path / "fake.pdf").write_text("%PDF-1.4 but not really")
        with pytest.raises(PdfInvalid, match="fake.pdf has no page"):
            PdfRasterizer().pages(tmp_path / "fake.pdf", tmp_path, 1, 10, 200, timeout=30)
