"""Office documents with the real LibreOffice in the real sandbox, and documents written to attack it."""

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from proxyservice.services.office import OfficeConverter, OfficeInvalid, OfficeTimedOut, OfficeToolMissing
from proxyservice.services.office.converter import IMPORT_FILTERS
from proxyservice.services.office.session import embeds_fonts
from proxyservice.services.pdf import PdfRasterizer
from tests.canary import magenta_pixels, plant_secrets
from tests.samples import DEBIAN_OFFICE, OFFICE_SOURCES, font_named, text_in_font
from tests.support import assert_not_blank

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice is not installed (config/install.sh installs it)")

MACRO_MARK = "MACRO-RAN-5b1e"
MACRO_DOCUMENT = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"
 xmlns:ooo="http://openoffice.org/2004/office"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:scripts><office:script script:language="ooo:Basic"><ooo:libraries>
  <ooo:library-embedded ooo:name="Standard"><ooo:module ooo:name="Module1"><ooo:source-code>Sub OnLoadMacro
  ThisComponent.Text.setString(&quot;{MACRO_MARK}&quot;)
End Sub
</ooo:source-code></ooo:module></ooo:library-embedded></ooo:libraries></office:script>
 <office:event-listeners><script:event-listener script:language="ooo:script" script:event-name="dom:load"
  xlink:type="simple" xlink:href="vnd.sun.star.script:Standard.Module1.OnLoadMacro?language=Basic&amp;location=document"/>
 </office:event-listeners></office:scripts>
 <office:body><office:text><text:p>A document whose macro would rewrite it.</text:p></office:text></office:body>
</office:document>
"""


def linking(image: Path) -> str:
    """A flat ODT whose only picture is a link to ``image``, shown large."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
 xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:body><office:text><text:p><draw:frame draw:name="i" text:anchor-type="as-char" svg:width="15cm" svg:height="15cm">
 <draw:image xlink:href="{image.as_uri()}" xlink:type="simple" xlink:show="embed" xlink:actuate="onLoad"/>
 </draw:frame></text:p></office:text></office:body></office:document>
"""


def odt_from_flat(flat: str, path: Path) -> Path:
    """An .odt written by LibreOffice from a flat ODT (macros and links kept)."""
    source = path.with_suffix(".fodt")
    source.write_text(flat)
    subprocess.run(["soffice", f"-env:UserInstallation={(path.parent / '.profile').as_uri()}", "--headless",
                    "--convert-to", "odt", "--outdir", str(path.parent), str(source)], check=True,
                   capture_output=True, timeout=120)
    return path.with_suffix(".odt")


def first_page(document: Path, tmp_path: Path, timeout: float = 60) -> Path:
    pdf = OfficeConverter(memory_mb=3072).to_pdf(document, tmp_path / "out.pdf", timeout)
    return PdfRasterizer().first_page(pdf, tmp_path / "page.ppm", 800, 30)


def first_pdf(document: Path, tmp_path: Path) -> Path:
    return OfficeConverter(memory_mb=3072).to_pdf(document, tmp_path / f"{document.stem}.pdf", 60)


def fonts_of(pdf: Path) -> str:
    """The fonts a PDF uses, as pdffonts lists them (subset prefixes and all)."""
    listed = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return " ".join(line.split()[0].split("+")[-1] for line in listed.splitlines()[2:])


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def session_folders() -> set[str]:
    """The folders of this process's running LibreOffice sessions, from the command lines of their soffice."""
    listed = subprocess.run(["pgrep", "-af", f"UserInstallation=file:///tmp/proxyservice-office-{os.getpid()}-"],
                            capture_output=True, text=True).stdout
    return {match.group(1) for match in re.finditer(r"file://(/tmp/proxyservice-office-[^/ ]+)/profile", listed)}


def long_report(path: Path, paragraphs: int = 30000) -> Path:
    """An RTF long enough that laying it out takes LibreOffice seconds."""
    body = "".join(f"{{\\pard Paragraph {i} of a long report, written to be slow to lay out.\\par}}\n"
                   for i in range(paragraphs))
    path.write_text("{\\rtf1\\ansi " + body + "}")
    return path


class TestEachFormat:
    """Every format taken becomes a PDF whose first page shows the document."""

    @pytest.mark.parametrize("extension", [ext for formats in OFFICE_SOURCES.values() for ext in formats])
    def test_written_by_libreoffice(self, office_documents: dict[str, Path], extension: str, tmp_path: Path) -> None:
        assert_not_blank(first_page(office_documents[extension], tmp_path))

    @pytest.mark.parametrize("document", DEBIAN_OFFICE, ids=lambda path: path.name)
    def test_shipped_by_debian(self, document: Path, tmp_path: Path) -> None:
        assert document.is_file(), f"{document} is missing: run config/install.sh"
        assert_not_blank(first_page(document, tmp_path))

    def test_every_extension_has_its_filter(self) -> None:
        assert {ext for formats in OFFICE_SOURCES.values() for ext in formats} <= {e[1:] for e in IMPORT_FILTERS}


