"""Many hosts: a web app and a real worker that share no disk, one bucket (STORE_URL) between them.

The web app keeps uploads in one DATA_DIR, the worker works in another, and a
replica of the web app in a third: an upload reaches the worker only through
the object storage, and the proxy the worker made reaches the replicas only
through it too. The task records are the one thing shared on disk here (a
SQLite file both DATA_DIRs link to); between real hosts they are a database
every host reaches.
"""

import io
import urllib.request
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import pytest
import requests
from flask.testing import FlaskClient

from proxyservice.config import Settings
from proxyservice.factory import create_web_app
from proxyservice.schemas import first_error
from tests.conftest import ObjectStorage, bearer
from tests.e2e.conftest import Service, running_service
from tests.e2e.test_ingest_to_proxy import finished
from tests.e2e.served import running_uwsgi
from tests.support import assert_not_blank, pictures

# A page whose preview is unmistakable: a deep blue body, a white heading.
PAGE = (b"<!DOCTYPE html><html><head><style>body{background:#1f4e8c;margin:0}h1{color:#fff;font-size:60px}"
        b"</style></head><body><h1>Staged upload</h1></body></html>")


@pytest.fixture
def hosts(tmp_path: Path, s3_url: ObjectStorage) -> Iterator[tuple[Service, Path, Path]]:
    """A worker with DATA_DIR ``data``, the app with ``web-data``; STORE_URL a fresh bucket for both."""
    worker_data, web_data, records = tmp_path / "data", tmp_path / "web-data", tmp_path / "records"
    for folder in (worker_data, web_data, records):
        folder.mkdir()
    for data in (worker_data, web_data):
        (data / "tasks.sqlite3").symlink_to(records / "tasks.sqlite3")
    with running_service(tmp_path, concurrency=1, web={"DATA_DIR": str(web_data)}, STORE_URL=s3_url.url,
                         **s3_url.environment) as (service, _):
        yield service, web_data, worker_data


def files_under(folder: Path) -> list[str]:
    """The regular files under ``folder``, relative to it (links, such as the shared records, left out)."""
    if not folder.exists():
        return []
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


def test_an_upload_becomes_a_proxy_made_and_served_on_other_hosts(
    hosts: tuple[Service, Path, Path], s3_url: ObjectStorage, tmp_path: Path
) -> None:
    service, web_data, worker_data = hosts
    response = service.client.post("/ingest", data={"file": (io.BytesIO(PAGE), "staged page.html")},
                                    content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    accepted = response.get_json()
    assert first_error("IngestResult", accepted) is None and accepted["filename"] == "staged_page.html"
    file_id = accepted["file_id"]
    status = finished(service, response.headers["Location"])
    assert status["error"] is None

    # Served by the app that took the upload, streamed from the bucket.
    listing = service.client.get(f"/proxies/{file_id}").get_json()
    [proxy] = pictures(listing["proxies"])
    image = service.client.get(proxy["url"])
    assert image.status_code == 200 and image.mimetype == "image/png" and len(image.data) == proxy["bytes"]
    preview = assert_not_blank(image.data)
    assert preview.size == (400, 300)
    r, g, b = preview.convert("RGB").getpixel((3, 296))
    assert abs(r - 0x1F) < 8 and abs(g - 0x4E) < 8 and abs(b - 0x8C) < 8, "the page's own style: its preview"

    # Nothing crossed on disk: the upload and the proxy are in the bucket, the worker kept no copy.
    text = next(each for each in listing["proxies"] if each["typeidentifier"] == "text")
    assert s3_url.keys() == sorted([f"service/uploads/{file_id}/staged_page.html",
                                    f"service/proxies/{file_id}/preview.json",
                                    f"service/proxies/{file_id}/blobs/{proxy['checksum']}",
                                    f"service/proxies/{file_id}/text.json",
                                    f"service/proxies/{file_id}/blobs/{text['checksum']}"])
    assert files_under(worker_data / "uploads") == []
    assert files_under(worker_data / "proxies") == files_under(web_data / "proxies") == []
    assert files_under(worker_data / "tmp") == []
    assert files_under(web_data / "uploads") == [f"{file_id}/staged_page.html"], "only the app's own copy"

    # A replica on a third host, redirecting to the bucket, serves the same bytes.
    replica_settings = replace(Settings.from_environ({**service.environment, "DATA_DIR": str(tmp_path / "replica")}),
                               STORE_REDIRECT=True)
    replica: FlaskClient = create_web_app(replica_settings, TESTING=True).test_client()
    redirect = replica.get(proxy["url"], headers={"Authorization": bearer(replica_settings)})
    assert redirect.status_code == 307 and redirect.headers["ETag"] == f'"{proxy["checksum"]}"'
    with urllib.request.urlopen(redirect.headers["Location"], timeout=5) as answer:
        assert answer.read() == image.data

    # And streamed through the production server (uWSGI, nginx in front) as through the test client.
    web_host = replace(service, environment={**service.environment, "DATA_DIR": str(web_data)})
    with running_uwsgi(web_host, tmp_path / "uwsgi.log") as url:
        served = requests.get(f"{url}{proxy['url']}", headers={"Authorization": bearer(replica_settings)}, timeout=10)
    assert served.status_code == 200 and served.content == image.data
    assert served.headers["Content-Length"] == str(proxy["bytes"]) and served.headers["ETag"] == f'"{proxy["checksum"]}"'
