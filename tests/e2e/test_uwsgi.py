"""The web app under real uWSGI (the production entrypoint, nginx in front), driven over HTTP."""

import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests
import yaml
from PIL import Image

from proxyservice.config import Settings
from tests.conftest import bearer
from tests.e2e.conftest import Service, running_service
from tests.e2e.served import LOGS, running_uwsgi
from tests.support import (ROOT, Receiver, assert_not_blank, dockerfile_command, free_port, pictures, verify,
                           wait_until)


def runtime_folder(log: Path) -> Path:
    """The private runtime folder of the uWSGI writing ``log``, where its socket is bound."""
    [folder] = re.findall(r"bound to UNIX address (\S+)/uwsgi\.sock", log.read_text())
    return Path(folder)


def refuses_connections(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
        return False
    except ConnectionRefusedError:
        return True


def alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie no one has reaped yet does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@pytest.fixture(scope="module")
def uwsgi_url(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_uwsgi(service, tmp_path_factory.mktemp("uwsgi") / "uwsgi.log") as url:
        yield url


class TestLiveness:
    """No worker runs: the web app is alive (its container stays up) but not ready (it gets no work)."""

    def test_healthz_200_and_status_503_with_no_worker(self, tmp_path: Path) -> None:
        with running_service(tmp_path) as (service, worker):
            worker.stop()
            with running_uwsgi(service, tmp_path / "uwsgi.log") as url:
                alive = requests.get(f"{url}/healthz", timeout=10)
                assert alive.status_code == 200 and alive.json() == {"alive": True}
                ready = requests.get(f"{url}/status", timeout=10)
                assert ready.status_code == 503 and ready.json()["checks"]["workers"] == {"up": False}

    def test_the_web_image_checks_liveness(self) -> None:
        [check] = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("HEALTHCHECK ")]
        assert "http://127.0.0.1:8000/healthz" in check


class TestRequestIdInTheLogs:
    """A client's X-Request-ID, from HTTP through uWSGI to every line the worker logs for its task."""

    def test_the_worker_logs_the_task_under_the_clients_id(self, tmp_path: Path) -> None:
        request_id = f"e2e-{time.time_ns()}"
        with running_service(tmp_path, concurrency=1, LOG_FORMAT="json") as (service, worker):
            with running_uwsgi(service, tmp_path / "uwsgi.log") as url:
                token = bearer(Settings.from_environ(service.environment))
                accepted = requests.post(f"{url}/ingest", files={"file": ("traced.html", b"<h1>Traced</h1>")},
                                         headers={"Authorization": token, "X-Request-ID": request_id}, timeout=10)
                assert accepted.status_code == 202 and accepted.headers["X-Request-ID"] == request_id
                task_id = accepted.json()["tasks"][0]["task_id"]
                assert service.follow(accepted.headers["Location"]).status_code == 303
        lines = [json.loads(line) for line in worker.log.read_text().splitlines() if line.startswith("{")]
        traced = [line for line in lines if line["request_id"] == request_id]
        assert any(f"task {task_id} succeeded" in line["message"] for line in traced), lines[-5:]
        assert all(task_id not in line["message"] for line in lines if line["request_id"] != request_id
                   and line["logger"].startswith("proxyservice")), "every line of the task's own carries the id"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Prometheus text format, read by prometheus-client's own parser: value by name and labels."""
    from prometheus_client.parser import text_string_to_metric_families

    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


class TestMetrics:
    """Metric values after a known sequence of ingests, from the web app's processes and from the worker's."""

    def test_ingests_requests_tasks_and_conversions_are_counted(self, tmp_path: Path) -> None:
        worker_port = free_port()
        with running_service(tmp_path, concurrency=2, WORKER_METRICS_PORT=str(worker_port)) as (service, _):
            with running_uwsgi(service, tmp_path / "uwsgi.log") as url:
                settings = Settings.from_environ(service.environment)
                client = requests.Session()
                client.headers["Authorization"] = bearer(settings, "proxy:create", "proxy:read")
                page = {"path": str(service.sources / "styled.html")}
                first = client.post(f"{url}/ingest", json=page, timeout=10)
                assert first.status_code == 202
                wait_until(lambda: client.get(url + first.headers["Location"], allow_redirects=False,
                                              timeout=10).status_code == 303, 60, "the preview")
                assert client.post(f"{url}/ingest", json=page, allow_redirects=False, timeout=10).status_code == 303
                assert client.post(f"{url}/ingest", json={"path": str(service.sources / "gone.html")},
                                   timeout=10).status_code == 404
                assert requests.get(f"{url}/metrics", timeout=10).status_code == 401
                assert requests.get(f"{url}/metrics", headers=client.headers, timeout=10).status_code == 403
                scraped = requests.get(f"{url}/metrics", headers={"Authorization": bearer(settings, "proxy:metrics")},
                                       timeout=10)
                worker = requests.get(f"http://127.0.0.1:{worker_port}/metrics", timeout=10)
        assert scraped.status_code == 200 and scraped.headers["Content-Type"].startswith("text/plain")
        web = samples(scraped.text)
        assert web[("proxyservice_ingests_total", (("outcome", "queued"), ("reason", "")))] == 1
        assert web[("proxyservice_ingests_total", (("outcome", "deduplicated"), ("reason", "")))] == 1
        assert web[("proxyservice_ingests_total", (("outcome", "refused"), ("reason", "not_found")))] == 1
        ingest_posts = {status: value for (name, labels), value in web.items()
                        if name == "proxyservice_http_requests_total" and ("route", "/ingest") in labels
                        for key, status in labels if key == "status"}
        assert ingest_posts == {"202": 1, "303": 1, "404": 1}
        assert web[("proxyservice_queue_length", ())] == 0
        tasks = samples(worker.text)
        plugin = "html_preview::HTMLPreview"
        assert tasks[("proxyservice_tasks_total", (("plugin", plugin), ("state", "succeeded")))] == 1
        assert tasks[("proxyservice_conversion_seconds_count", (("plugin", plugin),))] == 1
        assert tasks[("proxyservice_conversion_seconds_sum", (("plugin", plugin),))] > 0


class TestThroughUwsgi:
    """What a client meets in production."""

    def test_readiness_is_up(self, uwsgi_url: str, service: Service) -> None:
        anonymous = requests.get(f"{uwsgi_url}/status", timeout=10).json()
        assert anonymous["ready"] is True and anonymous["checks"]["renderer"] == {"up": True}, "no details for anyone"
        reader = bearer(Settings.from_environ(service.environment), "proxy:read")
        response = requests.get(f"{uwsgi_url}/status", headers={"Authorization": reader}, timeout=10)
        body = response.json()
        assert response.status_code == 200, body
        assert body["checks"]["renderer"]["wkhtmltoimage"].startswith("0.12")
        assert body["checks"]["renderer"]["sandbox"].startswith("bubblewrap")
        assert body["checks"]["workers"]["workers"]

    def test_upload_follow_and_download_with_a_token_then_a_signed_link(self, uwsgi_url: str, service: Service) -> None:
        client = requests.Session()
        client.headers["Authorization"] = bearer(Settings.from_environ(service.environment))
        page = f"<html><body style='background:#e67e22;font-size:50px'><h1>uWSGI {time.time()}</h1><p>text</p></body></html>"
        accepted = client.post(f"{uwsgi_url}/ingest", files={"file": ("page.html", page.encode())}, timeout=10)
        assert accepted.status_code == 202, accepted.text
        status_url = uwsgi_url + accepted.headers["Location"]

        def done() -> requests.Response | None:
            response = client.get(status_url, allow_redirects=False, timeout=10)
            return response if response.json()["status"] not in ("queued", "in_progress") else None

        finished = wait_until(done, 60, "the task")
        assert finished.status_code == 303, finished.json()
        [proxy] = pictures(client.get(uwsgi_url + finished.headers["Location"], timeout=10).json()["proxies"])
        image = client.get(uwsgi_url + proxy["url"], timeout=10)
        assert image.headers["Content-Type"] == "image/png"
        assert image.headers["Cache-Control"].startswith("private"), "no shared cache keeps token-protected bytes"
        assert assert_not_blank(image.content).size == (400, 300)
        # Its bytes went from the file to the socket by sendfile(2), never through Python. uWSGI logs a request
        # once it has answered it: the line may come a moment after the bytes.
        served = wait_until(lambda: [line for line in LOGS[uwsgi_url].read_text().splitlines()
                                     if f"GET {proxy['url']} " in line], 10, "uWSGI's line for the download")
        assert all(f"generated {len(image.content)} bytes" in line and "via sendfile()" in line
                              for line in served), served

        # Shared without a token: the signed link works, the bare URL does not, a forged one neither.
        shared = requests.get(uwsgi_url + proxy["signed_url"], timeout=10)
        assert shared.content == image.content and shared.headers["Cache-Control"].startswith("public")
        assert requests.get(uwsgi_url + proxy["url"], timeout=10).status_code == 401
        forged = proxy["signed_url"].replace("signature=", "signature=0")
        assert requests.get(uwsgi_url + forged, timeout=10).status_code == 403

        # A browser is served AVIF, made on its first request and kept; a link may name WebP.
        browser = {"Accept": "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"}
        avif = requests.get(uwsgi_url + proxy["signed_url"], headers=browser, timeout=10)
        assert avif.headers["Content-Type"] == "image/avif" and avif.headers["Vary"] == "Accept"
        assert assert_not_blank(avif.content).size == (400, 300)
        webp = requests.get(f"{uwsgi_url}{proxy['signed_url']}&format=webp", timeout=10)
        assert webp.headers["Content-Type"] == "image/webp"
        png = Image.open(io.BytesIO(image.content)).convert("RGB")
        assert assert_not_blank(webp.content).convert("RGB").tobytes() == png.tobytes(), "every pixel kept"
        listing = client.get(uwsgi_url + finished.headers["Location"], timeout=10).json()["proxies"]
        kept = {each["typeidentifier"]: each["mimetype"] for each in pictures(listing)}
        assert kept == {"preview": "image/png", "preview.avif": "image/avif", "preview.webp": "image/webp"}

    def test_no_token_401_and_a_wrong_scope_403(self, uwsgi_url: str, service: Service) -> None:
        no_token = requests.post(f"{uwsgi_url}/ingest", files={"file": ("a.html", b"<p>x</p>")}, timeout=10)
        assert no_token.status_code == 401 and no_token.headers["WWW-Authenticate"].lower().startswith("bearer")
        reader = bearer(Settings.from_environ(service.environment), "proxy:read")
        wrong = requests.post(f"{uwsgi_url}/ingest", files={"file": ("a.html", b"<p>x</p>")},
                              headers={"Authorization": reader}, timeout=10)
        assert wrong.status_code == 403 and "proxy:create" in wrong.json()["message"]
        assert requests.get(f"{uwsgi_url}/status", timeout=10).status_code == 200, "readiness stays open"


def uwsgi_until_it_stops(service: Service, address: str) -> subprocess.CompletedProcess[str]:
    """Run the Dockerfile's command with PROXYSERVICE_HTTP=``address``, expecting it to stop by itself."""
    environment = {**os.environ, **service.environment, "PROXYSERVICE_HTTP": address, "UWSGI_VIRTUALENV": sys.prefix}
    return subprocess.run(dockerfile_command("Dockerfile"), cwd=ROOT, env=environment, capture_output=True,
                          text=True, timeout=30)


class TestNginxInFront:
    """uWSGI starts nginx in its own private runtime folder, and nginx goes when uWSGI goes."""

    def test_an_address_nginx_cannot_use_stops_uwsgi_before_it_starts(self, service: Service) -> None:
        stopped = uwsgi_until_it_stops(service, "127.0.0.1:8000; listen 0.0.0.0:80")
        assert stopped.returncode == 1 and "nginx.sh: PROXYSERVICE_HTTP='127.0.0.1:8000; listen 0.0.0.0:80' " \
            "is not host:port" in stopped.stdout + stopped.stderr

    def test_when_nginx_cannot_listen_uwsgi_stops(self, service: Service) -> None:
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            host, port = taken.getsockname()
            stopped = uwsgi_until_it_stops(service, f"{host}:{port}")
        log = stopped.stdout + stopped.stderr
        # The control daemon ends uWSGI gracefully, with status 0 (uWSGI 2.0 has no other).
        assert "Address already in use" in log and "goodbye to uWSGI" in log

    def test_stopping_uwsgi_stops_nginx_and_removes_its_folder(self, service: Service, tmp_path: Path,
                                                              uwsgi_url: str) -> None:
        log = tmp_path / "uwsgi.log"
        with running_uwsgi(service, log) as url:
            response = requests.get(f"{url}/status", timeout=10)
            assert response.headers["Server"] == "nginx", "nginx answers, and says no version"
            folder = runtime_folder(log)
            assert folder.stat().st_mode & 0o777 == 0o700 and folder.parent == Path(os.environ.get("TMPDIR", "/tmp"))
            assert requests.get(f"{uwsgi_url}/status", timeout=10).status_code == 200, "another instance beside it"
            nginx = int((folder / "nginx.pid").read_text())
            assert alive(nginx)
        assert not alive(nginx) and not folder.exists() and refuses_connections(url)

    def test_a_killed_uwsgi_takes_nginx_with_it(self, service: Service, tmp_path: Path) -> None:
        log = tmp_path / "uwsgi.log"
        with running_uwsgi(service, log) as url:
            folder = runtime_folder(log)
            nginx = int((folder / "nginx.pid").read_text())
            [master] = re.findall(r"spawned uWSGI master process \(pid: (\d+)\)", log.read_text())
            os.kill(int(master), signal.SIGKILL)
            # nginx's master is told (SIGTERM) and stops its worker: nothing keeps the port.
            wait_until(lambda: not alive(nginx) and refuses_connections(url), 10, "nginx to stop")
        # Nothing ran uWSGI's exit hook: the folder stays behind in TMPDIR.
        assert folder.exists()
        shutil.rmtree(folder)


class TestApiDocs:
    """GET /docs through uWSGI: Swagger UI's own files from the installed package, reading GET /openapi.yaml."""

    def test_the_page_its_files_and_the_contract_load(self, uwsgi_url: str) -> None:
        page = requests.get(f"{uwsgi_url}/docs/", timeout=10)
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        files = re.findall(r'(?:src|href)="(/docs/[^"]+)"', page.text)
        assert "/docs/swagger-ui-bundle.js" in files and not re.search(r'(?:src|href)="https?://', page.text), "no CDN"
        for path in files:
            assert requests.get(uwsgi_url + path, timeout=10).status_code == 200, path
        served = requests.get(f"{uwsgi_url}/openapi.yaml", timeout=10)
        assert yaml.safe_load(served.text) == yaml.safe_load((ROOT / "schema" / "openapi.yaml").read_text())
        references = set(re.findall(r"resources/([A-Za-z]+\.json)", served.text))
        assert references, "the contract refers to its schemas"
        for name in references:
            schema = requests.get(f"{uwsgi_url}/resources/{name}", timeout=10)
            assert schema.status_code == 200 and schema.json() == json.loads((ROOT / "schema" / "resources" / name).read_text())

    @pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed (config/install.sh installs it)")
    def test_a_browser_shows_every_operation(self, uwsgi_url: str, tmp_path: Path) -> None:
        rendered = subprocess.run(
            ["chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
             "--virtual-time-budget=10000", "--dump-dom", f"{uwsgi_url}/docs/"],
            capture_output=True, text=True, timeout=120)
        operations = yaml.safe_load((ROOT / "schema" / "openapi.yaml").read_text())["paths"]
        for path in operations:
            assert f'data-path="{path}"' in rendered.stdout, f"{path} is not on the page: {rendered.stderr[-500:]}"


class TestWebhooks:
    """callback_url through uWSGI and a real worker: a signed POST of the task's status when it ends."""

    def test_a_callback_arrives_signed_after_the_receiver_failed_twice(self, tmp_path: Path) -> None:
        receiver = Receiver(500, 503)  # fails twice, then takes it
        secret = "w" * 40
        try:
            with running_service(tmp_path, concurrency=1, WEBHOOK_ALLOWED_HOSTS=receiver.host,
                                 WEBHOOK_SECRET=secret, WEBHOOK_RETRY_SECONDS="1") as (service, _):
                with running_uwsgi(service, tmp_path / "uwsgi.log") as url:
                    token = {"Authorization": bearer(Settings.from_environ(service.environment))}
                    refused = requests.post(f"{url}/ingest", headers=token, timeout=10, json={
                        "path": str(service.sources / "plain.html"), "callback_url": "http://169.254.169.254/latest"})
                    assert refused.status_code == 400 and "WEBHOOK_ALLOWED_HOSTS" in refused.json()["message"]
                    accepted = requests.post(f"{url}/ingest", headers=token, timeout=10, files={
                        "file": ("called-back.html", b"<h1>Call me back</h1>")}, data={"callback_url": receiver.url})
                    assert accepted.status_code == 202, accepted.text
                    wait_until(lambda: len(receiver.received) >= 3, 60, "the callback, tried three times")
                    status = requests.get(url + accepted.headers["Location"], headers=token, allow_redirects=False,
                                          timeout=10).json()
        finally:
            receiver.server.shutdown()
        assert len(receiver.received) == 3, "two failures, then delivered"
        for headers, body in receiver.received:
            assert verify(secret, headers["Proxyservice-Signature"], body)
            assert json.loads(body) == status and status["status"] == "succeeded"
