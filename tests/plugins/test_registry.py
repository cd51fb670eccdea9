"""Plugins: the built-ins, discovery in the plugin folder, enabling, and broken plugins."""

import sys
import textwrap
import tomllib
from pathlib import Path
from typing import Iterator

import pytest

from proxyservice.config import Settings
from proxyservice.domain import ProxySize, SourceFile
from proxyservice.plugins.html_preview import HTMLPreview
from proxyservice.plugins import discovery
from proxyservice.plugins.enabling import set_enabled
from proxyservice.plugins.registry import (
    BUILTIN_OPTIONAL, BUILTIN_PLUGINS, Installed, PluginInvalid, PluginNotInstalled, enabled_names, enabled_plugins,
    installed_plugins, load_plugin,
)
from tests.support import ROOT

GOOD = '''
from proxyservice.plugins.api import PluginStatus, ProxyPlugin
class Good(ProxyPlugin):
    def namespace(self): return "good"
    def is_async(self): return False
    def handles(self, ext=None, mimetype=None): return ext == ".good"
    def schema(self): return [{"name": "thumb", "prompt": "A thumb", "value": {"datatype": "Proxy"}}]
    def process(self, id_, file_, fileinfo=None): return PluginStatus.SKIPPED
class BadNamespace(Good):
    def namespace(self): return "Bad Namespace!"
class BadSchema(Good):
    def schema(self): return [{"name": "thumb"}]
class NoSchema(ProxyPlugin):
    def namespace(self): return "noschema"
class NotAPlugin:
    pass
'''


@pytest.fixture
def plugin_settings(tmp_path: Path) -> Iterator[Settings]:
    """A plugin folder with a module of plugins and one that does not import."""
    available = tmp_path / "plugins" / "available"
    available.mkdir(parents=True)
    (available / "third_party.py").write_text(textwrap.dedent(GOOD))
    (available / "exploding.py").write_text("raise ImportError('a dependency is missing')\n")
    yield Settings.from_environ({}, DATA_DIR=tmp_path)
    for name in ("third_party", "exploding"):
        sys.modules.pop(name, None)


