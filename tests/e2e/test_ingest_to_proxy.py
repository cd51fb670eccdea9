"""Ingest, follow, fetch: the whole path through a real worker and the real renderer."""

import io
import shutil
import uuid
from pathlib import Path

import pytest

from proxyservice.schemas import first_error
from tests.e2e.conftest import DOCS, Service, running_service
from tests.support import (LISTED_PORT, RabbitMQServer, SharedRabbitMQ, assert_not_blank, mean_difference,
                           pictures)


def unique_copy(service: Service, name: str) -> Path:
    """A copy of a fixture with bytes of its own, so no earlier test made its proxy."""
    copy = service.sources / f"{uuid.uuid4().hex}-{name}"
    copy.write_bytes((service.sources / name).read_bytes() + f"\n<!-- {copy.name} -->".encode())
    return copy


def ingest(service: Service, path: Path, **options: object) -> tuple[str, dict[str, object]]:
    response = service.client.post("/ingest", json={"path": str(path), **options})
    assert response.status_code == 202, response.get_json()
    assert first_error("IngestResult", response.get_json()) is None
    return response.headers["Location"], response.get_json()


def finished(service: Service, location: str) -> dict[str, object]:
    response = service.follow(location)
    body = response.get_json()
    assert first_error("TaskStatus", body) is None
    assert response.status_code == 303, body
    assert response.headers["Location"] == f"/proxies/{body['file_id']}"
    return body  # type: ignore[no-any-return]


def preview_of(service: Service, file_id: object) -> bytes:
    listing = service.client.get(f"/proxies/{file_id}")
    assert listing.status_code == 200 and first_error("ProxyList", listing.get_json()) is None
    [proxy] = pictures(listing.get_json()["proxies"])
    assert (proxy["typeidentifier"], proxy["mimetype"], proxy["filename"]) == ("preview", "image/png", "preview.png")
    image = service.client.get(proxy["url"])
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert len(image.data) == proxy["bytes"]
    return image.data


class TestHtmlPage:
    """A page with its stylesheet, by path."""

    def test_ingest_follow_and_fetch_the_preview(self, service: Service) -> None:
        location, accepted = ingest(service, unique_copy(service, "styled.html"))
        status = finished(service, location)
        assert status["warnings"] == [] and status["error"] is None
        image = assert_not_blank(preview_of(service, accepted["file_id"]))
        assert image.size == (400, 300)
        # The page's own stylesheet painted the body #1f4e8c.
        r, g, b = image.convert("RGB").getpixel((3, 296))
        assert abs(r - 0x1F) < 8 and abs(g - 0x4E) < 8 and abs(b - 0x8C) < 8

    def test_the_same_file_again_sees_other_without_rendering(self, service: Service) -> None:
        original = unique_copy(service, "plain.html")
        location, accepted = ingest(service, original)
        first = finished(service, location)
        again = service.client.post("/ingest", json={"path": str(original)})
        assert again.status_code == 303
        assert again.headers["Location"] == f"/proxies/{accepted['file_id']}"
        assert service.client.get(location).get_json()["finished"] == first["finished"]

    def test_the_same_bytes_elsewhere_are_another_file(self, service: Service) -> None:
        """A page's preview depends on the files around it: a copy in another folder is rendered for itself,
        and can never hand its look to the first (docs/security.md)."""
        original = unique_copy(service, "plain.html")
        location, accepted = ingest(service, original)
        finished(service, location)
        elsewhere = service.sources / "elsewhere"
        elsewhere.mkdir(exist_ok=True)
        copy = elsewhere / original.name
        shutil.copy(original, copy)
        other = service.client.post("/ingest", json={"path": str(copy)})
        assert other.status_code == 202 and other.get_json()["file_id"] != accepted["file_id"]

    def test_a_requested_size_is_kept_beside_the_first(self, service: Service) -> None:
        page = unique_copy(service, "styled.html")
        location, accepted = ingest(service, page)
        finished(service, location)
        location, _ = ingest(service, page, size={"width": 160, "height": 160})
        finished(service, location)
        sized = service.client.get(f"/proxies/{accepted['file_id']}/preview@160x160").data
        assert assert_not_blank(sized).size == (160, 120)
        first = service.client.get(f"/proxies/{accepted['file_id']}/preview").data
        assert assert_not_blank(first).size == (400, 300)
        # Back to the first size: still there, nothing is made again.
        again = service.client.post("/ingest", json={"path": str(page)})
        assert again.status_code == 303 and again.get_json()["tasks"][0]["reused"]

    def test_the_etag_answers_not_modified(self, service: Service) -> None:
        location, accepted = ingest(service, unique_copy(service, "styled.html"))
        finished(service, location)
        url = f"/proxies/{accepted['file_id']}/preview"
        etag = service.client.get(url).headers["ETag"]
        assert service.client.get(url, headers={"If-None-Match": etag}).status_code == 304


class TestUpload:
    """A page uploaded in the request."""

    def test_an_uploaded_page_gets_its_preview(self, service: Service) -> None:
        page = b"<html><body style='background:#8e44ad;color:#fff;font-size:60px'><h1>Uploaded page</h1><p>with text</p></body></html>"
        response = service.client.post(
            "/ingest", data={"file": (io.BytesIO(page), "upload.html")}, content_type="multipart/form-data"
        )
        assert response.status_code == 202
        finished(service, response.headers["Location"])
        assert_not_blank(preview_of(service, response.get_json()["file_id"]))


