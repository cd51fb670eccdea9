"""The sandbox through a real worker: hostile pages ingested by path and by upload, canaries, readiness.

The module runs a service of its own with no allowed host, so that every
connection the canary sees would be a leak.
"""

import io
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.canary import SECRET_TEXT, Canary, magenta_pixels, plant_secrets, reader_script, symlink
from tests.e2e.conftest import Service, running_service
from tests.services.test_renderer_sandbox import FILE_REFERENCES, MetricsServer, every_request
from tests.support import LISTED_PORT, pictures


@pytest.fixture(scope="module")
def sealed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running_service(tmp_path_factory.mktemp("sealed"), RENDER_ALLOWED_HOSTS="") as (service, _):
        yield service


@pytest.fixture(scope="module")
def canary() -> Iterator[Canary]:
    server = Canary(LISTED_PORT)  # the port the session's service lists
    yield server
    server.close()


@pytest.fixture(scope="module")
def layout(sealed: Service) -> dict[str, Path]:
    """A package's documentation under the source root, another package beside it, secrets outside."""
    html = sealed.sources / "pkg" / "html"
    html.mkdir(parents=True)
    secrets = plant_secrets(sealed.sources.parent / "outside")
    other = plant_secrets(sealed.sources / "other")
    (html / "notes.txt").write_text(SECRET_TEXT)
    symlink(secrets["image"], html / "linked-canary.png")
    symlink(secrets["image"].parent, html / "link")
    return {"html": html, "image": secrets["image"], "text": secrets["text"], "other": other["image"]}


def outcome(service: Service, response: Any) -> dict[str, Any]:
    """The finished task of an ingest, and its preview's bytes if it made one."""
    assert response.status_code == 202, response.get_json()
    finished = service.follow(response.headers["Location"])
    body: dict[str, Any] = finished.get_json()
    if finished.status_code == 303:
        [proxy] = pictures(service.client.get(f"/proxies/{body['file_id']}").get_json()["proxies"])
        body["preview"] = service.client.get(proxy["url"]).data
    return body


def document(html: str) -> str:
    """A whole page of its own bytes (a doctype, so it is taken for HTML; a nonce, so it is rendered anew)."""
    return f"<!DOCTYPE html>\n<html><!-- {uuid.uuid4().hex} --><body>{html}</body></html>"


def by_path(service: Service, folder: Path, html: str) -> dict[str, Any]:
    page = folder / f"page-{uuid.uuid4().hex[:8]}.html"
    page.write_text(document(html))
    return outcome(service, service.client.post("/ingest", json={"path": str(page)}))


def by_upload(service: Service, html: str) -> dict[str, Any]:
    upload = {"file": (io.BytesIO(document(html).encode()), f"page-{uuid.uuid4().hex[:8]}.html")}
    return outcome(service, service.client.post("/ingest", data=upload, content_type="multipart/form-data"))


class TestNoNetworkThroughTheWorker:
    """Pages ingested by path and by upload reach no server."""

    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]"])
    def test_the_canary_receives_nothing(self, sealed: Service, layout: dict[str, Path], canary: Canary,
                                         host: str) -> None:
        by_path(sealed, layout["html"], every_request(canary, host))
        by_upload(sealed, every_request(canary, host))
        assert canary.settle() == []


