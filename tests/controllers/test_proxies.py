"""The proxies controller over a real store in a temp folder."""

from http import HTTPStatus
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.exceptions import NotFound

from proxyservice.controllers import proxies
from proxyservice.schemas import first_error
from tests.conftest import services_of, store_sample_proxy

FILE_ID = "d" * 64


@pytest.fixture
def stored(app: Flask) -> str:
    return store_sample_proxy(app, FILE_ID)


class TestList:
    """A file's proxies."""

    def test_listed_with_their_urls(self, app: Flask, stored: str) -> None:
        with app.test_request_context():
            data, status, _ = proxies.list_proxies(services_of(app), FILE_ID)
        assert status is HTTPStatus.OK
        assert data["proxies"][0]["url"] == f"/proxies/{FILE_ID}/preview"
        assert first_error("ProxyList", data) is None

    def test_a_file_without_proxies(self, app: Flask) -> None:
        with app.test_request_context(), pytest.raises(NotFound):
            proxies.list_proxies(services_of(app), "e" * 64)


class TestContent:
    """A proxy's bytes, with an entity tag."""

    def test_the_bytes_and_their_tag(self, app: Flask, stored: str) -> None:
        with app.test_request_context():
            (path, mimetype, filename), status, headers = proxies.proxy_content(services_of(app), FILE_ID, "preview", [])
        assert status is HTTPStatus.OK and mimetype == "image/png" and filename == "preview.png"
        assert Path(path).is_file()
        assert headers["ETag"] == f'"{stored}"'

    def test_a_matching_tag_is_not_modified(self, app: Flask, stored: str) -> None:
        with app.test_request_context():
            data, status, headers = proxies.proxy_content(services_of(app), FILE_ID, "preview", [stored])
        assert status is HTTPStatus.NOT_MODIFIED and data is None and headers["ETag"] == f'"{stored}"'

    def test_an_unknown_type(self, app: Flask, stored: str) -> None:
        with app.test_request_context(), pytest.raises(NotFound):
            proxies.proxy_content(services_of(app), FILE_ID, "thumbnail", [])

    def test_an_unknown_file_is_quoted_short(self, app: Flask) -> None:
        with app.test_request_context(), pytest.raises(NotFound) as refused:
            proxies.proxy_content(services_of(app), "f" * 10_000, "preview", [])
        assert refused.value.description is not None and len(refused.value.description) < 200


class TestCacheControl:
    """Who may cache a proxy's bytes, and for how long."""

    def test_with_a_token_only_the_clients_own_cache(self) -> None:
        assert proxies.cache_control(None, now=1_000.0) == f"private, max-age={proxies.CACHE_SECONDS}"

    def test_a_signed_link_anyone_until_it_expires(self) -> None:
        assert proxies.cache_control(1_090, now=1_000.0) == "public, max-age=90"

    def test_a_long_link_no_longer_than_a_token(self) -> None:
        assert proxies.cache_control(1_000 + 86_400, now=1_000.0) == f"public, max-age={proxies.CACHE_SECONDS}"

    def test_a_link_in_its_last_second_is_not_kept(self) -> None:
        assert proxies.cache_control(1_000, now=1_000.5) == "public, max-age=0"
