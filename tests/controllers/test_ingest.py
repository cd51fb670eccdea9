"""The ingest controller, with an in-memory task queue in the app's service container."""

from http import HTTPStatus
from pathlib import Path
from typing import Iterator
from unittest import mock

import pytest
from flask import Flask
from werkzeug.exceptions import BadRequest, Forbidden, NotFound, ServiceUnavailable, UnsupportedMediaType

from proxyservice.container import Services
from proxyservice.controllers import ingest
from proxyservice.domain import TaskState
from proxyservice.services.task_queue import InMemoryTaskQueue


@pytest.fixture
def queue(app: Flask, services: Services) -> Iterator[InMemoryTaskQueue]:
    memory = InMemoryTaskQueue()
    services.queue = memory  # type: ignore[assignment]  # the in-memory queue sends as the real one does
    with app.test_request_context():
        yield memory


class TestAccepted:
    """A new HTML file under a source root."""

    def test_tasks_are_queued_and_located(self, queue: InMemoryTaskQueue, services: Services, source_dir: Path) -> None:
        data, status, headers = ingest.ingest_path(services, str(source_dir / "plain.html"), {})
        assert status is HTTPStatus.ACCEPTED
        task = data["tasks"][0]
        assert headers["Location"] == f"/status/{task['task_id']}"
        assert task["status"] == "queued" and len(queue.sent) == 1
        assert services.records.get(task["task_id"]).state is TaskState.QUEUED

    def test_the_same_bytes_with_a_finished_proxy_see_other(self, queue: InMemoryTaskQueue, services: Services, source_dir: Path) -> None:
        data, _, _ = ingest.ingest_path(services, str(source_dir / "plain.html"), {})
        records = services.records
        task_id = data["tasks"][0]["task_id"]
        records.mark_finished(task_id, TaskState.SUCCEEDED)
        with mock.patch.object(services.store, "list", return_value=["a proxy"]):
            again, status, headers = ingest.ingest_path(services, str(source_dir / "plain.html"), {})
            forced, forced_status, _ = ingest.ingest_path(services, str(source_dir / "plain.html"), {"force": True})
        assert status is HTTPStatus.SEE_OTHER
        assert headers["Location"] == f"/proxies/{data['file_id']}"
        assert again["tasks"][0]["reused"] is True
        assert forced_status is HTTPStatus.ACCEPTED and len(queue.sent) == 2


class TestPluginChoice:
    """Which plugins an ingest uses."""

    def test_the_proxy_group_means_every_enabled_plugin_that_handles_the_file(
        self, queue: InMemoryTaskQueue, services: Services, source_dir: Path
    ) -> None:
        data, _, _ = ingest.ingest_path(services, str(source_dir / "plain.html"), {"plugins": ["@proxy"]})
        assert [task["plugin"] for task in data["tasks"]] == ["html_preview::HTMLPreview"]

    def test_a_named_plugin_takes_a_file_whose_extension_it_handles(
        self, queue: InMemoryTaskQueue, services: Services, source_dir: Path
    ) -> None:
        """Whatever the content looks like: a .html file whose bytes libmagic calls a PNG."""
        from tests.samples import png_bytes

        (source_dir / "odd.html").write_bytes(png_bytes())
        unnamed, _, _ = ingest.ingest_path(services, str(source_dir / "odd.html"), {})
        assert [task["plugin"] for task in unnamed["tasks"]] == ["image_thumbnail::ImageThumbnail"]
        named, _, _ = ingest.ingest_path(services, str(source_dir / "odd.html"), {"plugins": ["html_preview::HTMLPreview"]})
        assert [task["plugin"] for task in named["tasks"]] == ["html_preview::HTMLPreview"]

    def test_named_plugins_that_do_not_handle_the_file(self, queue: InMemoryTaskQueue, services: Services, source_dir: Path) -> None:
        with pytest.raises(UnsupportedMediaType, match="none of the plugins named"):
            ingest.ingest_path(services, str(source_dir / "plain.html"), {"plugins": ["pdf_thumbnail::PDFThumbnail"]})


class TestRefused:
    """Requests that cannot be served, each with its own error."""

    def test_a_path_outside_the_roots(self, queue: InMemoryTaskQueue, services: Services) -> None:
        with pytest.raises(Forbidden, match="^403 Forbidden: path: .*outside"):
            ingest.ingest_path(services, "/etc/passwd", {})

    def test_a_missing_file(self, queue: InMemoryTaskQueue, services: Services, source_dir: Path) -> None:
        with pytest.raises(NotFound, match="no file"):
            ingest.ingest_path(services, str(source_dir / "absent.html"), {})

    def test_a_type_no_plugin_handles(self, queue: InMemoryTaskQueue, services: Services, source_dir: Path) -> None:
        (source_dir / "notes.bin").write_bytes(b"\x00\x01")
        with pytest.raises(UnsupportedMediaType, match="no enabled plugin"):
            ingest.ingest_path(services, str(source_dir / "notes.bin"), {})

    def test_a_plugin_that_is_not_enabled(self, queue: InMemoryTaskQueue, services: Services, source_dir: Path) -> None:
        with pytest.raises(NotFound, match="plugins: 'nope::Nope' is not an enabled plugin"):
            ingest.ingest_path(services, str(source_dir / "plain.html"), {"plugins": ["nope::Nope"]})

    def test_a_size_over_the_limit(self, queue: InMemoryTaskQueue, services: Services, source_dir: Path) -> None:
        with pytest.raises(BadRequest, match="size: "):
            ingest.ingest_path(services, str(source_dir / "plain.html"), {"size": {"width": 5000, "height": 10}})

    def test_the_broker_down_records_nothing(self, queue: InMemoryTaskQueue, services: Services, source_dir: Path) -> None:
        queue.available = False
        with pytest.raises(ServiceUnavailable, match="broker .BROKER_URL. is unreachable"):
            ingest.ingest_path(services, str(source_dir / "plain.html"), {})
        assert services.records.in_state(TaskState.QUEUED) == []
