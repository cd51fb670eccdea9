"""POST /ingest of a page with its files: a .zip of its folder, or the folder's files one by one, and ``page``."""

import io
import zipfile
from pathlib import Path
from typing import Iterator
from unittest import mock

import pytest
from flask.testing import FlaskClient

from proxyservice.config import Settings
from proxyservice.factory import create_web_app
from proxyservice.schemas import first_error
from proxyservice.services.task_queue import InMemoryTaskQueue, TaskQueue
from tests.conftest import authorized_client

PAGE = b'<link rel="stylesheet" href="../_static/site.css"><h1>Hello</h1>'
CSS = b"h1 { color: red }"


@pytest.fixture
def queue() -> Iterator[InMemoryTaskQueue]:
    memory = InMemoryTaskQueue()
    with mock.patch.object(TaskQueue, "from_settings", return_value=memory):
        yield memory


def site_zip(*extra: tuple[str, bytes]) -> io.BytesIO:
    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (("library/os.html", PAGE), ("_static/site.css", CSS), *extra):
            archive.writestr(name, content)
    stream.seek(0)
    return stream


def error_of(response: "object", status: int) -> str:
    assert response.status_code == status, response.get_json()  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert first_error("Error", body) is None
    message: str = body["message"]
    return message


def accepted(response: "object") -> str:
    """The file id of an ingest that queued its task."""
    assert response.status_code == 202, response.get_json()  # type: ignore[attr-defined]
    body = response.get_json()  # type: ignore[attr-defined]
    assert first_error("IngestResult", body) is None
    file_id: str = body["file_id"]
    return file_id


class TestAPageWithItsFiles:
    """A page is sent with the files it refers to, and drawn among them."""

    def test_a_zip_naming_its_page(self, client: FlaskClient, queue: InMemoryTaskQueue, settings: Settings) -> None:
        response = client.post("/ingest", data={"file": (site_zip(), "site.zip"), "page": "library/os.html"},
                               content_type="multipart/form-data")
        accepted(response)
        assert response.get_json()["filename"] == "os.html"
        [(_, _, _, args, *_)] = queue.sent
        page = Path(args[1])
        assert page.is_relative_to(settings.upload_root / "bundles") and page.read_bytes() == PAGE
        assert (page.parent.parent / "_static" / "site.css").read_bytes() == CSS

    def test_a_dropped_folder_is_the_same_file_as_its_zip(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        zipped = accepted(client.post("/ingest", data={"file": (site_zip(), "site.zip"), "page": "library/os.html"},
                                      content_type="multipart/form-data"))
        # A browser sends a dropped folder's files under their relative paths.
        dropped = client.post("/ingest", data={
            "file": [(io.BytesIO(CSS), "_static/site.css"), (io.BytesIO(PAGE), "library/os.html")],
            "page": "library/os.html"}, content_type="multipart/form-data")
        assert accepted(dropped) == zipped  # the same set of files: its task, under way, is joined
        assert len(queue.sent) == 1

    def test_the_page_alone_is_another_file(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        zipped = accepted(client.post("/ingest", data={"file": (site_zip(), "site.zip"), "page": "library/os.html"},
                                      content_type="multipart/form-data"))
        alone = accepted(client.post("/ingest", data={"file": (io.BytesIO(PAGE), "os.html")},
                                     content_type="multipart/form-data"))
        assert alone != zipped

    def test_index_html_at_the_top_is_chosen_unnamed(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        response = client.post("/ingest", data={"file": [(io.BytesIO(PAGE), "site/index.html"),
                                                         (io.BytesIO(CSS), "site/_static/site.css")]},
                               content_type="multipart/form-data")
        accepted(response)
        assert response.get_json()["filename"] == "index.html"


class TestRefusals:
    """What cannot be unpacked is refused in the words of its family, naming the file or the limit; nothing is queued."""

    def test_a_member_leading_out(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        response = client.post("/ingest", data={"file": (site_zip(("../../x.css", CSS)), "site.zip"),
                                                "page": "library/os.html"}, content_type="multipart/form-data")
        assert error_of(response, 400) == "'site.zip': '../../x.css' leads outside the page's folder (..)"
        assert queue.sent == []

    def test_a_file_named_outside(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        response = client.post("/ingest", data={"file": [(io.BytesIO(PAGE), "index.html"),
                                                         (io.BytesIO(CSS), "/etc/x.css")]},
                               content_type="multipart/form-data")
        assert "the upload: '/etc/x.css' is an absolute path" in error_of(response, 400)

    def test_the_page_is_not_among_the_files(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        response = client.post("/ingest", data={"file": (site_zip(), "site.zip"), "page": "library/sys.html"},
                               content_type="multipart/form-data")
        assert error_of(response, 404) == "page: 'library/sys.html' is not among the files sent"

    def test_no_page_can_be_chosen(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        response = client.post("/ingest", data={"file": (site_zip(), "site.zip")}, content_type="multipart/form-data")
        assert error_of(response, 404).startswith("page: name the page to draw (the page field)")

    def test_past_the_limits(self, settings: Settings, queue: InMemoryTaskQueue) -> None:
        small = Settings.from_environ({}, **{**settings.__dict__, "MAX_BUNDLE_FILES": 2, "MAX_BUNDLE_DEPTH": 3,
                                             "MAX_UNPACKED_BYTES": 1000})
        client = authorized_client(create_web_app(small, TESTING=True), small)

        def post(archive: io.BytesIO) -> "object":
            return client.post("/ingest", data={"file": (archive, "site.zip"), "page": "library/os.html"},
                               content_type="multipart/form-data")

        assert error_of(post(site_zip(("a.css", CSS))), 413) == \
            "'site.zip' holds 3 files; the limit is 2 (MAX_BUNDLE_FILES)"
        deep = io.BytesIO()
        with zipfile.ZipFile(deep, "w") as archive:
            archive.writestr("library/os.html", PAGE)
            archive.writestr("a/b/c/d.css", CSS)
        deep.seek(0)
        assert "is 4 folders deep; the limit is 3 (MAX_BUNDLE_DEPTH)" in error_of(post(deep), 413)
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("library/os.html", PAGE)
            archive.writestr("zeros.css", bytes(5000))
        bomb.seek(0)
        assert error_of(post(bomb), 413) == "'site.zip' unpacks to more than 1000 bytes (MAX_UNPACKED_BYTES)"
        assert queue.sent == []
