"""Settings: read from the environment, each listed in docs/settings.md with its default."""

import re
from dataclasses import MISSING, Field, fields
from pathlib import Path
from typing import Any

import pytest

from proxyservice.config import PROJECT_ROOT, Settings, SettingInvalid
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


SETTINGS_DOC = ROOT / "docs" / "settings.md"
ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]*)` \| `([^`]*)` \|", re.MULTILINE)


def documented_default(spec: "Field[Any]") -> str:
    """A setting's default as the settings table writes it."""
    value = spec.default_factory() if spec.default_factory is not MISSING else spec.default
    if value == PROJECT_ROOT / "data":
        return "./data (in the checkout)"
    if value in ("", None, ()):
        return "(unset)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return ",".join(str(part) for part in value)
    return str(value)


class TestSettingsDoc:
    """docs/settings.md has one row per setting, with its default, and no row for a setting that is gone."""

    def test_every_setting_has_its_row_and_default(self) -> None:
        rows = dict(ROW.findall(SETTINGS_DOC.read_text()))
        expected = {spec.name: documented_default(spec) for spec in fields(Settings)}
        assert {name: rows.get(name) for name in expected} == expected

    def test_every_row_is_a_setting(self) -> None:
        rows = [name for name, _ in ROW.findall(SETTINGS_DOC.read_text())]
        assert sorted(set(rows) - {spec.name for spec in fields(Settings)}) == []
        assert len(rows) == len(set(rows)), "a setting has two rows"
