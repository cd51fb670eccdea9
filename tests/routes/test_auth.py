"""Access control: bearer tokens with scopes, signed links, and the secret production needs."""

import base64

import pytest
from flask import Flask
from flask.testing import FlaskClient

from proxyservice.config import DEVELOPMENT_SECRET, Settings, SettingInvalid
from proxyservice.factory import create_web_app
from proxyservice.services.auth import Auth
from tests.conftest import authorized_client, store_sample_proxy

FILE_ID = "b" * 64


@pytest.fixture
def stored(app: Flask) -> None:
    store_sample_proxy(app, FILE_ID)


class TestTokens:
    """Each route asks for its scope."""

    @pytest.mark.parametrize("method, path, scope", [
        ("post", "/ingest", "proxy:create"), ("get", "/status/t1", "proxy:read"),
        ("get", f"/proxies/{FILE_ID}", "proxy:read"), ("get", f"/proxies/{FILE_ID}/preview", "proxy:read"),
        ("get", "/plugins", "proxy:read"), ("get", "/tasks", "proxy:read"),
    ])
    def test_401_without_a_token_and_403_with_another_scope(
        self, app: Flask, settings: Settings, method: str, path: str, scope: str
    ) -> None:
        anonymous = getattr(app.test_client(), method)(path)
        assert anonymous.status_code == 401
        assert anonymous.headers["WWW-Authenticate"].lower().startswith("bearer")
        other = "proxy:read" if scope == "proxy:create" else "proxy:create"
        wrong = getattr(authorized_client(app, settings, other), method)(path)
        assert wrong.status_code == 403 and scope in wrong.get_json()["message"]

    def test_readiness_stays_open(self, app: Flask) -> None:
        assert app.test_client().get("/status").status_code in (200, 503)

    @pytest.mark.parametrize("header, reason", [
        ("Basic dXNlcjpwYXNz", "must be 'Bearer <token>'"),
        ("Bearer ", "must be 'Bearer <token>'"),
    ])
    def test_no_bearer_token(self, app: Flask, header: str, reason: str) -> None:
        response = app.test_client().get("/plugins", headers={"Authorization": header})
        assert response.status_code == 401 and reason in response.get_json()["message"]

    def test_an_expired_token(self, app: Flask, settings: Settings) -> None:
        token = Auth(settings.auth_secret).issue(["proxy:read"], ttl_seconds=-10)
        response = app.test_client().get("/plugins", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and response.get_json()["message"] == "the token has expired"

    def test_a_token_checked_before_is_refused_once_it_expired(self, app: Flask, settings: Settings,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
        """Its signature is checked once per process; its expiry, at every request."""
        from proxyservice.services.auth import tokens

        token = Auth(settings.auth_secret).issue(["proxy:read"], ttl_seconds=60)
        client = app.test_client()
        assert client.get("/plugins", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        later = tokens.time.time() + 61
        monkeypatch.setattr(tokens.time, "time", lambda: later)
        response = client.get("/plugins", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and response.get_json()["message"] == "the token has expired"


def _segment(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


class TestBadTokens:
    """A token that cannot be trusted: the answer says so and nothing of why it failed to decode."""

    @pytest.mark.parametrize("token", [
        "not.a.token",
        f"{_segment(bytes([0xff]))}.e30.x",  # PyJWT: "'utf-8' codec can't decode byte 0xff..."
        f"{_segment(b'[1, 2]')}.e30.x",  # PyJWT: "Invalid header string: must be a json object"
        _segment(b'{"alg": "none"}') + "." + _segment(b'{"scope": "proxy:read"}') + ".",  # unsigned
        "a" * 10_000,
        "\u00e9t\u00e9.\u00e9t\u00e9.\u00e9t\u00e9",  # not ASCII (the header arrives as latin-1)
    ])
    def test_the_message_is_invalid_token_and_nothing_more(self, app: Flask, token: str) -> None:
        response = app.test_client().get("/plugins", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.get_json()["message"] == "invalid token"

    def test_a_token_signed_with_another_secret(self, app: Flask) -> None:
        token = Auth("another-secret-of-more-than-32-characters").issue(["proxy:read"], 60)
        response = app.test_client().get("/plugins", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and response.get_json()["message"] == "invalid token"

    def test_a_token_altered_after_signing(self, app: Flask, settings: Settings) -> None:
        header, _, signature = Auth(settings.auth_secret).issue(["proxy:read"], 60).split(".")
        forged = _segment(b'{"iss": "proxyservice", "exp": 9999999999, "scope": "proxy:read proxy:create"}')
        response = app.test_client().get("/plugins", headers={"Authorization": f"Bearer {header}.{forged}.{signature}"})
        assert response.status_code == 401 and response.get_json()["message"] == "invalid token"


class TestSignedLinks:
    """Proxy links shared without a token."""

    def test_a_signed_link_works_without_a_token(self, app: Flask, client: object, stored: None) -> None:
        listing = client.get(f"/proxies/{FILE_ID}").get_json()  # type: ignore[attr-defined]
        signed = listing["proxies"][0]["signed_url"]
        response = app.test_client().get(signed)
        assert response.status_code == 200 and response.mimetype == "image/png"

    def test_altered_or_expired_links_are_refused(self, app: Flask, settings: Settings, stored: None) -> None:
        auth = Auth(settings.auth_secret)
        path = f"/proxies/{FILE_ID}/preview"
        expires, signature = auth.sign_link(path, 60)
        anonymous = app.test_client()
        assert anonymous.get(f"{path}?expires={expires}&signature={signature}").status_code == 200
        assert anonymous.get(f"{path}?expires={expires + 1}&signature={signature}").status_code == 403
        other_path = f"/proxies/{'c' * 64}/preview"
        assert anonymous.get(f"{other_path}?expires={expires}&signature={signature}").status_code == 403
        assert anonymous.get(f"{path}?expires={expires}&signature=%C2%80").status_code == 403
        assert anonymous.get(f"{path}?expires=%D9%A3&signature={signature}").status_code == 403  # a non-ASCII digit
        old, old_signature = auth.sign_link(path, -5)
        expired = anonymous.get(f"{path}?expires={old}&signature={old_signature}")
        assert expired.status_code == 403 and "expired" in expired.get_json()["message"]

    @pytest.mark.parametrize("query", ["expires=soon", "expires=123", "signature=abc", "expires=&signature="])
    def test_a_malformed_link_is_refused_even_beside_a_token(self, client: object, stored: None, query: str) -> None:
        """Either part of a link makes the request a link: never silently ignored because a token came too."""
        response = client.get(f"/proxies/{FILE_ID}/preview?{query}")  # type: ignore[attr-defined]
        assert response.status_code == 403


def max_age(cache_control: str) -> int:
    [age] = [int(part.split("=")[1]) for part in cache_control.split(", ") if part.startswith("max-age=")]
    return age


class TestCaching:
    """What caches between the service and its clients may keep."""

    def test_bytes_fetched_with_a_token_are_private(self, client: FlaskClient, stored: None) -> None:
        response = client.get(f"/proxies/{FILE_ID}/preview")
        assert response.status_code == 200
        assert response.headers["Cache-Control"].split(", ")[0] == "private"
        assert "public" not in response.headers["Cache-Control"]

    def test_a_not_modified_answer_with_a_token_is_private_too(self, client: FlaskClient, stored: None) -> None:
        etag = client.get(f"/proxies/{FILE_ID}/preview").headers["ETag"]
        response = client.get(f"/proxies/{FILE_ID}/preview", headers={"If-None-Match": etag})
        assert response.status_code == 304 and response.headers["Cache-Control"].startswith("private")

    @pytest.mark.parametrize("ttl", [90, 86_400])
    def test_a_signed_link_is_public_until_it_expires(self, app: Flask, settings: Settings, stored: None, ttl: int) -> None:
        path = f"/proxies/{FILE_ID}/preview"
        expires, signature = Auth(settings.auth_secret).sign_link(path, ttl)
        response = app.test_client().get(f"{path}?expires={expires}&signature={signature}")
        assert response.status_code == 200
        assert response.headers["Cache-Control"].startswith("public")
        assert min(ttl, 3600) - 5 <= max_age(response.headers["Cache-Control"]) <= min(ttl, 3600)


class TestSecrets:
    """No working default secret: production refuses to start without its own."""

    def test_production_without_a_secret_refuses_to_start(self, settings: Settings) -> None:
        for secret in ("", DEVELOPMENT_SECRET, "short"):
            production = Settings.from_environ({}, **{**settings.__dict__, "AUTH_SECRET": secret,
                                                      "PROXYSERVICE_ENV": "production"})
            with pytest.raises(SettingInvalid, match="AUTH_SECRET"):
                create_web_app(production)

    def test_development_uses_the_marked_secret(self, settings: Settings) -> None:
        development = Settings.from_environ({}, **{**settings.__dict__, "AUTH_SECRET": "",
                                                   "PROXYSERVICE_ENV": "development"})
        assert development.auth_secret == DEVELOPMENT_SECRET and "INSECURE" in DEVELOPMENT_SECRET
        create_web_app(development)

    def test_workers_and_the_command_line_need_no_secret(self, settings: Settings) -> None:
        production = Settings.from_environ({}, **{**settings.__dict__, "AUTH_SECRET": "", "PROXYSERVICE_ENV": "production"})
        create_web_app(production, serve_http=False)