class TestHostileDocuments:
    """Documents made to run code, read files, or exhaust LibreOffice."""

    def test_a_macro_that_runs_on_load_does_not_run(self, tmp_path: Path) -> None:
        document = odt_from_flat(MACRO_DOCUMENT, tmp_path / "macro.odt")
        with zipfile.ZipFile(document) as made:
            assert any(name.startswith("Basic/") for name in made.namelist()), "the macro is in the file"
        pdf = OfficeConverter(memory_mb=3072).to_pdf(document, tmp_path / "out.pdf", 60)
        assert MACRO_MARK not in text_of(pdf) and "whose macro would rewrite it" in text_of(pdf)

    def test_a_linked_file_elsewhere_is_not_read(self, tmp_path: Path) -> None:
        secrets = plant_secrets(tmp_path / "secrets")
        document = odt_from_flat(linking(secrets["image"]), tmp_path / "linked.odt")
        assert magenta_pixels(first_page(document, tmp_path)) == 0

    def test_random_bytes_named_as_a_document_fail_at_once(self, tmp_path: Path) -> None:
        (tmp_path / "noise.docx").write_bytes(bytes(range(256)) * 400)
        with pytest.raises(OfficeInvalid, match="noise.docx cannot be opened as MS Word 2007 XML"):
            first_page(tmp_path / "noise.docx", tmp_path)

    def test_a_zip_bomb_named_docx(self, tmp_path: Path) -> None:
        bomb = tmp_path / "bomb.docx"
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
            with book.open("word/document.xml", "w", force_zip64=True) as member:
                for _ in range(1024):
                    member.write(bytes(1024 * 1024))
        with pytest.raises(OfficeInvalid, match="bomb.docx cannot be opened"):
            first_page(bomb, tmp_path)

    def test_one_libreoffice_converts_one_document_after_another(
            self, office_documents: dict[str, Path], tmp_path: Path) -> None:
        first_page(office_documents["odt"], tmp_path)
        running = session_folders()
        for kind in ("docx", "xlsx", "pptx"):
            assert_not_blank(first_page(office_documents[kind], tmp_path))
        assert session_folders() == running and len(running) == 1
        [folder] = running
        assert sorted(path.name for path in (Path(folder) / "documents").iterdir()) == [], "no document is kept"

    def test_a_document_slower_than_its_limit_is_killed_and_the_next_one_works(
            self, office_documents: dict[str, Path], tmp_path: Path) -> None:
        first_page(office_documents["docx"], tmp_path)
        [running] = session_folders()
        with pytest.raises(OfficeTimedOut, match="converting slow.rtf took longer than 0.5 s"):
            OfficeConverter(memory_mb=3072).to_pdf(long_report(tmp_path / "slow.rtf"), tmp_path / "slow.pdf", 0.5)
        assert session_folders() == set(), "its LibreOffice is killed"
        assert not Path(running).exists(), "and its folder removed"
        assert_not_blank(first_page(office_documents["pptx"], tmp_path))
        assert len(session_folders()) == 1

    def test_a_libreoffice_that_died_between_documents_is_replaced(
            self, office_documents: dict[str, Path], tmp_path: Path) -> None:
        first_page(office_documents["docx"], tmp_path)
        [running] = session_folders()
        subprocess.run(["pkill", "-KILL", "-f", f"UserInstallation=file://{running}/"], check=True)
        assert_not_blank(first_page(office_documents["xlsx"], tmp_path))
        assert session_folders() - {running}, "another LibreOffice took the document"

    def test_fonts_a_document_brings_never_draw_the_next_document(self, tmp_path: Path) -> None:
        victim = text_in_font(tmp_path / "invoice.odt", "Calibri", "INVOICE TOTAL 1000 EUR")
        attacker = text_in_font(tmp_path / "brings.odt", "Calibri", "A font of its own",
                                font_named("Calibri", "EVILcalibri"))
        assert embeds_fonts(attacker) and not embeds_fonts(victim)
        before = fonts_of(first_pdf(victim, tmp_path))
        assert "EVILcalibri" in fonts_of(first_pdf(attacker, tmp_path)), "the document has its own font"
        [running] = session_folders() or [""]
        after = fonts_of(first_pdf(victim, tmp_path))
        assert after == before and "EVILcalibri" not in after
        assert running == "", "the LibreOffice that loaded the font was replaced at once"

    def test_no_libreoffice(self, tmp_path: Path) -> None:
        (tmp_path / "a.docx").write_bytes(b"x")
        with pytest.raises(OfficeToolMissing, match="install libreoffice-writer-nogui"):
            OfficeConverter("no-such-soffice").to_pdf(tmp_path / "a.docx", tmp_path / "o.pdf", 5)
