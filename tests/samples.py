"""Sample files of every type the built-in plugins handle, made here or shipped by Debian."""

import gzip
import io
import struct
import subprocess
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw

DEBIAN_PDF = Path("/usr/share/doc/shared-mime-info/shared-mime-info-spec.pdf")
DEBIAN_TEXT = Path("/usr/share/doc/python3.11/html/_sources/library/os.rst.txt")
DEBIAN_SCRIPTED_PAGE = Path("/usr/share/doc/python3.11/html/search.html")
"""A real page libmagic calls application/javascript: it is mostly script."""
XHTML = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>API index</title></head>
<body style="background:#ffe"><h1 style="color:#a00">An XHTML page</h1><p>It starts with an XML declaration,
so libmagic calls it text/xml.</p><ul><li>one</li><li>two</li><li>three</li></ul></body></html>
"""
DEBIAN_MARKDOWN = Path("/usr/share/doc/nodejs/api/fs.md")
"""Node.js's own API documentation, in Markdown (nodejs-doc): headings, code, tables, links."""
FIXTURES = Path(__file__).parent / "fixtures"
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="300" height="200" viewBox="0 0 300 200">
<rect width="300" height="200" fill="#ddeeff"/><circle cx="150" cy="100" r="80" fill="#d33"/>
<text x="16" y="190" font-family="DejaVu Sans" font-size="24">A drawing</text></svg>
"""
MARKDOWN = """# Release notes

Some **bold** text, some `code`, and a table:

| version | date |
| --- | --- |
| 1.0 | 2026-11-25 |

<script>document.title = "scripted"</script>
"""
VIDEOS = {
    # kind: (file name, ffmpeg's output options)
    "mp4": ("clip.mp4", ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]),
    "webm": ("clip.webm", ["-c:v", "libvpx", "-deadline", "realtime", "-b:v", "400k"]),
    "mov": ("clip.mov", ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]),
    "mkv": ("clip.mkv", ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]),
}
SOUNDS = {
    # kind: (file name, ffmpeg's output options)
    "mp3": ("tone.mp3", ["-c:a", "libmp3lame"]),
    "ogg": ("tone.ogg", ["-c:a", "libvorbis"]),
    "opus": ("tone.opus", ["-c:a", "libopus"]),
    "flac": ("tone.flac", ["-c:a", "flac"]),
    "wav": ("tone.wav", ["-c:a", "pcm_s16le"]),
    "m4a": ("tone.m4a", ["-c:a", "aac"]),
}
LOUD_TONE = "aevalsrc=0.8*sin(2*PI*440*t)|0.8*sin(2*PI*440*t):s=44100"
"""A stereo tone at 80 % of full scale: its waveform fills most of the picture's height."""
SILENCE = "anullsrc=r=44100:cl=stereo"
BLACK_SECONDS = 1
"""The videos open on this much black, as many real ones do: their thumbnail must not be black."""


EPUB_CONTAINER = """<?xml version="1.0"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>"""
EPUB_PAGE = """<?xml version="1.0" encoding="utf-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Chapter 1</title>
<link rel="stylesheet" href="../css/book.css" type="text/css"/></head>
<body><h1>Chapter One</h1><p>It was a bright cold day in April.</p></body></html>"""
EPUB_STYLE = "body { background: #fff3d6; } h1 { color: #8b1a1a; font-size: 3em; }"


def make_epub(path: Path, cover: bool = True, extra: dict[str, bytes] | None = None, chapter: str = EPUB_PAGE,
              more: tuple[str, ...] = ()) -> Path:
    """An EPUB 3 book: a styled first chapter (``chapter``) and, when ``cover``, a cover image the package names;
    ``more`` are the pages of further chapters, in the reading order after it."""
    chapters = "".join(f'<item id="c{n}" href="text/chapter{n}.xhtml" media-type="application/xhtml+xml"/>'
                       for n in range(2, len(more) + 2))
    cover_item = '<item id="cover" href="images/cover.png" media-type="image/png" properties="cover-image"/>'
    package = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:1</dc:identifier>