class TestBuiltins:
    """The plugins that ship with the service."""

    def test_the_builtins_are_entry_points_of_proxyservice_as_a_third_partys_are_of_theirs(self) -> None:
        declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["entry-points"]["proxyservice.plugins"]
        assert {f"{name}::{value.partition(':')[2]}" for name, value in declared.items()} == {
            *BUILTIN_PLUGINS, *BUILTIN_OPTIONAL}
        assert all(value.startswith(f"proxyservice.plugins.{name}:") for name, value in declared.items())
        installed, broken = installed_plugins(None)
        # The installed metadata is this pyproject's (config/install.sh reinstalls when it changes).
        assert [p.name for p in installed if p.origin == "built-in"] == sorted((*BUILTIN_PLUGINS, *BUILTIN_OPTIONAL))
        assert broken == []

    def test_a_builtin_missing_from_stale_metadata_says_to_reinstall(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(discovery, "plugin_entry_points", lambda: ({}, []))
        with pytest.raises(PluginInvalid, match=r"not registered: .* reinstall proxyservice \(pip install -e \."):
            load_plugin("html_preview::HTMLPreview")

    def test_each_builtin_loads_and_all_are_enabled_by_default(self, tmp_path: Path) -> None:
        assert load_plugin(BUILTIN_PLUGINS[0]) is HTMLPreview
        settings = Settings.from_environ({}, DATA_DIR=tmp_path)
        assert enabled_plugins(settings).names() == BUILTIN_PLUGINS

    @pytest.mark.parametrize(
        "ext, mimetype, expected",
        [
            (".html", "text/html", "html_preview::HTMLPreview"),
            (".txt", "text/html", "html_preview::HTMLPreview"),  # the content decides
            (".png", "image/png", "image_thumbnail::ImageThumbnail"),
            ("", "image/jpeg", "image_thumbnail::ImageThumbnail"),
            (".txt", "text/plain", "text_thumbnail::TextThumbnail"),
            (".py", "text/x-script.python", "text_thumbnail::TextThumbnail"),
            (".pdf", "application/pdf", "pdf_thumbnail::PDFThumbnail"),
            (".pdf", "application/octet-stream", "pdf_thumbnail::PDFThumbnail"),  # unknown content: the name
            (".svg", "image/svg+xml", "svg_thumbnail::SVGThumbnail"),
            (".md", "text/markdown", "markdown_preview::MarkdownPreview"),  # a page, not lines of text
            (".mkv", "video/x-matroska", "video_thumbnail::VideoThumbnail"),
            (".webm", "video/webm", "video_thumbnail::VideoThumbnail"),
            (".mp3", "audio/mpeg", "audio_waveform::AudioWaveform"),
            (".opus", "audio/ogg", "audio_waveform::AudioWaveform"),
            (".m4a", "audio/x-m4a", "audio_waveform::AudioWaveform"),
            (".wav", "application/octet-stream", "audio_waveform::AudioWaveform"),  # unknown content: the name
            (".epub", "application/epub+zip", "epub_thumbnail::EPUBThumbnail"),
            (".rtf", "text/rtf", "office_thumbnail::OfficeThumbnail"),  # a document, not lines of text
            (".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             "office_thumbnail::OfficeThumbnail"),
        ],
    )
    def test_each_file_reaches_one_plugin(self, tmp_path: Path, ext: str, mimetype: str, expected: str) -> None:
        plugins = enabled_plugins(Settings.from_environ({}, DATA_DIR=tmp_path))
        source = SourceFile("0" * 64, f"/x/file{ext}", 1, mimetype, ProxySize(4, 3))
        assert [name for name, _ in plugins.handling(source)] == [expected]


class TestPluginFolder:
    """Plugins in PLUGIN_DIR/available, enabled by links in enabled/."""

    def test_installed_lists_builtins_and_folder_plugins_and_reports_broken_modules(self, plugin_settings: Settings) -> None:
        installed, broken = installed_plugins(plugin_settings.plugin_dir)
        names = [plugin.name for plugin in installed]
        assert names[:len(BUILTIN_PLUGINS) + 1] == sorted((*BUILTIN_PLUGINS, *BUILTIN_OPTIONAL))
        assert "third_party::Good" in names and "third_party::NotAPlugin" not in names
        assert broken[0][0] == "exploding::*" and "a dependency is missing" in broken[0][1]

    def test_enabling_keeps_the_builtins_and_disabling_removes_one(self, plugin_settings: Settings) -> None:
        set_enabled(plugin_settings, "third_party::Good", True)
        assert enabled_names(plugin_settings) == tuple(sorted((*BUILTIN_PLUGINS, "third_party::Good")))
        assert (plugin_settings.plugin_dir / "enabled" / "third_party::Good").is_symlink()
        set_enabled(plugin_settings, "html_preview::HTMLPreview", False)
        assert "html_preview::HTMLPreview" not in enabled_names(plugin_settings)
        assert enabled_plugins(plugin_settings).get("third_party::Good") is not None

    def test_a_module_link_enables_every_plugin_in_it(self, plugin_settings: Settings) -> None:
        enabled = plugin_settings.plugin_dir / "enabled"
        enabled.mkdir()
        (enabled / "third_party.py").symlink_to("../available/third_party.py")
        names = enabled_names(plugin_settings)
        assert "third_party::Good" in names and "third_party::BadSchema" in names
        plugins = enabled_plugins(plugin_settings)
        assert plugins.names() == ("third_party::Good",)
        assert {name for name, _ in plugins.broken} == {
            "third_party::BadNamespace", "third_party::BadSchema", "third_party::NoSchema"}

    def test_an_unknown_plugin_cannot_be_enabled(self, plugin_settings: Settings) -> None:
        with pytest.raises(PluginNotInstalled):
            set_enabled(plugin_settings, "nope::Nope", True)


class TestEntryPoints:
    """Plugins that installed distributions declare in the proxyservice.plugins group."""

    @pytest.fixture
    def distribution(self, tmp_path: Path) -> Iterator[Path]:
        """An installed distribution, ep-thumbs, whose module holds the plugins above."""
        site = tmp_path / "site"
        (site / "ep_thumbs").mkdir(parents=True)
        (site / "ep_thumbs" / "__init__.py").write_text(textwrap.dedent(GOOD))
        info = site / "ep_thumbs-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ep-thumbs\nVersion: 1.0\n")
        sys.path.insert(0, str(site))
        yield info
        sys.path.remove(str(site))
        sys.modules.pop("ep_thumbs", None)

    def test_an_entry_point_plugin_is_named_after_its_entry_point_and_loads(self, distribution: Path) -> None:
        (distribution / "entry_points.txt").write_text("[proxyservice.plugins]\ngood = ep_thumbs:Good\n")
        installed, _ = installed_plugins(None)
        assert Installed("good::Good", "entry point (ep-thumbs)") in installed
        assert load_plugin("good::Good").__module__ == "ep_thumbs"
        assert load_plugin("ep_thumbs::Good") is load_plugin("good::Good"), "its module's path names it too"

    def test_an_entry_point_that_names_no_class_is_reported(self, distribution: Path) -> None:
        (distribution / "entry_points.txt").write_text("[proxyservice.plugins]\ngood = ep_thumbs\n")
        installed, broken = installed_plugins(None)
        assert "good" not in {plugin.name.partition("::")[0] for plugin in installed}
        assert broken == [("good", 'entry point good = ep_thumbs (ep-thumbs) does not name a plugin: '
                                   'want name = "module:Class", the name a Python identifier')]


class TestBrokenPlugins:
    """A broken plugin is reported and skipped; the others still load."""

    @pytest.mark.parametrize(
        "name, reason",
        [
            ("no_such_module::X", "cannot be imported"),
            ("exploding::X", "a dependency is missing"),
            ("third_party::Missing", "cannot be imported"),
            ("third_party::NotAPlugin", "not a subclass of ProxyPlugin"),
            ("third_party::BadNamespace", "invalid namespace"),
            ("third_party::BadSchema", "invalid schema"),
            ("third_party::NoSchema", "has no schema"),
            ("no-separator", "not a plugin name"),
        ],
    )
    def test_reported_and_skipped(self, plugin_settings: Settings, name: str, reason: str) -> None:
        with pytest.raises(PluginInvalid, match=reason):
            load_plugin(name, plugin_settings.plugin_dir)
        settings = Settings.from_environ({}, DATA_DIR=plugin_settings.DATA_DIR,
                                         ENABLED_PLUGINS=(name, "html_preview::HTMLPreview"))
        plugins = enabled_plugins(settings)
        assert plugins.names() == ("html_preview::HTMLPreview",)
        assert plugins.broken[0][0] == name and reason in plugins.broken[0][1]

    def test_a_folder_module_cannot_shadow_an_installed_module(self, tmp_path: Path) -> None:
        available = tmp_path / "plugins" / "available"
        available.mkdir(parents=True)
        (available / "json.py").write_text("X = 1\n")
        with pytest.raises(PluginInvalid, match="clashes"):
            load_plugin("json::X", tmp_path / "plugins")
