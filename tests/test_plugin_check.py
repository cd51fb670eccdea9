"""``proxyservice plugins check``: built-ins pass on real files, broken plugins are caught, pages render as served."""

import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image, ImageStat

from proxyservice.cli import cli
from proxyservice.plugins.registry import BUILTIN_PLUGINS
from tests.samples import (DEBIAN_MARKDOWN, DEBIAN_OFFICE, DEBIAN_PDF, DEBIAN_TEXT, FIXTURES, SOUNDS, make_sound,
                           write_samples)

PLUGIN_FOR = {
    "png": "image_thumbnail::ImageThumbnail", "jpeg": "image_thumbnail::ImageThumbnail",
    "gif": "image_thumbnail::ImageThumbnail", "webp": "image_thumbnail::ImageThumbnail",
    "tiff": "image_thumbnail::ImageThumbnail", "bmp": "image_thumbnail::ImageThumbnail",
    "transparent_png": "image_thumbnail::ImageThumbnail", "no_extension": "image_thumbnail::ImageThumbnail",
    "pdf": "pdf_thumbnail::PDFThumbnail", "text": "text_thumbnail::TextThumbnail",
    "python": "text_thumbnail::TextThumbnail", "html": "html_preview::HTMLPreview",
    "html_as_txt": "text_thumbnail::TextThumbnail", "xhtml_declared": "html_preview::HTMLPreview",
    "html_declared": "html_preview::HTMLPreview", "html_mostly_script": "html_preview::HTMLPreview",
    "svg": "svg_thumbnail::SVGThumbnail", "markdown": "markdown_preview::MarkdownPreview",
    "mp4": "video_thumbnail::VideoThumbnail", "webm": "video_thumbnail::VideoThumbnail",
    "mov": "video_thumbnail::VideoThumbnail", "mkv": "video_thumbnail::VideoThumbnail",
    "epub": "epub_thumbnail::EPUBThumbnail", "epub_without_cover": "epub_thumbnail::EPUBThumbnail",
}

BROKEN = '''
from proxyservice.plugins.api import PluginStatus, ProxyPlugin, Proxy, generate_temp_filename
from PIL import Image

SCHEMA = [{"name": "thumb", "prompt": "A thumb", "value": {"datatype": "Proxy"}}]

class Base(ProxyPlugin):
    def namespace(self): return "broken"
    def is_async(self): return False
    def handles(self, ext=None, mimetype=None): return ext == ".png"
    def schema(self): return SCHEMA

class Raises(Base):
    def process(self, id_, file_, fileinfo=None): raise RuntimeError("oops")

class SyncButInProgress(Base):
    def process(self, id_, file_, fileinfo=None):
        self._submit(print, args=[])
        return PluginStatus.INPROGRESS

class TooBig(Base):
    def process(self, id_, file_, fileinfo=None):
        out = generate_temp_filename(".png")
        Image.new("RGB", (2000, 2000), "red").save(out)
        Proxy(id_, self).ingest(out, "thumb", "thumb.png", "image/png")
        return PluginStatus.SUCCESS

class NoSchema(ProxyPlugin):
    def namespace(self): return "noschema"
    def is_async(self): return False

class NotMyType(Base):
    def handles(self, ext=None, mimetype=None): return False

class FromTheFuture(Base):
    API_VERSION = "2.0"
'''


def check(tmp_path: Path, *arguments: str, **environment: str) -> Result:
    return CliRunner().invoke(cli, ["plugins", "check", *arguments],
                              env={"DATA_DIR": str(tmp_path / "data"), "SOURCE_ROOTS": "", **environment},
                              catch_exceptions=False)


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return write_samples(tmp_path_factory.mktemp("samples"))