<dc:title>A test book</dc:title><dc:language>en</dc:language></metadata>
<manifest>{cover_item if cover else ""}
<item id="c1" href="text/chapter1.xhtml" media-type="application/xhtml+xml"/>
<item id="css" href="css/book.css" media-type="text/css"/>{chapters}</manifest>
<spine><itemref idref="c1"/>{"".join(f'<itemref idref="c{n}"/>' for n in range(2, len(more) + 2))}</spine></package>"""
    with zipfile.ZipFile(path, "w") as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/epub+zip")  # first and stored, as EPUB asks
        book.writestr("META-INF/container.xml", EPUB_CONTAINER, zipfile.ZIP_DEFLATED)
        book.writestr("OEBPS/content.opf", package, zipfile.ZIP_DEFLATED)
        book.writestr("OEBPS/text/chapter1.xhtml", chapter, zipfile.ZIP_DEFLATED)
        book.writestr("OEBPS/css/book.css", EPUB_STYLE, zipfile.ZIP_DEFLATED)
        for number, page in enumerate(more, start=2):
            book.writestr(f"OEBPS/text/chapter{number}.xhtml", page, zipfile.ZIP_DEFLATED)
        if cover:
            book.writestr("OEBPS/images/cover.png", png_bytes())
        for name, data in (extra or {}).items():
            book.writestr(name, data, zipfile.ZIP_DEFLATED)
    return path


OFFICE_SOURCES = {
    # made from: the formats LibreOffice writes of it
    "report.txt": ("docx", "doc", "odt", "rtf"),
    "sheet.csv": ("xlsx", "xls", "ods"),
    "slides.fodp": ("pptx", "ppt", "odp"),
}
DEBIAN_OFFICE = [Path("/usr/lib/libreoffice/share/template/common/officorr/Modern_business_letter_serif.ott"),
                 Path("/usr/lib/libreoffice/share/template/en-US/presnt/debian-presentation.otp")]
"""Documents LibreOffice's own Debian packages ship: a letter and a presentation template."""


def make_office_documents(folder: Path) -> dict[str, Path]:
    """One document of each office format taken, written by LibreOffice from text, a table and two slides."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.txt").write_text("Quarterly report\n\n" + "\n".join(f"Item {i}: on track" for i in range(30)))
    (folder / "sheet.csv").write_text("region,sales,double\n" + "\n".join(f"r{i},{i * 10},=B{i + 2}*2" for i in range(20)))
    (folder / "slides.fodp").write_bytes((FIXTURES / "slides.fodp").read_bytes())
    profile = folder / ".profile"
    made: dict[str, Path] = {}
    for source, formats in OFFICE_SOURCES.items():
        for extension in formats:
            subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                            "--convert-to", extension, "--outdir", str(folder), str(folder / source)],
                           check=True, capture_output=True, timeout=120)
            made[extension] = folder / f"{Path(source).stem}.{extension}"
            assert made[extension].is_file(), f"LibreOffice did not write {made[extension]}"
    return made


def make_video(path: Path, options: list[str], seconds: int = 12, size: str = "320x240", rate: int = 10) -> Path:
    """A test video: ffmpeg's colour bars, after a black first second."""
    black = f"drawbox=color=black:t=fill:enable='lt(t,{BLACK_SECONDS})'"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"testsrc=size={size}:rate={rate}:duration={seconds}", "-vf", black, *options, str(path)],
                   check=True, timeout=120)
    return path


def make_sound(path: Path, options: list[str], seconds: float = 3, source: str = LOUD_TONE,
               tags: dict[str, str] | None = None) -> Path:
    """A test sound from one of ffmpeg's lavfi sources (a loud tone by default), with ``tags`` written in."""
    written = [option for name, value in (tags or {}).items() for option in ("-metadata", f"{name}={value}")]
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source, "-t", str(seconds),
                    *options, *written, str(path)], check=True, timeout=300)
    return path


