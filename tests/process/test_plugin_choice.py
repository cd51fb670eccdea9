"""Which plugins make a file's proxies when two enabled ones make the same proxy (the two HTML engines)."""

from pathlib import Path

import pytest

from proxyservice.config import SettingInvalid, Settings
from proxyservice.domain import ProxySize, SourceFile
from proxyservice.plugins.registry import enabled_plugins
from proxyservice.process.plugin_choice import PluginRefusal, choose_plugins

WKHTML = "html_preview::HTMLPreview"
CHROMIUM = "html_chromium::ChromiumPreview"
PAGE = SourceFile("0" * 64, "/x/page.html", 10, "text/html", ProxySize(400, 300))


def chosen(tmp_path: Path, enabled: list[str], named: list[str] | None, engine: str = "wkhtmltoimage") -> list[str]:
    settings = Settings.from_environ({"DATA_DIR": str(tmp_path), "ENABLED_PLUGINS": ",".join(enabled),
                                      "HTML_ENGINE": engine})
    plugins = choose_plugins(enabled_plugins(settings), PAGE, named)
    assert not isinstance(plugins, PluginRefusal), plugins
    return [name for name, _ in plugins]


class TestTwoEnginesForOneProxy:
    """Both HTML engines are enabled: they make the same ``preview``, which HTML_ENGINE's makes."""

    @pytest.mark.parametrize("order", [[WKHTML, CHROMIUM], [CHROMIUM, WKHTML]])
    @pytest.mark.parametrize(("engine", "maker"), [("wkhtmltoimage", WKHTML), ("chromium", CHROMIUM)])
    def test_html_engines_makes_it_whatever_the_order_enabled(self, tmp_path: Path, order: list[str], engine: str,
                                                               maker: str) -> None:
        assert chosen(tmp_path, order, None, engine) == [maker]

    def test_the_one_a_client_names_makes_it(self, tmp_path: Path) -> None:
        assert chosen(tmp_path, [WKHTML, CHROMIUM], [CHROMIUM]) == [CHROMIUM]

    @pytest.mark.parametrize(("engine", "maker"), [("wkhtmltoimage", WKHTML), ("chromium", CHROMIUM)])
    def test_the_builtins_draw_html_with_html_engine(self, tmp_path: Path, engine: str, maker: str) -> None:
        settings = Settings.from_environ({"DATA_DIR": str(tmp_path), "HTML_ENGINE": engine})
        plugins = choose_plugins(enabled_plugins(settings), PAGE, None)
        assert not isinstance(plugins, PluginRefusal) and [name for name, _ in plugins] == [maker]
        assert {WKHTML, CHROMIUM} & set(enabled_plugins(settings).names()) == {maker}

    def test_an_unknown_engine_is_refused_with_the_choices(self, tmp_path: Path) -> None:
        with pytest.raises(SettingInvalid, match="HTML_ENGINE='webkit': use wkhtmltoimage or chromium"):
            chosen(tmp_path, [WKHTML], None, "webkit")