class TestNoFilesThroughTheWorker:
    """Secrets outside the page's tree never show in a proxy."""

    def test_images_out_of_the_tree(self, sealed: Service, layout: dict[str, Path]) -> None:
        for reference in FILE_REFERENCES:
            ref = reference.format(image=layout["image"], other=layout["other"])
            html = (f'<h1>files</h1><img src="{ref}"><iframe src="{ref}" width="600" height="600"></iframe>'
                    f'<div style="width:600px;height:600px;background:url({ref})"></div>')
            for result in (by_path(sealed, layout["html"], html), by_upload(sealed, html)):
                assert result["status"] == "succeeded", result
                assert magenta_pixels(result["preview"]) == 0, reference

    def test_scripts_read_no_secret(self, sealed: Service, layout: dict[str, Path]) -> None:
        for ref in ("notes.txt", "../../other/secret.txt", f"file://{layout['text']}", "../../../outside/secret.txt"):
            html = f"<h1>read</h1>{reader_script(ref)}"
            for result in (by_path(sealed, layout["html"], html), by_upload(sealed, html)):
                assert result["status"] == "succeeded", result
                assert magenta_pixels(result["preview"]) == 0, ref
                assert SECRET_TEXT not in str(result), ref

    def test_control_a_secret_in_the_tree_shows(self, sealed: Service, layout: dict[str, Path]) -> None:
        """The check can fail: the same reader, pointed at a stylesheet of the tree, paints the page."""
        (layout["html"] / "shared.css").write_text(SECRET_TEXT)
        result = by_path(sealed, layout["html"], f"<h1>read</h1>{reader_script('shared.css')}")
        assert magenta_pixels(result["preview"]) > 1000


class TestMessagesThroughTheWorker:
    """A task's warnings and error say the same of a file that exists and of one that does not."""

    def test_existing_and_missing_files_read_alike(self, sealed: Service, layout: dict[str, Path]) -> None:
        said = []
        for target in ("/etc/shadow", "/etc/no-such-file-0b2c", str(layout["text"])):
            folder = layout["html"] / uuid.uuid4().hex[:8]
            folder.mkdir()
            (folder / "page.html").write_text(document(f'<meta http-equiv="refresh" content="0; url=file://{target}">'
                                                       f'<img src="file://{target}"><h1>x</h1>'))
            result = outcome(sealed, sealed.client.post("/ingest", json={"path": str(folder / "page.html")}))
            said.append((result["status"], result["error"], result["warnings"]))
        assert said[0] == said[1] == said[2]
        assert "/etc" not in str(said) and "outside/" not in str(said)


class TestReadiness:
    """The orchestrator sees the workers' sandbox."""

    def test_the_renderer_entry_names_the_sandbox_of_a_worker(self, sealed: Service) -> None:
        body = sealed.client.get("/status").get_json()
        renderer = body["checks"]["renderer"]
        assert renderer["up"] is True and renderer["sandbox"].startswith("bubblewrap ")
        assert renderer["worker"] in body["checks"]["workers"]["workers"]