class TestPagesThatMisbehave:
    """Real-world trouble: unreachable web fonts, pages that never finish."""

    def test_unreachable_web_fonts_still_give_a_proxy_with_warnings(self, service: Service) -> None:
        location, accepted = ingest(service, unique_copy(service, "webfont.html"))
        status = finished(service, location)
        warnings = status["warnings"]
        assert isinstance(warnings, list) and any("fonts.googleapis.com" in w for w in warnings)
        assert_not_blank(preview_of(service, accepted["file_id"]))

    def test_a_page_that_never_loads_fails_as_timed_out(self, service: Service) -> None:
        import socket

        with socket.socket() as silent:
            silent.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            silent.bind(("127.0.0.1", LISTED_PORT))
            silent.listen(4)
            page = service.sources / "never-loads.html"
            page.write_text(f'<html><body><img src="http://127.0.0.1:{silent.getsockname()[1]}/x.png"></body></html>')
            location, _ = ingest(service, page)
            response = service.follow(location)
        body = response.get_json()
        assert response.status_code == 200 and body["status"] == "failed"
        assert "took longer than 8 s (RENDER_TIMEOUT)" in body["error"]
        # The worker goes on: the next page renders.
        location, _ = ingest(service, unique_copy(service, "styled.html"), size={"width": 120, "height": 90})
        finished(service, location)


REAL_PAGES = [
    DOCS / "nodejs/api/fs.html",
    DOCS / "python3.11/html/library/os.html",
]


@pytest.mark.parametrize("page", REAL_PAGES, ids=lambda p: p.name)
class TestRealWorldDocumentation:
    """Pages that ship with Debian packages, with stylesheets, scripts and web-font links."""

    def test_it_renders_with_its_stylesheet(self, service: Service, page: Path) -> None:
        assert page.is_file(), f"{page} is missing: run config/install.sh"
        location, accepted = ingest(service, page)
        styled = assert_not_blank(preview_of(service, finished(service, location)["file_id"]))

        # The same page without the files beside it: if the stylesheet applied,
        # the two previews differ.
        bare = service.sources / f"bare-{page.name}"
        bare.write_bytes(page.read_bytes() + b"\n<!-- bare copy -->")
        location, _ = ingest(service, bare)
        unstyled = assert_not_blank(preview_of(service, finished(service, location)["file_id"]))
        assert mean_difference(styled, unstyled) > 3.0


class TestOnRabbitMQ:
    """BROKER_URL=amqp://…: the machine's RabbitMQ (a virtual host of the test's own), or a node of its own."""

    def test_ingest_by_path_and_upload_follow_and_fetch(self, tmp_path: Path) -> None:
        broker = SharedRabbitMQ.made()
        if broker is None:
            if not RabbitMQServer.installed():
                pytest.skip("no RabbitMQ at 127.0.0.1:5672 and rabbitmq-server is not installed (config/install.sh)")
            broker = RabbitMQServer(tmp_path / "rabbitmq").start()
        with running_service(tmp_path, concurrency=1, broker=broker) as (service, _):
            assert service.environment["BROKER_URL"].startswith("amqp://")
            assert service.client.get("/status").status_code == 200
            location, accepted = ingest(service, service.sources / "styled.html")
            finished(service, location)
            assert_not_blank(preview_of(service, accepted["file_id"]))
            upload = service.client.post("/ingest", data={"file": (io.BytesIO(b"<h1>Over AMQP</h1>" * 20), "amqp.html")},
                                         content_type="multipart/form-data")
            assert upload.status_code == 202, upload.get_json()
            finished(service, upload.headers["Location"])
            assert_not_blank(preview_of(service, upload.get_json()["file_id"]))


class TestSeveralSizes:
    """A file asked for at several sizes: each is made, and each is kept beside the others."""

    def test_named_sizes_side_by_side_and_each_kept(self, service: Service) -> None:
        page = unique_copy(service, "styled.html")
        accepted = service.client.post("/ingest", json={"path": str(page), "sizes": ["thumbnail", "large"]})
        assert accepted.status_code == 202, accepted.get_json()
        body = accepted.get_json()
        assert len(body["tasks"]) == 2
        for task in body["tasks"]:
            assert service.follow(task["status_url"]).status_code == 303
        # Then the default size, later: it replaces neither.
        plain = service.client.post("/ingest", json={"path": str(page)})
        assert service.follow(plain.headers["Location"]).status_code == 303
        listing = service.client.get(f"/proxies/{body['file_id']}").get_json()["proxies"]
        boxes = {proxy["typeidentifier"]: (proxy["width"], proxy["height"]) for proxy in pictures(listing)}
        assert boxes == {"preview": (400, 300), "preview@large": (1024, 768), "preview@thumbnail": (200, 150)}
        for name, (width, height) in boxes.items():
            image = assert_not_blank(service.client.get(f"/proxies/{body['file_id']}/{name}").data)
            assert image.size == (width, height)
        again = service.client.post("/ingest", json={"path": str(page), "sizes": ["large", "thumbnail"]})
        assert again.status_code == 303 and all(task["reused"] for task in again.get_json()["tasks"])

    def test_an_unknown_size_is_404_with_the_sizes_there_are(self, service: Service) -> None:
        answer = service.client.post("/ingest", json={"path": str(service.sources / "plain.html"), "sizes": ["huge"]})
        assert answer.status_code == 404
        assert answer.get_json()["message"] == "sizes: 'huge' is not a size of PROXY_SIZES (thumbnail, preview, large)"
