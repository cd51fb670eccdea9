"""Fixtures shared by every test: settings on temp folders, the app, its client."""

import shutil
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from proxyservice.config import Settings
from proxyservice.factory import create_web_app

FIXTURES = Path(__file__).parent / "fixtures"
UNREACHABLE_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing answers
TEST_SECRET = "a-test-secret-of-more-than-32-characters"


def bearer(settings: Settings, *scopes: str) -> str:
    """An Authorization header value granting ``scopes`` (both when none are named)."""
    from proxyservice.services.auth import SCOPES, Auth

    return "Bearer " + Auth(settings.auth_secret).issue(list(scopes or SCOPES), 3600)


@pytest.fixture
def source_dir(tmp_path: Path) -> Path:
    """A source root holding copies of the HTML fixtures."""
    folder = tmp_path / "sources"
    shutil.copytree(FIXTURES, folder)
    return folder


@pytest.fixture
def settings(tmp_path: Path, source_dir: Path) -> Settings:
    """Settings on temp folders, with a broker that is not there."""
    return Settings.from_environ(
        {}, DATA_DIR=tmp_path / "data", SOURCE_ROOTS=(source_dir,), REDIS_URL=UNREACHABLE_REDIS,
        AUTH_SECRET=TEST_SECRET,
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The web app on those settings."""
    yield create_web_app(settings, TESTING=True)


def store_sample_proxy(app: Flask, file_id: str) -> str:
    """Store a small PNG as the ``preview`` of ``file_id``; return its checksum."""
    from PIL import Image

    from proxyservice.services.store import ProxyStore

    with app.app_context():
        store = ProxyStore.current_session()
        made = store.generate_temp_filename(".png")
        Image.new("RGB", (40, 30), "teal").save(made, format="PNG")
        return store.ingest(file_id, "html_preview", made, "preview", "preview.png", "image/png").checksum


def authorized_client(app: Flask, settings: Settings, *scopes: str) -> FlaskClient:
    """A test client sending a token with ``scopes`` (every scope when none are named)."""
    test_client = app.test_client()
    test_client.environ_base["HTTP_AUTHORIZATION"] = bearer(settings, *scopes)
    return test_client


@pytest.fixture
def client(app: Flask, settings: Settings) -> FlaskClient:
    """A test client of the web app, sending a token with every scope."""
    return authorized_client(app, settings)