class TestNoSandbox:
    """A worker whose sandbox cannot start runs no converter, and says why."""

    def test_tasks_fail_with_the_reason_and_readiness_says_why(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        root = tmp_path_factory.mktemp("nosandbox")
        with running_service(root, BWRAP=str(root / "no-such-bwrap"), RESOURCE_WAIT_SECONDS="3") as (service, _):
            page = service.sources / "plain.html"
            result = outcome(service, service.client.post("/ingest", json={"path": str(page)}))
            assert result["status"] == "failed"
            # A worker without its sandbox is a resource away: the task waits for another worker, then gives up.
            assert result["error"].startswith("gave up after ")
            assert "the converter sandbox (bubblewrap) cannot start on this worker, so no converter is run" in result["error"]
            assert "no-such-bwrap" in result["error"]
            readiness = service.client.get("/status")
            assert readiness.status_code == 503
            renderer = readiness.get_json()["checks"]["renderer"]
            assert renderer["up"] is False and "cannot start on this worker" in renderer["error"]
            assert not list((Path(service.environment["DATA_DIR"]) / "proxies").glob("*/blobs/*")), "nothing rendered"


class TestAllowedHostsThroughTheWorker:
    """With 127.0.0.1 allowed on one port (the session's service), other ports and redirects out of it lead nowhere."""

    def test_another_port_of_the_allowed_host_is_not_drawn(self, service: Service, canary: Canary) -> None:
        """Issue 19, item 8: an iframe of the allowed host's other port drew the worker's own metrics."""
        metrics = MetricsServer()
        try:
            metrics_url = f"http://127.0.0.1:{metrics.port}/metrics"
            html = (f'<h1>metrics</h1><iframe src="{metrics_url}" width="600" height="400"></iframe>'
                    f'<iframe src="{canary.url("/to-file?" + metrics_url)}" width="300" height="200"></iframe>')
            result = by_path(service, service.sources, html)
            assert result["status"] == "succeeded", result
            assert metrics.hits == [] and magenta_pixels(result["preview"]) == 0
            assert [hit for hit in canary.settle() if "/to-file" in hit], "the listed port was reached"
        finally:
            metrics.close()

    def test_a_redirect_to_another_host_or_to_a_file_is_not_followed(
            self, service: Service, canary: Canary, tmp_path: Path) -> None:
        secrets = plant_secrets(tmp_path / "outside")
        other = Canary()
        try:
            to_other = canary.url("/to-file?" + other.url("/after-redirect", "localhost"))
            to_file = canary.url("/to-file?file://" + str(secrets["image"]))
            html = (f'<h1>redirects</h1><img src="{to_other}"><iframe src="{to_other}"></iframe>'
                    f'<img src="{to_file}"><iframe src="{to_file}" width="600" height="600"></iframe>'
                    f'<script>new WebSocket("{canary.url("/ws", scheme="ws")}");</script>')
            result = by_path(service, service.sources, html)
            assert result["status"] == "succeeded", result
            assert magenta_pixels(result["preview"]) == 0
            hits = canary.settle()
            assert [hit for hit in hits if "/to-file" in hit], "the allowed host was reached, through the proxy"
            assert not [hit for hit in hits if hit.startswith("WS ")], "a WebSocket finds no network"
            assert other.settle() == []
        finally:
            other.close()


@pytest.fixture(scope="module")
def paused(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Any]]:
    """A service whose worker the tests stop and start: files are changed between ingest and render."""
    with running_service(tmp_path_factory.mktemp("swaps"), RENDER_ALLOWED_HOSTS="") as started:
        yield started


class TestChangedAfterIngest:
    """What a page was at ingest is what is rendered, or nothing is: a swap never shows a secret or poisons."""

    def ingest_then_swap(self, paused: tuple[Service, Any], swap: Any) -> dict[str, Any]:
        service, worker = paused
        folder = service.sources / "swaps" / uuid.uuid4().hex[:8]
        folder.mkdir(parents=True)
        page = folder / "page.html"
        page.write_text(document("<h1>Quarterly report</h1>"))
        worker.stop()
        try:
            response = service.client.post("/ingest", json={"path": str(page)})
            assert response.status_code == 202
            swap(page)
        finally:
            worker.start()
        return outcome(service, response)

    def test_bytes_changed_before_the_render_are_refused(self, paused: tuple[Service, Any]) -> None:
        result = self.ingest_then_swap(paused, lambda page: page.write_text(
            document('<h1 style="background:rgb(255,0,255);height:700px">HACKED</h1>')))
        assert result["status"] == "failed" and "changed since it was ingested" in result["error"]
        assert "preview" not in result

    def test_a_link_to_the_data_folder_swapped_in_is_refused(self, paused: tuple[Service, Any]) -> None:
        service, _ = paused
        secret = Path(service.environment["DATA_DIR"]) / "secret-of-the-service.txt"
        secret.write_text(SECRET_TEXT)

        def to_the_secret(page: Path) -> None:
            page.unlink()
            page.symlink_to(secret)

        result = self.ingest_then_swap(paused, to_the_secret)
        assert result["status"] == "failed" and SECRET_TEXT not in str(result)
        assert "preview" not in result

    def test_the_data_folder_is_never_read_by_path(self, paused: tuple[Service, Any]) -> None:
        service, _ = paused
        (service.sources / "data").symlink_to(Path(service.environment["DATA_DIR"]))
        records = Path(service.environment["DATA_DIR"]) / "tasks.sqlite3"
        assert records.exists()
        for path in (service.sources / "data" / "tasks.sqlite3", records):
            response = service.client.post("/ingest", json={"path": str(path)})
            assert response.status_code == 403, response.get_json()
