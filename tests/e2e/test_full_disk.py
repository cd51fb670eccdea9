"""A full disk is a moment's trouble: ingest answers 503, and a worker waits and tries again.

The service's data folder is a small tmpfs of the test's own (so mounting
needs root, which the test machines have), filled and emptied by the test.
"""

import io
import os
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e.conftest import Service, running_service
from tests.support import Worker, fill, small_disk, wait_until

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
SIZE_MB = 24
MIN_FREE_MB = 4


@pytest.fixture(scope="module", name="small_disk")
def small_disk_fixture() -> Iterator[Path]:
    with small_disk(SIZE_MB) as folder:
        yield folder


@pytest.fixture(scope="module")
def on_small_disk(small_disk: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Worker]]:
    root = tmp_path_factory.mktemp("full-disk")
    with running_service(root, concurrency=1, DATA_DIR=str(small_disk / "data"), STORE_MIN_FREE_MB=str(MIN_FREE_MB),
                         RESOURCE_WAIT_SECONDS="180") as started:
        yield started


class TestIngestOnAFullDisk:
    """Nothing is written or queued; the client is told to come back."""

    def test_a_path_ingest_gets_503_with_retry_after(self, on_small_disk: tuple[Service, Worker], small_disk: Path) -> None:
        service, _ = on_small_disk
        filler = fill(small_disk, leave_mb=1)
        try:
            response = service.client.post("/ingest", json={"path": str(service.sources / "plain.html")})
            assert response.status_code == 503 and response.headers["Retry-After"] == "60"
            assert "the proxy store's disk is full" in response.get_json()["message"]
        finally:
            filler.unlink()

    def test_an_upload_that_fills_the_disk_gets_503_and_leaves_nothing(
            self, on_small_disk: tuple[Service, Worker], small_disk: Path) -> None:
        service, _ = on_small_disk
        filler = fill(small_disk, leave_mb=MIN_FREE_MB + 1)  # room enough to start, not to finish
        try:
            upload = {"file": (io.BytesIO(b"<!DOCTYPE html><p>" + b"x" * (8 * 1024 * 1024)), "big.html")}
            response = service.client.post("/ingest", data=upload, content_type="multipart/form-data")
            assert response.status_code == 503, response.get_json()
            assert "the upload could not be kept: No space left on device" in response.get_json()["message"]
            uploads = small_disk / "data" / "uploads"
            assert not [path for path in uploads.rglob("*") if path.is_file()], "no partial upload is left"
        finally:
            filler.unlink()


class TestRenderOnAFullDisk:
    """A task that meets a full disk waits, says why, and finishes once there is room."""

    def test_it_is_retried_until_there_is_room(self, on_small_disk: tuple[Service, Worker], small_disk: Path) -> None:
        service, worker = on_small_disk
        worker.stop()
        page = service.sources / "waits-for-room.html"
        page.write_text("<!DOCTYPE html><html><body><h1>Waiting for room</h1></body></html>")
        response = service.client.post("/ingest", json={"path": str(page)})
        assert response.status_code == 202
        location = response.headers["Location"]
        filler = fill(small_disk, leave_mb=1)
        try:
            worker.start()
            said = wait_until(lambda: (service.client.get(location).get_json().get("error") or ""), 30,
                              "the task to say why it waits")
            assert said.startswith("will retry: the proxy store's disk is full"), said
        finally:
            filler.unlink()
        finished = service.follow(location, timeout=120)
        assert finished.status_code == 303, finished.get_json()
