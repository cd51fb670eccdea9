"""DELETE /files/<id> and ``proxyservice delete`` against a running service: a real worker, Redis, uWSGI for --url."""

import io
import json
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from proxyservice.client import NotFound, ProxyServiceClient
from proxyservice.config import Settings
from tests.conftest import bearer
from tests.e2e.conftest import Service, run_cli
from tests.e2e.served import running_uwsgi
from tests.e2e.test_client import run_remote
from tests.support import LISTED_PORT, SlowServer, pictures, wait_until


def upload(service: Service, name: str, content: bytes) -> tuple[str, str]:
    """Upload ``content``; its file id and the status URL of its task."""
    response = service.client.post("/ingest", data={"file": (io.BytesIO(content), name)},
                                   content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    return response.get_json()["file_id"], str(response.headers["Location"])


class TestDeleteAnIngestedFile:
    """An uploaded page, rendered by the worker, then deleted whole; ingested again, it is rendered again."""

    def test_deleted_whole_then_ingested_again(self, service: Service, tmp_path: Path) -> None:
        content = f"<h1>To be deleted {tmp_path.name}</h1>".encode()
        file_id, location = upload(service, "deleted.html", content)
        assert service.follow(location).get_json()["status"] == "succeeded"
        data = Path(service.environment["DATA_DIR"])
        kept_upload = data / "uploads" / file_id
        assert (data / "proxies" / file_id).is_dir() and kept_upload.is_dir()

        deleted = service.client.delete(f"/files/{file_id}")

        assert deleted.status_code == 204
        assert service.client.get(f"/files/{file_id}").status_code == 404
        assert service.client.get(f"/proxies/{file_id}/preview").status_code == 404
        assert service.client.get(location).status_code == 404
        assert not (data / "proxies" / file_id).exists(), "the store's folder of the file is gone"
        assert not kept_upload.exists(), "the uploaded file is gone"
        assert service.client.get(f"/files?name={tmp_path.name}").get_json()["files"] == []
        assert service.client.delete(f"/files/{file_id}").status_code == 404

        again_id, again = upload(service, "deleted.html", content)
        assert again_id == file_id
        assert service.follow(again).get_json()["status"] == "succeeded", "not reused: rendered again"
        [proxy] = pictures(service.client.get(f"/proxies/{file_id}").get_json()["proxies"])
        assert proxy["typeidentifier"] == "preview"


@pytest.fixture
def slow() -> Iterator[SlowServer]:
    server = SlowServer(delay=3.0, port=LISTED_PORT)
    yield server
    server.stop()


class TestDeletedWhileRunning:
    """The file is deleted while the worker renders it: once the task ends, nothing of the file is stored."""

    def test_nothing_is_left_once_the_task_ends(self, service: Service, slow: SlowServer, tmp_path: Path) -> None:
        hits = slow.hits
        page = slow.page(service.sources, f"deleted-slow-{tmp_path.name}.html")
        response = service.client.post("/ingest", json={"path": str(page)})
        assert response.status_code == 202, response.get_json()
        file_id = response.get_json()["file_id"]
        wait_until(lambda: slow.hits > hits, 30, "the render under way")

        assert service.client.delete(f"/files/{file_id}").status_code == 204

        data = Path(service.environment["DATA_DIR"])
        log = data.parent / "worker.log"  # running_service's, beside DATA_DIR
        dropped = f"ended after its file {file_id} was deleted"
        wait_until(lambda: dropped in log.read_text(errors="replace"), 60, "the task to end and drop its output")
        assert service.client.get(f"/files/{file_id}").status_code == 404
        store = data / "proxies" / file_id
        assert not store.exists() or not any(store.glob("*.json")), "no proxy of the deleted file stays"


class TestDeleteCommand:
    """``proxyservice delete`` on the service's host, by path or by id."""

    def test_by_path_then_nothing_is_known(self, service: Service, tmp_path: Path) -> None:
        path = service.sources / f"delete-{tmp_path.name}.png"
        Image.new("RGB", (64, 48), "teal").save(path)
        added = run_cli(service.environment, "add-file", str(path), "--wait", "--timeout", "60", "--json")
        assert added.returncode == 0, added.stderr
        file_id = json.loads(added.stdout)["file_id"]

        deleted = run_cli(service.environment, "delete", str(path))
        assert deleted.returncode == 0 and deleted.stdout == f"deleted {file_id}\n", deleted.stderr
        assert run_cli(service.environment, "show", file_id).returncode == 1

        again = run_cli(service.environment, "delete", file_id)
        assert again.returncode == 1 and again.stderr == (
            f"Error: the service knows nothing of {file_id} (neither ingested nor uploaded)\n")


@pytest.fixture(scope="module")
def client(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProxyServiceClient]:
    with running_uwsgi(service, tmp_path_factory.mktemp("delete") / "uwsgi.log") as url:
        yield ProxyServiceClient(url, bearer(Settings.from_environ(service.environment)).removeprefix("Bearer "))


class TestDeleteOverHttp:
    """The client and ``proxyservice delete --url`` against the service under uWSGI."""

    def test_the_client_then_the_command(self, client: ProxyServiceClient, tmp_path: Path) -> None:
        first = client.upload(io.BytesIO(f"<h1>One {tmp_path.name}</h1>".encode()), "one.html")
        client.delete_file(first.file_id)
        with pytest.raises(NotFound):
            client.file(first.file_id)
        with pytest.raises(NotFound):
            client.delete_file(first.file_id)

        page = tmp_path / "sent.html"
        page.write_text(f"<h1>Sent {tmp_path.name}</h1>")
        token = client.session.headers["Authorization"].removeprefix("Bearer ")
        added = json.loads(run_remote(client.url, token, "add-file", str(page), "--wait", "--json").stdout)
        deleted = run_remote(client.url, token, "delete", str(page))
        assert deleted.returncode == 0 and deleted.stdout == f"deleted {added['file_id']}\n", deleted.stderr
        again = run_remote(client.url, token, "delete", str(page))
        assert again.returncode == 1 and "knows nothing" in again.stderr
