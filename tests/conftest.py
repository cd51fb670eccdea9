"""Fixtures shared by every test: settings on temp folders, the app, its client."""

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from proxyservice.config import Settings
from proxyservice.container import Services
from proxyservice.factory import create_web_app
from proxyservice.routes import SERVICES_KEY

FIXTURES = Path(__file__).parent / "fixtures"
UNREACHABLE_REDIS = "redis://127.0.0.1:9/0"  # the discard port: nothing answers
TEST_SECRET = "a-test-secret-of-more-than-32-characters"
POSTGRES_SERVER = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
"""A database on the PostgreSQL server the tests make databases of their own on (never touching others)."""


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


def services_of(app: Flask) -> Services:
    """The web app's service container: a test swaps a service by assigning it (``.queue = InMemoryTaskQueue()``)."""
    services: Services = app.extensions[SERVICES_KEY]
    return services


@pytest.fixture
def services(app: Flask) -> Services:
    """The service container of the ``app`` fixture."""
    return services_of(app)


def store_sample_proxy(app: Flask, file_id: str) -> str:
    """Store a small PNG as the ``preview`` of ``file_id``; return its checksum."""
    from PIL import Image

    store = services_of(app).store
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


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[Callable[[], str]]:
    """Makes empty databases of this test session's own on the machine's PostgreSQL; drops them at its end.

    Tests that use it are skipped, with the reason, when no PostgreSQL answers
    at TEST_POSTGRES_URL (the machine's, 127.0.0.1:5432, by default).
    """
    import psycopg
    from psycopg import sql
    from sqlalchemy import make_url

    server = make_url(POSTGRES_SERVER)
    try:
        admin = psycopg.connect(POSTGRES_SERVER, autocommit=True, connect_timeout=3)
    except psycopg.Error as e:
        pytest.skip(f"PostgreSQL is not reachable at {server.render_as_string(hide_password=True)}: {e}")
    made: list[str] = []

    def make() -> str:
        name = f"proxyservice_test_{uuid.uuid4().hex[:12]}"
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        made.append(name)
        return server.set(database=name).render_as_string(hide_password=False)

    try:
        yield make
    finally:
        for name in made:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()


@pytest.fixture(scope="session")
def postgres_url(postgres_databases: Callable[[], str]) -> str:
    """A database of this test session's own on the machine's PostgreSQL (``postgresql://…``), dropped at its end."""
    return postgres_databases()


S3_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "TESTACCESSKEYID",
    "AWS_SECRET_ACCESS_KEY": "test-secret-access-key-never-shown",
    "AWS_DEFAULT_REGION": "us-east-1",
}
"""boto3's environment for the tests' own S3 server: moto accepts any keys."""


@dataclass(frozen=True)
class ObjectStorage:
    """An empty bucket of the tests' own S3 server, and how to reach it."""

    url: str
    """STORE_URL for it: ``s3://<bucket>/<prefix>``."""
    bucket: str
    environment: dict[str, str]
    """boto3's variables (endpoint, keys, region), set in this process for the test; give them to other processes."""

    def keys(self) -> list[str]:
        """Every key in the bucket, sorted."""
        import boto3

        listing = boto3.client("s3").list_objects_v2(Bucket=self.bucket)
        return sorted(item["Key"] for item in listing.get("Contents", ()))


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server of the session's own on a free loopback port; its endpoint URL."""
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the tests' output
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_url(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> ObjectStorage:
    """A fresh bucket on the tests' S3 server, with boto3's AWS_* variables set for this test only."""
    import boto3

    environment = {"AWS_ENDPOINT_URL": s3_endpoint, **S3_CREDENTIALS}
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    bucket = f"proxies-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    return ObjectStorage(f"s3://{bucket}/service", bucket, environment)


@pytest.fixture(scope="session")
def office_documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One document of each office format, written once a session by LibreOffice (about a second each)."""
    from tests.samples import make_office_documents

    return make_office_documents(tmp_path_factory.mktemp("office"))
