"""Settings: read from the environment, each listed in docs/settings.md."""

from dataclasses import fields
from pathlib import Path

import pytest

from proxyservice.config import Settings, SettingInvalid
from tests.support import ROOT


class TestFromEnviron:
    """Environment variables become typed settings."""

    def test_values_are_cast(self) -> None:
        settings = Settings.from_environ(
            {"SOURCE_ROOTS": "/a:/b", "PROXY_WIDTH": "640", "RENDER_TIMEOUT": "2.5",
             "ENABLED_PLUGINS": "a::A, b::B", "PROXY_STORE_ROOT": "/store"}
        )
        assert settings.SOURCE_ROOTS == (Path("/a"), Path("/b"))
        assert settings.PROXY_WIDTH == 640 and settings.RENDER_TIMEOUT == 2.5
        assert settings.ENABLED_PLUGINS == ("a::A", "b::B")
        assert settings.proxy_store_root == Path("/store")

    def test_defaults(self) -> None:
        settings = Settings.from_environ({})
        assert settings.REDIS_URL == "redis://127.0.0.1:6379/0"
        assert settings.proxy_store_root == settings.DATA_DIR / "proxies"

    def test_a_bad_value_names_its_variable(self) -> None:
        with pytest.raises(SettingInvalid, match="PROXY_WIDTH='wide'"):
            Settings.from_environ({"PROXY_WIDTH": "wide"})


class TestSettingsDoc:
    """docs/settings.md lists every setting, so it stays true."""

    def test_every_setting_is_in_the_settings_doc(self) -> None:
        page = (ROOT / "docs" / "settings.md").read_text()
        missing = [spec.name for spec in fields(Settings) if f"`{spec.name}`" not in page]
        assert missing == []