class TestBuiltins:
    """Each built-in plugin on real files, its async job run inline."""

    @pytest.mark.parametrize("kind", sorted(PLUGIN_FOR))
    def test_passes_on_a_sample(self, tmp_path: Path, samples: dict[str, Path], kind: str) -> None:
        result = check(tmp_path, PLUGIN_FOR[kind], str(samples[kind]), "--inline")
        assert result.exit_code == 0, result.output
        assert "❌" not in result.output
        assert "✔ proxy '" in result.output

    @pytest.mark.parametrize("kind", ["mp3", "flac"])
    def test_passes_on_a_sound(self, tmp_path: Path, kind: str) -> None:
        name, options = SOUNDS[kind]
        result = check(tmp_path, "audio_waveform::AudioWaveform", str(make_sound(tmp_path / name, options)),
                       "--inline")
        assert result.exit_code == 0 and "❌" not in result.output and "✔ proxy '" in result.output, result.output

    @pytest.mark.parametrize("path, plugin", [(DEBIAN_PDF, "pdf_thumbnail::PDFThumbnail"),
                                              (DEBIAN_TEXT, "text_thumbnail::TextThumbnail"),
                                              (DEBIAN_MARKDOWN, "markdown_preview::MarkdownPreview"),
                                              *[(path, "office_thumbnail::OfficeThumbnail") for path in DEBIAN_OFFICE]])
    def test_passes_on_files_debian_ships(self, tmp_path: Path, path: Path, plugin: str) -> None:
        assert path.is_file(), f"{path} is missing: run config/install.sh"
        result = check(tmp_path, plugin, str(path), "--inline")
        assert result.exit_code == 0 and "✔ proxy '" in result.output, result.output

    @pytest.mark.parametrize("extension", ["docx", "xlsx", "pptx", "ods"])
    def test_passes_on_office_documents(self, tmp_path: Path, office_documents: dict[str, Path],
                                        extension: str) -> None:
        result = check(tmp_path, "office_thumbnail::OfficeThumbnail", str(office_documents[extension]), "--inline")
        assert result.exit_code == 0 and "✔ proxy 'thumbnail'" in result.output, result.output

    def test_without_inline_async_work_is_not_run(self, tmp_path: Path, samples: dict[str, Path]) -> None:
        result = check(tmp_path, "pdf_thumbnail::PDFThumbnail", str(samples["pdf"]))
        assert result.exit_code == 0
        assert "❗ async work was not run (use --inline to run it here)" in result.output
        assert "proxy '" not in result.output

    def test_keep_proxies_prints_where_they_are(self, tmp_path: Path, samples: dict[str, Path]) -> None:
        result = check(tmp_path, "image_thumbnail::ImageThumbnail", str(samples["jpeg"]), "--inline", "--keep-proxies")
        kept = Path(result.output.split("kept: ")[1].strip())
        try:
            assert kept.is_file() and kept.name.endswith("thumbnail.jpg")
        finally:
            shutil.rmtree(kept.parent.parent)

    def test_a_file_the_plugin_does_not_handle(self, tmp_path: Path, samples: dict[str, Path]) -> None:
        result = check(tmp_path, "pdf_thumbnail::PDFThumbnail", str(samples["png"]))
        assert result.exit_code == 1 and "❌ handles() says no to drawing.png (.png, image/png)" in result.output

    def test_json_output(self, tmp_path: Path) -> None:
        import json

        result = check(tmp_path, BUILTIN_PLUGINS[0], "--json")
        report = json.loads(result.output)
        assert report["ok"] is True and report["findings"][0]["level"] == "OK"


class TestBrokenPlugins:
    """Each kind of broken plugin gets its own ❌ line and a non-zero exit."""

    @pytest.mark.parametrize(
        "cls, message",
        [
            ("Raises", "❌ process() raised instead of returning a status: RuntimeError: oops"),
            ("SyncButInProgress", "❌ process() returned INPROGRESS but is_async() is False"),
            ("TooBig", "❌ proxy 'thumb' is 2000x2000, larger than the requested 400x300"),
            ("NoSchema", "❌ schema missing: schema() is not implemented"),
            ("NotMyType", "❌ handles() says no to"),
            ("Missing", "❌ plugin"),
            ("FromTheFuture", "is written for plugin API 2.0, and this proxyservice has plugin API 1.2: a plugin "
                              "loads when its major version is the same"),
        ],
    )
    def test_caught(self, tmp_path: Path, samples: dict[str, Path], cls: str, message: str) -> None:
        plugin_file = tmp_path / f"broken_{cls.lower()}.py"
        plugin_file.write_text(textwrap.dedent(BROKEN))
        result = check(tmp_path, f"{plugin_file}::{cls}", str(samples["png"]), "--inline")
        assert result.exit_code == 1, result.output
        assert message in result.output
        if cls not in ("Missing", "FromTheFuture"):
            assert "❗" in result.output and "is not installed" in result.output


