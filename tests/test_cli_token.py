"""``proxyservice token`` typed in a new terminal, as the README shows it, and the one-line errors."""

import secrets
from pathlib import Path

from proxyservice.config import Settings
from proxyservice.factory import create_web_app
from tests.e2e.conftest import run_cli
from tests.conftest import TEST_SECRET

NEW_TERMINAL = {"PROXYSERVICE_ENV": "", "AUTH_SECRET": ""}
"""Nothing exported: neither the environment nor the secret ``make run`` gave its service."""


def accepted(token: str, **settings: str) -> bool:
    """Whether a web app with these settings lets the token read its plugins."""
    app = create_web_app(Settings.from_environ(settings), TESTING=True)
    response = app.test_client().get("/plugins", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401), response.get_json()
    return response.status_code == 200


def keep_development_secret(data_dir: Path) -> str:
    """Keep a secret as ``make run`` keeps it for development: ``$DATA_DIR/development-secret``, 0600."""
    data_dir.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    kept = data_dir / "development-secret"
    kept.touch(mode=0o600)
    kept.write_text(secret + "\n")
    return secret


class TestNewTerminal:
    """A user runs ``proxyservice token`` in a new terminal on the host where ``make run`` keeps its data."""

    def test_it_signs_with_the_secret_make_run_keeps(self, tmp_path: Path) -> None:
        secret = keep_development_secret(tmp_path / "data")
        result = run_cli({**NEW_TERMINAL, "DATA_DIR": str(tmp_path / "data")},
                         "token", "--scope", "proxy:create", "--scope", "proxy:read")
        assert result.returncode == 0, result.stderr
        [token] = result.stdout.splitlines()
        assert result.stderr == ""
        # The app under make run: development, AUTH_SECRET exported from the kept file.
        assert accepted(token, PROXYSERVICE_ENV="development", AUTH_SECRET=secret, DATA_DIR=str(tmp_path / "data"))
        assert not accepted(token, AUTH_SECRET=TEST_SECRET, DATA_DIR=str(tmp_path / "data"))

    def test_without_any_secret_one_line_says_what_to_set(self, tmp_path: Path) -> None:
        result = run_cli({**NEW_TERMINAL, "DATA_DIR": str(tmp_path / "data")}, "token", "--scope", "proxy:read")
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.splitlines() == [
            "Error: no secret to sign tokens with: set AUTH_SECRET to the service's secret "
            "(or PROXYSERVICE_ENV=development for a development service run without one)"]

    def test_a_kept_secret_others_can_read_is_refused(self, tmp_path: Path) -> None:
        keep_development_secret(tmp_path / "data")
        (tmp_path / "data" / "development-secret").chmod(0o644)
        result = run_cli({**NEW_TERMINAL, "DATA_DIR": str(tmp_path / "data")}, "token", "--scope", "proxy:read")
        assert result.returncode == 1 and result.stdout == ""
        [line] = result.stderr.splitlines()
        assert line.startswith("Error: ") and "development-secret is readable by other users: chmod 600 it" in line


class TestSecretsSet:
    """AUTH_SECRET, or development without one, as before."""

    def test_auth_secret_wins(self, tmp_path: Path) -> None:
        keep_development_secret(tmp_path / "data")
        result = run_cli({**NEW_TERMINAL, "DATA_DIR": str(tmp_path / "data"), "AUTH_SECRET": TEST_SECRET},
                         "token", "--scope", "proxy:read")
        assert result.returncode == 0, result.stderr
        assert accepted(result.stdout.strip(), AUTH_SECRET=TEST_SECRET, DATA_DIR=str(tmp_path / "data"))

    def test_development_without_a_secret_signs_with_the_marked_one_and_says_so(self, tmp_path: Path) -> None:
        environment = {**NEW_TERMINAL, "DATA_DIR": str(tmp_path / "data"), "PROXYSERVICE_ENV": "development"}
        result = run_cli(environment, "token", "--scope", "proxy:read")
        assert result.returncode == 0, result.stderr
        assert result.stderr.splitlines() == [
            "note: signed with the INSECURE development secret; set AUTH_SECRET for a secret of your own"]
        assert accepted(result.stdout.strip(), PROXYSERVICE_ENV="development", DATA_DIR=str(tmp_path / "data"))

    def test_an_unusable_auth_secret_is_one_line(self, tmp_path: Path) -> None:
        result = run_cli({**NEW_TERMINAL, "DATA_DIR": str(tmp_path / "data"), "AUTH_SECRET": "short"},
                         "token", "--scope", "proxy:read")
        assert result.returncode == 1
        assert result.stderr.splitlines() == ["Error: AUTH_SECRET must be at least 32 characters long"]
