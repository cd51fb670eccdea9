"""EPUB books read with the real zipfile and defusedxml, and books written to attack the reader."""

import zipfile
from pathlib import Path

import pytest

from proxyservice.services.epub import EpubBook, EpubInvalid, EpubTooLarge
from tests.samples import EPUB_CONTAINER, make_epub, png_bytes
from tests.services.test_svg import BILLION_LAUGHS

MB = 1024 * 1024


def zeros_member(path: Path, name: str, size: int) -> Path:
    """A zip holding ``size`` zero bytes under ``name``: a few KiB on disk."""
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        with book.open(name, "w", force_zip64=True) as member:
            block = bytes(MB)
            for _ in range(size // MB):
                member.write(block)
    return path


class TestReading:
    """What a book's package says: its cover, its first page, its files."""

    def test_the_cover_the_package_names(self, tmp_path: Path) -> None:
        with EpubBook(make_epub(tmp_path / "b.epub"), 10 * MB) as book:
            cover = book.cover()
            assert cover is not None and cover.path == "OEBPS/images/cover.png"
            assert book.read(cover.path) == png_bytes()

    def test_an_epub2_cover_named_by_its_meta(self, tmp_path: Path) -> None:
        with zipfile.ZipFile(make_epub(tmp_path / "b.epub", cover=False)) as made:
            package = made.read("OEBPS/content.opf").decode()
        package = package.replace("</metadata>", '<meta name="cover" content="pic"/></metadata>').replace(
            "<manifest>", '<manifest><item id="pic" href="pic.png" media-type="image/png"/>')
        path = tmp_path / "epub2.epub"
        with zipfile.ZipFile(path, "w") as book:
            book.writestr("mimetype", "application/epub+zip")
            book.writestr("META-INF/container.xml", EPUB_CONTAINER)
            book.writestr("OEBPS/content.opf", package)
            book.writestr("OEBPS/pic.png", png_bytes())
        with EpubBook(path, 10 * MB) as book:
            found = book.cover()
            assert found is not None and found.path == "OEBPS/pic.png"

    def test_without_a_cover_the_first_page_and_its_stylesheet_unpack(self, tmp_path: Path) -> None:
        with EpubBook(make_epub(tmp_path / "b.epub", cover=False), 10 * MB) as book:
            assert book.cover() is None
            page = book.first_page()
            book.unpack(tmp_path / "out")
        assert page.path == "OEBPS/text/chapter1.xhtml"
        assert (tmp_path / "out" / page.path).is_file() and (tmp_path / "out" / "OEBPS/css/book.css").is_file()


class TestHostileBooks:
    """Books made to exhaust or escape the reader are refused with a reason."""

    def test_a_zip_bomb_stops_at_the_limit_whatever_its_headers_say(self, tmp_path: Path) -> None:
        bomb = zeros_member(make_epub(tmp_path / "bomb.epub"), "OEBPS/images/zeros.png", 64 * MB)
        assert bomb.stat().st_size < MB
        with EpubBook(bomb, 16 * MB) as book, pytest.raises(EpubTooLarge, match="more than 16777216 bytes"):
            book.unpack(tmp_path / "out")
        assert sum(f.stat().st_size for f in (tmp_path / "out").rglob("*") if f.is_file()) <= 16 * MB

    def test_names_that_climb_out_are_left_out(self, tmp_path: Path) -> None:
        path = make_epub(tmp_path / "b.epub", extra={"../../escaped.txt": b"out", "/abs.txt": b"abs"})
        with EpubBook(path, 10 * MB) as book:
            book.unpack(tmp_path / "deep" / "er" / "out")
        assert not (tmp_path / "escaped.txt").exists() and not (tmp_path / "deep" / "escaped.txt").exists()
        assert not Path("/abs.txt").exists()

    def test_entities_in_its_xml_are_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "laughs.epub"
        with zipfile.ZipFile(path, "w") as book:
            book.writestr("META-INF/container.xml", BILLION_LAUGHS)
        with EpubBook(path, 10 * MB) as book, pytest.raises(EpubInvalid, match="container.xml is not XML"):
            book.cover()

    def test_too_many_files(self, tmp_path: Path) -> None:
        path = tmp_path / "many.epub"
        with zipfile.ZipFile(path, "w") as book:
            for number in range(10_001):
                book.writestr(f"f{number}", b"")
        with pytest.raises(EpubTooLarge, match="10001 files"):
            EpubBook(path, 10 * MB)

    def test_not_a_zip_or_not_a_book(self, tmp_path: Path) -> None:
        (tmp_path / "fake.epub").write_bytes(b"PK\x03\x04 but not really")
        with pytest.raises(EpubInvalid, match="fake.epub is not an EPUB book: it is not a zip"):
            EpubBook(tmp_path / "fake.epub", MB)
        with zipfile.ZipFile(tmp_path / "empty.epub", "w") as book:
            book.writestr("mimetype", "application/epub+zip")
        with EpubBook(tmp_path / "empty.epub", MB) as book, pytest.raises(EpubInvalid, match="it has no META-INF"):
            book.first_page()

    def test_damaged_compressed_bytes(self, tmp_path: Path) -> None:
        path = make_epub(tmp_path / "b.epub")
        data = bytearray(path.read_bytes())
        at = data.index(b"OEBPS/content.opf") + 40  # inside the package's deflated bytes
        data[at:at + 64] = bytes(64)
        path.write_bytes(bytes(data))
        with EpubBook(path, MB) as book, pytest.raises(EpubInvalid, match="cannot be unpacked|not XML"):
            book.cover()
