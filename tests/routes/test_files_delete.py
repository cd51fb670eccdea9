"""DELETE /files/<id> through the Flask client: 204 then 404, the scope, and the parts that may be away."""

import io
from dataclasses import replace
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from proxyservice.container import Services
from proxyservice.domain import TaskState
from proxyservice.schemas import first_error
from proxyservice.services.store import StoreFailed
from proxyservice.services.task_records import InMemoryTaskRecords, RecordsUnavailable
from tests.conftest import authorized_client, services_of, store_sample_proxy
from tests.routes.test_proxies_s3 import app_on_bucket
from tests.services.test_task_records import record


def known_file(app: Flask, services: Services) -> str:
    """An uploaded file with a proxy, metadata and a task; its id."""
    upload = services.sources.save_upload(io.BytesIO(b"<p>to delete</p>"), "gone.html")
    file_id = upload.parent.name
    store_sample_proxy(app, file_id)
    services.records.put_metadata(file_id, "file", {"name": "gone.html"})
    services.records.put(replace(record("t-gone", TaskState.SUCCEEDED), file_id=file_id))
    return file_id


class TestDelete:
    """A known file is deleted whole; a second deletion finds nothing."""

    def test_204_then_nothing_is_known_and_the_second_is_404(
        self, app: Flask, client: FlaskClient, services: Services
    ) -> None:
        file_id = known_file(app, services)
        upload_folder = services.sources.upload_root / file_id

        deleted = client.delete(f"/files/{file_id}")

        assert deleted.status_code == 204 and deleted.data == b""
        assert client.get(f"/files/{file_id}").status_code == 404
        assert client.get(f"/proxies/{file_id}/preview").status_code == 404
        assert client.get("/status/t-gone").status_code == 404
        assert not upload_folder.exists()
        again = client.delete(f"/files/{file_id}")
        assert again.status_code == 404 and first_error("Error", again.get_json()) is None
        assert "no file" in again.get_json()["message"]

    def test_an_unknown_or_malformed_id_is_404(self, client: FlaskClient) -> None:
        assert client.delete("/files/" + "0" * 64).status_code == 404
        assert client.delete("/files/..%2F..").status_code == 404


class TestRefused:
    """Without the scope, nothing is deleted."""

    def test_a_token_without_the_delete_scope_is_403(self, app: Flask, settings: Any, services: Services) -> None:
        file_id = known_file(app, services)
        reader = authorized_client(app, settings, "proxy:read", "proxy:create")
        assert reader.delete(f"/files/{file_id}").status_code == 403
        assert reader.get(f"/files/{file_id}").status_code == 200

    def test_no_token_is_401(self, app: Flask) -> None:
        assert app.test_client().delete("/files/" + "0" * 64).status_code == 401


class TestAway:
    """A part is away: 503 with Retry-After, and the next call finishes the deletion."""

    def test_the_records_away(self, client: FlaskClient, services: Services) -> None:
        class Away(InMemoryTaskRecords):
            def forget_file(self, file_id: str) -> bool:
                raise RecordsUnavailable("task records at db: connection refused")

        services.records = Away()  # type: ignore[assignment]
        response = client.delete("/files/" + "0" * 64)
        assert response.status_code == 503 and "Retry-After" in response.headers
        assert first_error("Error", response.get_json()) is None

    def test_the_store_away_then_back(self, app: Flask, client: FlaskClient, services: Services) -> None:
        file_id = known_file(app, services)
        forget = services.store.forget

        def away(file_id: str) -> bool:
            raise StoreFailed("cannot remove the proxies: Connection refused")

        services.store.forget = away  # type: ignore[method-assign]
        response = client.delete(f"/files/{file_id}")
        assert response.status_code == 503 and "Retry-After" in response.headers
        assert "delete it again" in response.get_json()["message"]

        services.store.forget = forget  # type: ignore[method-assign]
        assert client.delete(f"/files/{file_id}").status_code == 204, "the records were gone; the proxies were not"
        assert services.store.list(file_id) == []
        assert client.delete(f"/files/{file_id}").status_code == 404


class TestOnABucket:
    """STORE_URL: the proxies and the staged upload are objects; the deletion removes them all."""

    def test_nothing_of_the_file_is_left_in_the_bucket(self, settings: Any, s3_url: Any) -> None:
        app = app_on_bucket(settings, s3_url, redirect=False)
        services = services_of(app)
        file_id = known_file(app, services)
        other = services.sources.save_upload(io.BytesIO(b"<p>stays</p>"), "stays.html").parent.name
        assert any(file_id in key for key in s3_url.keys())

        client = authorized_client(app, settings)
        assert client.delete(f"/files/{file_id}").status_code == 204

        assert [key for key in s3_url.keys() if file_id in key] == []
        assert s3_url.keys() == [f"service/uploads/{other}/stays.html"]
        assert client.delete(f"/files/{file_id}").status_code == 404
