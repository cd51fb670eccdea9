"""The web app under real uWSGI (the production entrypoint), driven over HTTP."""

import os
import subprocess
import sys
import time
from typing import Iterator

import pytest
import requests

from tests.e2e.conftest import Service
from tests.support import ROOT, assert_not_blank, dockerfile_command, free_port, wait_until


@pytest.fixture(scope="module")
def uwsgi_url(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("uwsgi") / "uwsgi.log"
    environment = {**os.environ, **service.environment, "PROXYSERVICE_HTTP": f"127.0.0.1:{port}",
                   "UWSGI_VIRTUALENV": sys.prefix}
    with log.open("wb") as out:
        process = subprocess.Popen(dockerfile_command("Dockerfile"), cwd=ROOT, env=environment,
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{url}/plugins", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    try:
        wait_until(answers, 30, f"uWSGI on port {port} (log: {log})")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


class TestThroughUwsgi:
    """What a client meets in production."""

    def test_readiness_is_up(self, uwsgi_url: str) -> None:
        response = requests.get(f"{uwsgi_url}/status", timeout=10)
        body = response.json()
        assert response.status_code == 200, body
        assert body["checks"]["renderer"]["version"].startswith("0.12")
        assert body["checks"]["workers"]["workers"]

    def test_upload_follow_and_download(self, uwsgi_url: str) -> None:
        page = f"<html><body style='background:#e67e22;font-size:50px'><h1>uWSGI {time.time()}</h1><p>text</p></body></html>"
        accepted = requests.post(f"{uwsgi_url}/ingest", files={"file": ("page.html", page.encode())}, timeout=10)
        assert accepted.status_code == 202, accepted.text
        status_url = uwsgi_url + accepted.headers["Location"]

        def done() -> requests.Response | None:
            response = requests.get(status_url, allow_redirects=False, timeout=10)
            return response if response.json()["status"] not in ("queued", "in_progress") else None

        finished = wait_until(done, 60, "the task")
        assert finished.status_code == 303, finished.json()
        listing = requests.get(uwsgi_url + finished.headers["Location"], timeout=10).json()
        image = requests.get(uwsgi_url + listing["proxies"][0]["url"], timeout=10)
        assert image.headers["Content-Type"] == "image/png"
        assert assert_not_blank(image.content).size == (400, 300)
