"""A plugin written for another plugin API version is refused at load, saying why, wherever plugins are listed."""

import json
import sys
import textwrap
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from proxyservice.cli import cli
from proxyservice.config import Settings
from proxyservice.factory import create_web_app
from proxyservice.plugins.api_version import API_VERSION
from proxyservice.plugins.registry import PluginInvalid, enabled_plugins, load_plugin
from proxyservice.schemas import first_error
from tests.conftest import TEST_SECRET, bearer

MODULES = {
    # Declared on the class, the module, or not at all (written for 1.0).
    "versioned": '''
        from proxyservice.plugins.api import PluginStatus, ProxyPlugin

        class Plugin(ProxyPlugin):
            def namespace(self): return "versioned"
            def is_async(self): return False
            def handles(self, ext=None, mimetype=None): return False
            def schema(self): return [{"name": "thumb", "prompt": "A thumb", "value": {"datatype": "Proxy"}}]
            def process(self, id_, file_, fileinfo=None): return PluginStatus.SKIPPED

        class Undeclared(Plugin): pass
        class Current(Plugin): API_VERSION = "1.0"
        class NextMajor(Plugin): API_VERSION = "2.0"
        class NewerMinor(Plugin): API_VERSION = "1.3"
        class OlderMajor(Plugin): API_VERSION = "0.9"
        class Malformed(Plugin): API_VERSION = 1
    ''',
    "future_module": '''
        from proxyservice.plugins.api import PluginStatus, ProxyPlugin
        API_VERSION = "2.0"

        class FromTheFuture(ProxyPlugin):
            def namespace(self): return "future"
            def is_async(self): return False
            def handles(self, ext=None, mimetype=None): return False
            def schema(self): return [{"name": "thumb", "prompt": "A thumb", "value": {"datatype": "Proxy"}}]
    ''',
}
FUTURE = "future_module::FromTheFuture"
REFUSED = (f"plugin {FUTURE} is written for plugin API 2.0, and this proxyservice has plugin API {API_VERSION}: "
           "a plugin loads when its major version is the same and its minor version is not newer; "
           "upgrade proxyservice, or install a version of the plugin written for API 1.x")


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Iterator[Path]:
    available = tmp_path / "data" / "plugins" / "available"
    available.mkdir(parents=True)
    for name, code in MODULES.items():
        (available / f"{name}.py").write_text(textwrap.dedent(code))
    yield available.parent
    for name in MODULES:
        sys.modules.pop(name, None)


class TestWhichVersionsLoad:
    """The same major version and a minor one not newer load; others are refused, naming both versions."""

    @pytest.mark.parametrize("cls", ["Undeclared", "Current"])
    def test_loads(self, plugin_dir: Path, cls: str) -> None:
        assert load_plugin(f"versioned::{cls}", plugin_dir).__name__ == cls

    @pytest.mark.parametrize("cls, reason", [
        ("NextMajor", "is written for plugin API 2.0, and this proxyservice has plugin API 1.2"),
        ("NewerMinor", "is written for plugin API 1.3, and this proxyservice has plugin API 1.2: a plugin loads "
                       "when its major version is the same and its minor version is not newer; upgrade proxyservice"),
        ("OlderMajor", "is written for plugin API 0.9, and this proxyservice has plugin API 1.2: a plugin loads when "
                       "its major version is the same and its minor version is not newer; install a version of the "
                       "plugin written for API 1.x"),
        ("Malformed", "declares API_VERSION 1, not a version of the form MAJOR.MINOR"),
    ])
    def test_refused(self, plugin_dir: Path, cls: str, reason: str) -> None:
        with pytest.raises(PluginInvalid, match=reason.replace(".", r"\.")):
            load_plugin(f"versioned::{cls}", plugin_dir)

    def test_a_version_declared_on_the_module_counts(self, plugin_dir: Path) -> None:
        with pytest.raises(PluginInvalid) as refused:
            load_plugin(FUTURE, plugin_dir)
        assert str(refused.value) == REFUSED


class TestWhereTheRefusalShows:
    """The reason is in GET /plugins, `plugins list` and `plugins check`; the other plugins still load."""

    @pytest.fixture
    def settings(self, plugin_dir: Path) -> Settings:
        return Settings.from_environ({}, DATA_DIR=plugin_dir.parent, AUTH_SECRET=TEST_SECRET,
                                     ENABLED_PLUGINS=(FUTURE, "versioned::Current", "html_preview::HTMLPreview"))

    def test_get_plugins(self, settings: Settings) -> None:
        client = create_web_app(settings, TESTING=True).test_client()
        response = client.get("/plugins", headers={"Authorization": bearer(settings)})
        body = response.get_json()
        assert response.status_code == 200 and first_error("PluginList", body) is None
        assert body["broken"] == [{"name": FUTURE, "error": REFUSED}]
        assert [(p["name"], p["api_version"]) for p in body["plugins"]] == [
            ("versioned::Current", "1.0"), ("html_preview::HTMLPreview", "1.0")]
        assert enabled_plugins(settings).get(FUTURE) is None

    def test_plugins_list(self, settings: Settings) -> None:
        listed = CliRunner().invoke(cli, ["plugins", "list", "--json"], env={"DATA_DIR": str(settings.DATA_DIR)},
                                    catch_exceptions=False)
        rows = {row["name"]: row for row in json.loads(listed.output)}
        assert rows[FUTURE]["error"] == REFUSED
        assert rows["versioned::Current"]["error"] is None
        text = CliRunner().invoke(cli, ["plugins", "list"], env={"DATA_DIR": str(settings.DATA_DIR)}).output
        assert f"❌ {FUTURE}" in text and REFUSED in text

    def test_plugins_check(self, settings: Settings) -> None:
        checked = CliRunner().invoke(cli, ["plugins", "check", FUTURE], env={"DATA_DIR": str(settings.DATA_DIR)})
        assert checked.exit_code == 1
        assert f"❌ {REFUSED}" in checked.output
        fine = CliRunner().invoke(cli, ["plugins", "check", "versioned::Current"],
                                  env={"DATA_DIR": str(settings.DATA_DIR)})
        assert "✔ written for plugin API 1.0 (this service: 1.2)" in fine.output
