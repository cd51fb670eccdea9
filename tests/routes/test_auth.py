"""Access control: bearer tokens with scopes, signed links, and the secret production needs."""


import pytest
from flask import Flask

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
        ("get", "/plugins", "proxy:read"),
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
        ("Bearer not.a.token", "not valid"),
        ("Basic dXNlcjpwYXNz", "must be 'Bearer <token>'"),
        ("Bearer ", "must be 'Bearer <token>'"),
    ])
    def test_malformed_tokens(self, app: Flask, header: str, reason: str) -> None:
        response = app.test_client().get("/plugins", headers={"Authorization": header})
        assert response.status_code == 401 and reason in response.get_json()["message"]

    def test_an_expired_token(self, app: Flask, settings: Settings) -> None:
        token = Auth(settings.auth_secret).issue(["proxy:read"], ttl_seconds=-10)
        response = app.test_client().get("/plugins", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401 and "expired" in response.get_json()["message"]

    def test_a_token_signed_with_another_secret(self, app: Flask) -> None:
        token = Auth("another-secret-of-more-than-32-characters").issue(["proxy:read"], 60)
        response = app.test_client().get("/plugins", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


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
