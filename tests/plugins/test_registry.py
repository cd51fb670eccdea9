"""Loading plugins: the built-ins, and broken ones that must not take the service down."""

import sys
import textwrap
from pathlib import Path
from typing import Iterator

import pytest

from proxyservice.domain import ProxySize, SourceFile
from proxyservice.plugins.html_preview import HTMLPreview
from proxyservice.plugins.registry import BUILTIN_PLUGINS, PluginInvalid, enabled_plugins, load_plugin

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
class NotAPlugin:
    pass
'''


@pytest.fixture
def plugin_module(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "third_party_plugins.py").write_text(textwrap.dedent(GOOD))
    (tmp_path / "exploding_plugin.py").write_text("raise ImportError('a dependency is missing')\n")
    sys.path.insert(0, str(tmp_path))
    yield "third_party_plugins"
    sys.path.remove(str(tmp_path))
    sys.modules.pop("third_party_plugins", None)
    sys.modules.pop("exploding_plugin", None)
    enabled_plugins.cache_clear()


class TestBuiltins:
    """The plugins that ship with the service."""

    def test_each_builtin_loads(self) -> None:
        assert [load_plugin(name) for name in BUILTIN_PLUGINS] == [HTMLPreview]

    def test_html_preview_handles_html_by_extension_or_type(self) -> None:
        plugin = HTMLPreview()
        assert plugin.handles(ext=".html") and plugin.handles(ext=".HTM") and plugin.handles(mimetype="text/html")
        assert not plugin.handles(ext=".txt", mimetype="text/plain")


class TestThirdParty:
    """Plugins named by module::Class."""

    def test_a_good_plugin_loads(self, plugin_module: str) -> None:
        plugins = enabled_plugins((f"{plugin_module}::Good", *BUILTIN_PLUGINS))
        assert plugins.broken == ()
        source = SourceFile("0" * 64, "/x/a.good", 1, "application/octet-stream", ProxySize(1, 1))
        assert [name for name, _ in plugins.handling(source)] == [f"{plugin_module}::Good"]

    @pytest.mark.parametrize(
        "name, reason",
        [
            ("no_such_module::X", "cannot be imported"),
            ("exploding_plugin::X", "a dependency is missing"),
            ("{m}::Missing", "cannot be imported"),
            ("{m}::NotAPlugin", "not a subclass of ProxyPlugin"),
            ("{m}::BadNamespace", "invalid namespace"),
            ("{m}::BadSchema", "invalid schema"),
            ("no-separator", "not a plugin name"),
        ],
    )
    def test_a_broken_plugin_is_reported_and_skipped(self, plugin_module: str, name: str, reason: str) -> None:
        name = name.format(m=plugin_module)
        with pytest.raises(PluginInvalid, match=reason):
            load_plugin(name)
        plugins = enabled_plugins((name, *BUILTIN_PLUGINS))
        assert plugins.names() == BUILTIN_PLUGINS
        assert plugins.broken[0][0] == name and reason in plugins.broken[0][1]
