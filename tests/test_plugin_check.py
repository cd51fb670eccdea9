"""``proxyservice plugins check``: the built-ins pass on real files; broken plugins are caught."""

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from proxyservice.cli import cli
from proxyservice.plugins.registry import BUILTIN_PLUGINS
from tests.samples import DEBIAN_PDF, DEBIAN_TEXT, write_samples

PLUGIN_FOR = {
    "png": "image_thumbnail::ImageThumbnail", "jpeg": "image_thumbnail::ImageThumbnail",
    "gif": "image_thumbnail::ImageThumbnail", "webp": "image_thumbnail::ImageThumbnail",
    "tiff": "image_thumbnail::ImageThumbnail", "bmp": "image_thumbnail::ImageThumbnail",
    "transparent_png": "image_thumbnail::ImageThumbnail", "no_extension": "image_thumbnail::ImageThumbnail",
    "pdf": "pdf_thumbnail::PDFThumbnail", "text": "text_thumbnail::TextThumbnail",
    "python": "text_thumbnail::TextThumbnail", "html": "html_preview::HTMLPreview",
    "html_as_txt": "text_thumbnail::TextThumbnail", "xhtml_declared": "html_preview::HTMLPreview",
    "html_declared": "html_preview::HTMLPreview", "html_mostly_script": "html_preview::HTMLPreview",
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
'''


def check(tmp_path: Path, *arguments: str) -> Result:
    return CliRunner().invoke(cli, ["plugins", "check", *arguments], env={"DATA_DIR": str(tmp_path / "data")},
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

    @pytest.mark.parametrize("path, plugin", [(DEBIAN_PDF, "pdf_thumbnail::PDFThumbnail"),
                                              (DEBIAN_TEXT, "text_thumbnail::TextThumbnail")])
    def test_passes_on_files_debian_ships(self, tmp_path: Path, path: Path, plugin: str) -> None:
        assert path.is_file(), f"{path} is missing: run config/install.sh"
        result = check(tmp_path, plugin, str(path), "--inline")
        assert result.exit_code == 0 and "✔ proxy '" in result.output, result.output

    def test_without_inline_async_work_is_not_run(self, tmp_path: Path, samples: dict[str, Path]) -> None:
        result = check(tmp_path, "pdf_thumbnail::PDFThumbnail", str(samples["pdf"]))
        assert result.exit_code == 0
        assert "❗ async work was not run (use --inline to run it here)" in result.output
        assert "proxy '" not in result.output

    def test_keep_proxies_prints_where_they_are(self, tmp_path: Path, samples: dict[str, Path]) -> None:
        result = check(tmp_path, "image_thumbnail::ImageThumbnail", str(samples["jpeg"]), "--inline", "--keep-proxies")
        kept = Path(result.output.split("kept: ")[1].strip())
        assert kept.is_file() and kept.name.endswith("thumbnail.jpg")

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
        ],
    )
    def test_caught(self, tmp_path: Path, samples: dict[str, Path], cls: str, message: str) -> None:
        plugin_file = tmp_path / f"broken_{cls.lower()}.py"
        plugin_file.write_text(textwrap.dedent(BROKEN))
        result = check(tmp_path, f"{plugin_file}::{cls}", str(samples["png"]), "--inline")
        assert result.exit_code == 1, result.output
        assert message in result.output
        if cls != "Missing":
            assert "❗" in result.output and "is not installed" in result.output