def picture(size: tuple[int, int] = (1200, 900), mode: str = "RGB") -> Image.Image:
    """A picture with shapes, so its thumbnail is not blank."""
    image = Image.new(mode, size, "white" if mode != "RGBA" else (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 10, size[1] // 10, size[0] // 2, size[1] // 2), fill="tomato")
    draw.ellipse((size[0] // 3, size[1] // 3, size[0] - 20, size[1] - 20), fill="teal")
    return image


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    picture().save(buffer, format="PNG")
    return buffer.getvalue()


def write_samples(folder: Path) -> dict[str, Path]:
    """Write one file of each handled kind into ``folder``; return them by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for kind, name in [("png", "drawing.png"), ("jpeg", "photo.jpg"), ("webp", "picture.webp"),
                       ("tiff", "scan.tiff"), ("bmp", "icon.bmp")]:
        picture().save(folder / name)
        files[kind] = folder / name
    frames = [picture(), Image.new("RGB", (1200, 900), "navy")]
    frames[0].save(folder / "animation.gif", save_all=True, append_images=frames[1:])
    files["gif"] = folder / "animation.gif"
    picture(mode="RGBA").save(folder / "transparent.png")
    files["transparent_png"] = folder / "transparent.png"
    (folder / "no-extension").write_bytes(png_bytes())
    files["no_extension"] = folder / "no-extension"
    pages = [picture((850, 1100)), Image.new("RGB", (850, 1100), "black")]
    pages[0].save(folder / "report.pdf", save_all=True, append_images=pages[1:])
    files["pdf"] = folder / "report.pdf"
    (folder / "notes.txt").write_text("Meeting notes\n\n" + "\n".join(f"{i}. an item" for i in range(40)))
    files["text"] = folder / "notes.txt"
    (folder / "script.py").write_text((Path(__file__).resolve().parent / "support.py").read_text())
    files["python"] = folder / "script.py"
    (folder / "really-html.txt").write_bytes((FIXTURES / "styled.html").read_bytes())
    (folder / "styled.css").write_bytes((FIXTURES / "styled.css").read_bytes())
    files["html_as_txt"] = folder / "really-html.txt"
    (folder / "declared.xhtml").write_text(XHTML)
    files["xhtml_declared"] = folder / "declared.xhtml"
    (folder / "declared.html").write_text(XHTML)
    files["html_declared"] = folder / "declared.html"
    (folder / "search.html").write_bytes(DEBIAN_SCRIPTED_PAGE.read_bytes())
    files["html_mostly_script"] = folder / "search.html"
    (folder / "page.html").write_bytes((FIXTURES / "plain.html").read_bytes())
    files["html"] = folder / "page.html"
    (folder / "drawing.svg").write_text(SVG)
    files["svg"] = folder / "drawing.svg"
    (folder / "drawing.svgz").write_bytes(gzip.compress(SVG.encode()))
    files["svgz"] = folder / "drawing.svgz"
    (folder / "notes.md").write_text(MARKDOWN)
    files["markdown"] = folder / "notes.md"
    files["epub"] = make_epub(folder / "book.epub")
    files["epub_without_cover"] = make_epub(folder / "no-cover.epub", cover=False)
    for kind, (name, options) in VIDEOS.items():
        files[kind] = make_video(folder / name, options)
    return files


def font_named(family: str, postscript: str) -> bytes:
    """DejaVu Sans Mono under another name: a font a document can bring to pass as one it does not own."""
    data = Path("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf").read_bytes()
    tables = struct.unpack(">H", data[4:6])[0]
    records = [(platform, encoding, language, name_id, text.encode(codec))
               for platform, encoding, language, codec in ((1, 0, 0, "mac_roman"), (3, 1, 0x409, "utf-16-be"))
               for name_id, text in ((1, family), (2, "Book"), (4, family), (6, postscript), (16, family))]
    strings, header = b"", b""
    for platform, encoding, language, name_id, text in records:
        header += struct.pack(">HHHHHH", platform, encoding, language, name_id, len(text), len(strings))
        strings += text
    table = struct.pack(">HHH", 0, len(records), 6 + 12 * len(records)) + header + strings
    data += b"\0" * (-len(data) % 4)
    out = bytearray(data + table + b"\0" * (-len(table) % 4))
    for index in range(tables):  # point the table directory's "name" entry at the new table
        if out[12 + 16 * index:16 + 16 * index] == b"name":
            struct.pack_into(">4sIII", out, 12 + 16 * index, b"name", 0, len(data), len(table))
    return bytes(out)


def text_in_font(path: Path, family: str, text: str, embedded: bytes | None = None) -> Path:
    """An ODT of one line of ``text`` in ``family``, bringing ``embedded`` as that font when given."""
    source = ('<svg:font-face-src><svg:font-face-uri xlink:href="Fonts/f.ttf" xlink:type="simple">'
              '<svg:font-face-format svg:string="truetype"/></svg:font-face-uri></svg:font-face-src>') if embedded else ""
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
        'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
        'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0" '
        'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.2">'
        f'<office:font-face-decls><style:font-face style:name="{family}" svg:font-family="{family}">{source}'
        '</style:font-face></office:font-face-decls><office:automatic-styles>'
        f'<style:style style:name="P1" style:family="paragraph"><style:text-properties style:font-name="{family}" '
        'fo:font-size="28pt"/></style:style></office:automatic-styles><office:body><office:text>'
        f'<text:p text:style-name="P1">{text}</text:p></office:text></office:body></office:document-content>')
    kind = "application/vnd.oasis.opendocument.text"
    files = '<manifest:file-entry manifest:full-path="Fonts/f.ttf" manifest:media-type="application/x-font-ttf"/>'
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{kind}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                f'{files if embedded else ""}</manifest:manifest>')
    with zipfile.ZipFile(path, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), kind)
        package.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        if embedded:
            package.writestr("Fonts/f.ttf", embedded, compress_type=zipfile.ZIP_DEFLATED)
        package.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    return path


MEMO_FIRST_LINES = ("The quarterly review of the shipping department found that parcels left the warehouse on time in "
                    "nine weeks out of ten, and that most delays began with labels printed late. We propose to move "
                    "the label printer beside the packing tables")
"""The first lines of a memo's body text: what its thumbnail must let a reader (and OCR) read."""
MEMO_BODY = (MEMO_FIRST_LINES + ", to train two more people to run it, and to check the queue every morning before "
             "the first truck arrives. ") * 3
MEMO_TITLE = "Shipping delays, third quarter"
MEMO_AUTHOR = "Ada Lovelace"
"""The memo's document properties."""
MEMO = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">
 <office:meta><dc:title>{MEMO_TITLE}</dc:title><meta:initial-creator>{MEMO_AUTHOR}</meta:initial-creator></office:meta>
 <office:automatic-styles>
  <style:page-layout style:name="A4"><style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm"
   fo:margin-top="2cm" fo:margin-bottom="2cm" fo:margin-left="2.5cm" fo:margin-right="2.5cm"/></style:page-layout>
  <style:style style:name="Title" style:family="paragraph"><style:text-properties fo:font-size="16pt"
   fo:font-weight="bold" style:font-name="Liberation Serif"/></style:style>
  <style:style style:name="Body" style:family="paragraph"><style:paragraph-properties fo:margin-bottom="0.2cm"/>
   <style:text-properties fo:font-size="11pt" style:font-name="Liberation Serif"/></style:style>
 </office:automatic-styles>
 <office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4"/></office:master-styles>
 <office:body><office:text>
  <text:p text:style-name="Title">Memo: shipping delays</text:p>
  <text:p text:style-name="Body">{MEMO_BODY}</text:p>
  <text:p text:style-name="Body">{MEMO_BODY}</text:p>
 </office:text></office:body></office:document>
"""
"""A one-page memo on A4 with 2.5 cm margins, its body text in 11 pt Liberation Serif, as a flat ODT."""


def make_memo(folder: Path) -> dict[str, Path]:
    """The memo as LibreOffice writes it: a PDF (``pdf``) and a Word document (``docx``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "memo.fodt").write_text(MEMO)
    for extension in ("pdf", "docx"):
        subprocess.run(["soffice", f"-env:UserInstallation={(folder / '.profile').as_uri()}", "--headless",
                        "--norestore", "--convert-to", extension, "--outdir", str(folder), str(folder / "memo.fodt")],
                       check=True, capture_output=True, timeout=120)
    return {extension: folder / f"memo.{extension}" for extension in ("pdf", "docx")}


def make_numbered_pdf(path: Path, pages: int) -> Path:
    """A PDF of ``pages`` pages, each showing its own number, large and lower on the page the later it is (by 16s).

    Made by wkhtmltopdf from HTML (real text, as a word processor's PDF); ``pdfinfo`` must count ``pages``.
    """
    sheets = "".join(f'<div style="page-break-after: always; font: bold 200pt sans-serif; text-align: center; '
                     f'padding-top: {40 * (number % 16)}px">{number}</div>' for number in range(1, pages + 1))
    page = path.with_suffix(".html")
    page.write_text(f'<html><body style="margin: 0">{sheets}</body></html>')
    subprocess.run(["wkhtmltopdf", "-q", str(page), str(path)], check=True, capture_output=True, timeout=60)
    page.unlink()
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True, timeout=30).stdout
    assert ["Pages:", str(pages)] in [line.split() for line in info.splitlines()], info
    return path


NUMBERED_DOCUMENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" office:version="1.2"
 office:mimetype="application/vnd.oasis.opendocument.text">
 <office:automatic-styles><style:style style:name="Sheet" style:family="paragraph">
  <style:paragraph-properties fo:break-before="page" fo:text-align="center"/>
  <style:text-properties fo:font-size="160pt" fo:font-weight="bold" style:font-name="Liberation Sans"/></style:style>
 </office:automatic-styles>
 <office:body><office:text>{pages}</office:text></office:body></office:document>
"""
"""A text document whose every page shows its number, large, as a flat ODT."""


def make_numbered_document(folder: Path, pages: int) -> dict[str, Path]:
    """A Word document of ``pages`` pages, each showing its number (``docx``), and LibreOffice's PDF of it (``pdf``)."""
    folder.mkdir(parents=True, exist_ok=True)
    sheets = "".join(f'<text:p text:style-name="Sheet">{number}</text:p>' for number in range(1, pages + 1))
    (folder / "numbered.fodt").write_text(NUMBERED_DOCUMENT.format(pages=sheets))
    for extension in ("pdf", "docx"):
        subprocess.run(["soffice", f"-env:UserInstallation={(folder / '.profile').as_uri()}", "--headless",
                        "--norestore", "--convert-to", extension, "--outdir", str(folder),
                        str(folder / "numbered.fodt")], check=True, capture_output=True, timeout=120)
    return {extension: folder / f"numbered.{extension}" for extension in ("pdf", "docx")}