def site(root: Path) -> Path:
    """A page in ``site/pages/`` whose stylesheet is in ``site/_static/``, as Sphinx lays them out."""
    (root / "site" / "_static").mkdir(parents=True)
    (root / "site" / "pages").mkdir()
    shutil.copyfile(FIXTURES / "styled.css", root / "site" / "_static" / "styled.css")
    page = root / "site" / "pages" / "page.html"
    page.write_text((FIXTURES / "styled.html").read_text().replace('href="styled.css"', 'href="../_static/styled.css"'))
    return page


def checked_proxy(tmp_path: Path, page: Path, **environment: str) -> tuple[list[str], tuple[float, ...]]:
    """Check the HTML plugin on a page: the report's lines and the mean colour of the proxy it made."""
    result = check(tmp_path, "html_preview::HTMLPreview", str(page), "--inline", "--keep-proxies", **environment)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    [kept] = [Path(line.removeprefix("kept: ")) for line in lines if line.startswith("kept: ")]
    try:
        with Image.open(kept) as image:
            return lines, tuple(ImageStat.Stat(image.convert("RGB")).mean)
    finally:
        shutil.rmtree(kept.parent.parent)


def is_blue(colour: tuple[float, ...]) -> bool:
    """Mostly the stylesheet's dark blue background (#1f4e8c), not an unstyled page's white."""
    red, _, blue = colour
    return blue > red + 40 and sum(colour) < 3 * 180


class TestRoots:
    """A FILE is rendered with the service's SOURCE_ROOTS and settings; only one outside them in its own folder."""

    def test_a_page_in_the_roots_loads_its_stylesheet_a_folder_up(self, tmp_path: Path) -> None:
        page = site(tmp_path / "sources")
        lines, colour = checked_proxy(tmp_path, page, SOURCE_ROOTS=str(tmp_path / "sources"))
        assert not any("outside SOURCE_ROOTS" in line for line in lines), lines
        assert is_blue(colour), f"drawn unstyled: mean colour {colour}"

    def test_the_services_render_allow_up_is_used(self, tmp_path: Path) -> None:
        page = site(tmp_path / "sources")
        _, colour = checked_proxy(tmp_path, page, SOURCE_ROOTS=str(tmp_path / "sources"), RENDER_ALLOW_UP="0")
        assert not is_blue(colour), "RENDER_ALLOW_UP=0 keeps ../_static out, as in the service"

    def test_a_file_outside_the_roots_is_checked_in_its_own_folder_and_says_so(self, tmp_path: Path) -> None:
        page = site(tmp_path / "elsewhere")
        (tmp_path / "sources").mkdir()
        lines, colour = checked_proxy(tmp_path, page, SOURCE_ROOTS=str(tmp_path / "sources"))
        said = [line for line in lines if "outside SOURCE_ROOTS" in line]
        assert said == [f"❗ {page} is outside SOURCE_ROOTS, so the service would not read it by path: "
                        f"checked with its own folder {page.parent} as the root"]
        assert not is_blue(colour), "its stylesheet is a folder up, outside its own folder"


METADATA_PLUGIN = '''
from proxyservice.plugins.api import MetadataPlugin

class PngFacts(MetadataPlugin):
    NAMESPACE = "png_facts"
    EXTENSIONS = frozenset({".png"})
    MIMETYPES = frozenset({"image/png"})
    SCHEMA = [{"name": "bytes", "prompt": "Bytes", "value": {"datatype": "Integer"}, "searchable": True},
              {"name": "kind", "prompt": "Kind", "value": {"datatype": "Integer"}}]

    def extract(self, fileinfo):
        return {"bytes": fileinfo.size, "kind": "a picture"}
'''


class TestAMetadataPlugin:
    """A plugin that reads fields and makes no proxy is checked on what it stores, in records of the check's own."""

    def test_fields_shown_refusals_warned_and_no_proxy_needed(self, tmp_path: Path, samples: dict[str, Path]) -> None:
        plugin_file = tmp_path / "png_facts.py"
        plugin_file.write_text(textwrap.dedent(METADATA_PLUGIN))
        result = check(tmp_path, f"{plugin_file}::PngFacts", str(samples["png"]))
        assert result.exit_code == 0, result.output
        assert f"✔ metadata png_facts.bytes = {samples['png'].stat().st_size}" in result.output
        assert "❗ metadata field png_facts.kind refused: 'a picture' is not an Integer" in result.output
        assert "no proxy was made" not in result.output
        assert not (tmp_path / "data" / "tasks.db").exists() or "png_facts" not in (
            tmp_path / "data" / "tasks.db").read_bytes().decode("latin-1")
