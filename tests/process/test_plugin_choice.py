"""Which plugins make a file's proxies when two enabled ones make the same proxy (the two HTML engines)."""

from pathlib import Path

import pytest

from proxyservice.config import Settings
from proxyservice.domain import ProxySize, SourceFile
from proxyservice.plugins.registry import enabled_plugins
from proxyservice.process.plugin_choice import PluginRefusal, choose_plugins

WKHTML = "html_preview::HTMLPreview"
CHROMIUM = "html_chromium::ChromiumPreview"
PAGE = SourceFile("0" * 64, "/x/page.html", 10, "text/html", ProxySize(400, 300))


def chosen(tmp_path: Path, enabled: list[str], named: list[str] | None) -> list[str]:
    settings = Settings.from_environ({"DATA_DIR": str(tmp_path), "ENABLED_PLUGINS": ",".join(enabled)})
    plugins = choose_plugins(enabled_plugins(settings), PAGE, named)
    assert not isinstance(plugins, PluginRefusal), plugins
    return [name for name, _ in plugins]


class TestTwoEnginesForOneProxy:
    """Both HTML engines are enabled: they make the same ``preview``, which one of them makes."""

    @pytest.mark.parametrize("order", [[WKHTML, CHROMIUM], [CHROMIUM, WKHTML]])
    def test_the_first_enabled_makes_it_when_none_is_named(self, tmp_path: Path, order: list[str]) -> None:
        assert chosen(tmp_path, order, None) == [order[0]]

    def test_the_one_a_client_names_makes_it(self, tmp_path: Path) -> None:
        assert chosen(tmp_path, [WKHTML, CHROMIUM], [CHROMIUM]) == [CHROMIUM]

    def test_chromium_alone_enabled_makes_it(self, tmp_path: Path) -> None:
        assert chosen(tmp_path, [CHROMIUM, "image_thumbnail::ImageThumbnail"], None) == [CHROMIUM]
