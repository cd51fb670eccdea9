"""A proxy's bytes from a bucket (STORE_URL): streamed through the app, or (STORE_REDIRECT) a redirect to them."""

import io
import time
import urllib.request
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from proxyservice.config import Settings
from proxyservice.factory import create_web_app
from proxyservice.services.auth import Auth
from tests.conftest import S3_CREDENTIALS, ObjectStorage, authorized_client, store_sample_proxy
from tests.support import ROOT, free_port

FILE_ID = "c" * 64
PATH = f"/proxies/{FILE_ID}/preview"


def documented_statuses() -> set[int]:
    """The answers schema/openapi.yaml gives the proxy content route."""
    document = yaml.safe_load((ROOT / "schema" / "openapi.yaml").read_text())
    return {int(code) for code in document["paths"]["/proxies/{file_id}/{typeidentifier}"]["get"]["responses"]}


def app_on_bucket(settings: Settings, storage: ObjectStorage, redirect: bool) -> Flask:
    return create_web_app(replace(settings, STORE_URL=storage.url, STORE_REDIRECT=redirect), TESTING=True)


def is_the_sample(data: bytes) -> bool:
    """Whether ``data`` is the proxy the tests stored: a 40×30 teal PNG."""
    image = Image.open(io.BytesIO(data))
    return image.format == "PNG" and image.size == (40, 30) and image.convert("RGB").getpixel((20, 15)) == (0, 128, 128)


def fetch(url: str) -> tuple[bytes, dict[str, str]]:
    """GET a presigned URL as a browser following the redirect would (no token); the bytes and headers (lower-case)."""
    with urllib.request.urlopen(url, timeout=5) as answer:
        return answer.read(), {name.lower(): value for name, value in answer.headers.items()}


def signed(settings: Settings, ttl: int) -> tuple[str, int]:
    expires, signature = Auth(settings.auth_secret).sign_link(PATH, ttl)
    return f"{PATH}?expires={expires}&signature={signature}", expires


def presigned_lifetime(location: str) -> int:
    """Seconds a SigV4 presigned URL lives, from its query."""
    return int(parse_qs(urlsplit(location).query)["X-Amz-Expires"][0])


class TestStreamed:
    """STORE_REDIRECT off: the app reads the object and sends its bytes, as it sends a local file."""

    @pytest.fixture
    def app(self, settings: Settings, s3_url: ObjectStorage) -> Flask:
        app = app_on_bucket(settings, s3_url, redirect=False)
        self.checksum = store_sample_proxy(app, FILE_ID)
        return app

    def test_the_bytes_with_their_tag_and_length(self, app: Flask, client: FlaskClient) -> None:
        response = client.get(PATH)
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert is_the_sample(response.data)
        assert response.headers["ETag"] == f'"{self.checksum}"'
        assert response.headers["Content-Length"] == str(len(response.data))
        assert response.headers["Cache-Control"] == "private, max-age=3600"
        assert response.headers["Content-Disposition"] == "inline; filename=preview.png"

    def test_a_matching_tag_is_not_modified(self, client: FlaskClient) -> None:
        response = client.get(PATH, headers={"If-None-Match": f'"{self.checksum}"'})
        assert response.status_code == 304 and response.data == b""
        assert response.headers["ETag"] == f'"{self.checksum}"'

    def test_a_signed_link_works_without_a_token_and_an_altered_one_does_not(
        self, app: Flask, settings: Settings
    ) -> None:
        link, _ = signed(settings, 60)
        anonymous = app.test_client()
        response = anonymous.get(link)
        assert response.status_code == 200 and response.data[:4] == b"\x89PNG"
        assert response.headers["Cache-Control"].startswith("public, max-age=")
        assert anonymous.get(link.replace("expires=", "expires=1")).status_code == 403

    def test_an_unknown_proxy_is_404(self, client: FlaskClient) -> None:
        assert client.get(f"/proxies/{FILE_ID}/thumbnail").status_code == 404

    def test_object_storage_out_of_reach_is_503_in_words(
        self, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")
        response = client.get(PATH)
        assert response.status_code == 503 and response.status_code in documented_statuses()
        assert response.get_json()["message"] == "the proxy store cannot be read; try again shortly"


class TestRedirected:
    """STORE_REDIRECT on: the app answers 307 to a presigned URL, and the bytes come from the object storage."""

    @pytest.fixture
    def app(self, settings: Settings, s3_url: ObjectStorage) -> Flask:
        app = app_on_bucket(settings, s3_url, redirect=True)
        self.checksum = store_sample_proxy(app, FILE_ID)
        return app

    def test_a_redirect_to_the_bytes(self, client: FlaskClient, settings: Settings) -> None:
        response = client.get(PATH)
        assert response.status_code == 307 and 307 in documented_statuses()
        assert response.headers["ETag"] == f'"{self.checksum}"'
        assert response.headers["Cache-Control"].startswith("private, max-age=")
        location = response.headers["Location"]
        assert S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"] not in location
        assert presigned_lifetime(location) <= settings.SIGNED_LINK_TTL
        data, headers = fetch(location)
        assert is_the_sample(data)
        assert headers["content-type"] == "image/png" and headers["cache-control"].startswith("private")

    def test_a_matching_tag_is_not_modified_without_a_redirect(self, client: FlaskClient) -> None:
        response = client.get(PATH, headers={"If-None-Match": f'"{self.checksum}"'})
        assert response.status_code == 304 and "Location" not in response.headers

    def test_through_a_signed_link_the_url_lives_no_longer_than_the_link(
        self, app: Flask, settings: Settings
    ) -> None:
        link, expires = signed(settings, 90)
        response = app.test_client().get(link)
        assert response.status_code == 307
        lifetime = presigned_lifetime(response.headers["Location"])
        assert 0 < lifetime <= expires - time.time() + 1
        kept = int(response.headers["Cache-Control"].removeprefix("private, max-age="))
        assert kept < lifetime, "no client keeps the redirect longer than its URL works"
        assert fetch(response.headers["Location"])[0][:4] == b"\x89PNG"

    def test_an_altered_link_gets_no_redirect(self, app: Flask, settings: Settings) -> None:
        link, _ = signed(settings, 90)
        response = app.test_client().get(link.replace("signature=", "signature=x"))
        assert response.status_code == 403 and "Location" not in response.headers

    def test_no_token_no_redirect(self, app: Flask, settings: Settings) -> None:
        response = app.test_client().get(PATH)
        assert response.status_code == 401 and "Location" not in response.headers

    def test_a_local_store_sends_the_file_even_so(self, settings: Settings, tmp_path: Path) -> None:
        app = create_web_app(replace(settings, STORE_REDIRECT=True), TESTING=True)
        store_sample_proxy(app, FILE_ID)
        response = authorized_client(app, settings).get(PATH)
        assert response.status_code == 200 and response.data[:4] == b"\x89PNG"
