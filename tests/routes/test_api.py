"""The HTTP API's parsing, validation and serialization, through the Flask client.

Each response body is checked against the schema the OpenAPI document names.
"""

import io
import json
from pathlib import Path
from typing import Iterator
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient

from proxyservice.config import Settings
from proxyservice.domain import TaskState
from proxyservice.factory import create_web_app
from proxyservice.plugins.registry import BUILTIN_PLUGINS
from proxyservice.schemas import first_error
from proxyservice.services.store import StoreFailed
from proxyservice.services.task_queue import InMemoryTaskQueue, TaskQueue
from proxyservice.services.task_records import RecordsUnavailable
from tests.conftest import authorized_client, services_of


@pytest.fixture
def queue() -> Iterator[InMemoryTaskQueue]:
    """An in-memory queue in place of the broker, for every app the test builds (their containers make it)."""
    memory = InMemoryTaskQueue()
    with mock.patch.object(TaskQueue, "from_settings", return_value=memory):
        yield memory


def error_of(response: "object") -> str:
    body = response.get_json()  # type: ignore[attr-defined]
    assert first_error("Error", body) is None
    message: str = body["message"]
    return message


class TestIngestJson:
    """POST /ingest with a JSON body."""

    def test_accepted(self, client: FlaskClient, queue: InMemoryTaskQueue, source_dir: Path) -> None:
        response = client.post("/ingest", json={"path": str(source_dir / "plain.html"), "size": {"width": 200, "height": 150}})
        assert response.status_code == 202
        assert first_error("IngestResult", response.get_json()) is None
        assert response.headers["Location"].startswith("/status/")
        assert queue.sent[0][3][2:] == [200, 150]

    @pytest.mark.parametrize(
        "body, message",
        [
            (b"{not json", "body: the request body is not valid JSON"),
            (b"[1, 2]", "body: the request body must be a JSON object"),
            (b"{}", "'path' is a required property"),
            (b'{"path": "/x", "colour": "red"}', "'colour' was unexpected"),
            (b'{"path": 5}', "path: 5 is not of type 'string'"),
            (b'{"path": "relative/page.html"}', "path: must be an absolute path (starting with /) with no NUL character"),
            (b'{"path": "/x", "plugins": ["no separator"]}', "plugins/0: 'no separator' does not match"),
            (b'{"path": "/x", "size": {"width": 0, "height": 1}}', "size/width: 0 is less than the minimum"),
            (b'{"path": "/x", "force": "yes"}', "force: 'yes' is not of type 'boolean'"),
            (b'{"path": "/x", "plugins": []}', "plugins: [] should be non-empty"),
        ],
    )
    def test_a_bad_body_is_refused_naming_the_field(self, client: FlaskClient, body: bytes, message: str) -> None:
        response = client.post("/ingest", data=body, content_type="application/json")
        assert response.status_code == 400
        assert message in error_of(response)

    @pytest.mark.parametrize("path", ["{root}/../../../etc/passwd", "{root}/../data/tasks.sqlite3", "/etc/passwd"])
    def test_path_traversal_is_refused(self, client: FlaskClient, queue: InMemoryTaskQueue, source_dir: Path, path: str) -> None:
        response = client.post("/ingest", json={"path": path.format(root=source_dir)})
        assert response.status_code == 403
        assert "outside the allowed source folders" in error_of(response)
        assert queue.sent == []

    def test_a_missing_file(self, client: FlaskClient, source_dir: Path) -> None:
        response = client.post("/ingest", json={"path": str(source_dir / "gone.html")})
        assert response.status_code == 404 and "no file" in error_of(response)

    def test_a_wrong_content_type(self, client: FlaskClient) -> None:
        response = client.post("/ingest", data="path=/x", content_type="text/plain")
        assert response.status_code == 415 and "multipart/form-data" in error_of(response)

    def test_a_full_queue_answers_429_with_retry_after(self, settings: Settings, queue: InMemoryTaskQueue,
                                                        source_dir: Path) -> None:
        small_settings = Settings.from_environ({}, **{**settings.__dict__, "MAX_QUEUE_LENGTH": 2})
        client = authorized_client(create_web_app(small_settings), small_settings)
        for name in ("plain.html", "styled.html"):
            assert client.post("/ingest", json={"path": str(source_dir / name)}).status_code == 202
        response = client.post("/ingest", json={"path": str(source_dir / "webfont.html")})
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "30"
        assert "2 tasks are waiting" in error_of(response)
        assert len(queue.sent) == 2, "nothing more was queued"
        joined = client.post("/ingest", json={"path": str(source_dir / "plain.html")})
        assert joined.status_code == 202 and joined.get_json()["tasks"][0]["reused"], \
            "a file whose task is queued already adds nothing: it is answered, full queue or not"

    def test_the_broker_down(self, client: FlaskClient, queue: InMemoryTaskQueue, source_dir: Path) -> None:
        queue.available = False
        response = client.post("/ingest", json={"path": str(source_dir / "plain.html")})
        assert response.status_code == 503 and "unreachable" in error_of(response)


    def test_the_records_away_is_a_503_not_a_failed_file(self, app: Flask, client: FlaskClient,
                                                          queue: InMemoryTaskQueue, source_dir: Path) -> None:
        """A database that cannot take the task says so (503, Retry-After); the file is not reported failed."""
        records = services_of(app).records
        with mock.patch.object(records, "claim", side_effect=RecordsUnavailable("the database went away")):
            response = client.post("/ingest", json={"path": str(source_dir / "plain.html")})
        assert response.status_code == 503 and response.headers["Retry-After"] == "30"
        assert "nothing was queued" in error_of(response) and "went away" not in error_of(response)
        assert queue.sent == [] and records.recent() == []

    def test_the_store_away_is_a_503(self, app: Flask, client: FlaskClient, queue: InMemoryTaskQueue,
                                     source_dir: Path) -> None:
        """The store's listing (object storage cut) fails: the ingest waits for it, as for the records."""
        first = client.post("/ingest", json={"path": str(source_dir / "plain.html")}).get_json()
        services_of(app).records.mark_finished(first["tasks"][0]["task_id"], TaskState.SUCCEEDED)
        with mock.patch.object(services_of(app).store, "list", side_effect=StoreFailed("the bucket is unreachable")):
            response = client.post("/ingest", json={"path": str(source_dir / "plain.html")})
        assert response.status_code == 503 and response.headers["Retry-After"] == "30"
        assert len(queue.sent) == 1, "not sent again"

    @pytest.mark.parametrize("url", ["http://127.0.0.1:8193:1/x", "http://127.0.0.1:99999/x", "http://exa mple/x"])
    def test_a_malformed_callback_url_is_a_400(self, settings: Settings, queue: InMemoryTaskQueue,
                                               source_dir: Path, url: str) -> None:
        """Even where callbacks to that host are allowed: its port is no port, or it holds a space."""
        allowing = Settings.from_environ({}, **{**settings.__dict__, "WEBHOOK_ALLOWED_HOSTS": ("127.0.0.1",)})
        client = authorized_client(create_web_app(allowing), allowing)
        response = client.post("/ingest", json={"path": str(source_dir / "plain.html"), "callback_url": url})
        assert response.status_code == 400 and error_of(response).startswith("callback_url: ")

    def test_a_hard_link_to_the_services_own_file_is_refused(self, client: FlaskClient, queue: InMemoryTaskQueue,
                                                             settings: Settings, source_dir: Path) -> None:
        """A hard link in a source root to the signing secret is that file: refused as a path outside the roots."""
        secret = settings.DATA_DIR / "development-secret"
        secret.parent.mkdir(parents=True, exist_ok=True)
        secret.write_text("s" * 64)
        (source_dir / "innocent.txt").hardlink_to(secret)
        (source_dir / "notes.txt").write_text("a file of the tree")
        (source_dir / "also-notes.txt").hardlink_to(source_dir / "notes.txt")
        refused = client.post("/ingest", json={"path": str(source_dir / "innocent.txt")})
        assert refused.status_code == 403 and "outside the allowed source folders" in error_of(refused)
        assert queue.sent == []
        linked = client.post("/ingest", json={"path": str(source_dir / "also-notes.txt")})
        assert linked.status_code == 202, "a hard link within the tree is a file like another"

    def test_a_lone_surrogate_in_the_path_is_a_404(self, client: FlaskClient, queue: InMemoryTaskQueue,
                                                   source_dir: Path) -> None:
        response = client.post("/ingest", data=json.dumps({"path": f"{source_dir}/\\ud800x.html"}),
                               content_type="application/json")
        assert response.status_code == 404 and error_of(response).startswith("path: no file at ")

class TestIngestPages:
    """POST /ingest asking for a proxy of each page (``pages``)."""

    @pytest.fixture
    def pdf(self, source_dir: Path) -> Path:
        path = source_dir / "paper.pdf"
        path.write_bytes(b"%PDF-1.4\n%%EOF\n")  # read for its type only: no job runs here
        return path

    @pytest.mark.parametrize("pages, sent", [(12, 12), ("all", 100)])
    def test_the_pages_reach_the_job(self, client: FlaskClient, queue: InMemoryTaskQueue, pdf: Path,
                                     pages: object, sent: int) -> None:
        response = client.post("/ingest", json={"path": str(pdf), "pages": pages})
        assert response.status_code == 202, response.get_json()
        assert queue.sent[0][3][4:] == [sent], "all is MAX_PAGES"

    def test_a_file_without_pages_keeps_its_job(self, client: FlaskClient, queue: InMemoryTaskQueue,
                                                source_dir: Path) -> None:
        response = client.post("/ingest", json={"path": str(source_dir / "plain.html"), "pages": 5})
        assert response.status_code == 202 and len(queue.sent[0][3]) == 4

    @pytest.mark.parametrize("pages", [0, -1, 1001, "some", True, 2.5])
    def test_a_bad_number_is_a_400(self, client: FlaskClient, queue: InMemoryTaskQueue, pdf: Path,
                                   pages: object) -> None:
        response = client.post("/ingest", json={"path": str(pdf), "pages": pages})
        assert response.status_code == 400
        assert error_of(response) == 'pages: must be a number of pages from 1 to 1000, or "all"'

    def test_more_than_max_pages_is_a_400(self, client: FlaskClient, queue: InMemoryTaskQueue, pdf: Path) -> None:
        response = client.post("/ingest", json={"path": str(pdf), "pages": 101})
        assert response.status_code == 400 and error_of(response).startswith("pages: at most 100 pages")
        assert queue.sent == []

    @pytest.mark.parametrize("pages, sent", [("3", 3), ("ALL", 100)])
    def test_an_upload_asks_in_its_form(self, client: FlaskClient, queue: InMemoryTaskQueue,
                                        pages: str, sent: int) -> None:
        response = client.post("/ingest", data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "paper.pdf"),
                                                "pages": pages}, content_type="multipart/form-data")
        assert response.status_code == 202, response.get_json()
        assert queue.sent[0][3][4:] == [sent]

    def test_a_bad_form_number_is_a_400(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        response = client.post("/ingest", data={"file": (io.BytesIO(b"%PDF-1.4\n"), "paper.pdf"), "pages": "²"},
                               content_type="multipart/form-data")
        assert response.status_code == 400 and error_of(response).startswith("pages: must be")


class TestIngestUpload:
    """POST /ingest with a multipart upload."""

    def test_an_upload_is_accepted(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        response = client.post(
            "/ingest",
            data={"file": (io.BytesIO(b"<h1>uploaded</h1>"), "up.html"), "width": "100", "height": "80"},
            content_type="multipart/form-data",
        )
        assert response.status_code == 202
        assert response.get_json()["filename"] == "up.html"
        assert queue.sent[0][3][2:] == [100, 80]

    def test_an_empty_upload(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        response = client.post("/ingest", data={"file": (io.BytesIO(b""), "e.html")}, content_type="multipart/form-data")
        assert response.status_code == 400 and "empty" in error_of(response)

    def test_no_file_field(self, client: FlaskClient) -> None:
        response = client.post("/ingest", data={"other": "x"}, content_type="multipart/form-data")
        assert response.status_code == 400 and error_of(response).startswith("file:")

    def test_a_bad_form_force(self, client: FlaskClient) -> None:
        response = client.post("/ingest", data={"file": (io.BytesIO(b"x"), "a.html"), "force": "{}"},
                               content_type="multipart/form-data")
        assert response.status_code == 400 and error_of(response) == "force: must be true or false"

    def test_a_bad_form_size(self, client: FlaskClient) -> None:
        response = client.post("/ingest", data={"file": (io.BytesIO(b"x"), "a.html"), "width": "wide", "height": "1"},
                               content_type="multipart/form-data")
        assert response.status_code == 400 and error_of(response).startswith("size:")

    def test_an_upload_over_the_limit(self, settings: Settings, queue: InMemoryTaskQueue) -> None:
        small_settings = Settings.from_environ({}, **{**settings.__dict__, "MAX_SOURCE_BYTES": 100})
        response = authorized_client(create_web_app(small_settings), small_settings).post(
            "/ingest", data={"file": (io.BytesIO(b"x" * 200), "big.html")}, content_type="multipart/form-data"
        )
        assert response.status_code == 413
        assert queue.sent == []

    def test_a_type_no_plugin_handles(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        response = client.post("/ingest", data={"file": (io.BytesIO(b"\x00\x01"), "blob.bin")}, content_type="multipart/form-data")
        assert response.status_code == 415 and "no enabled plugin" in error_of(response)


class TestReadOnlyRoutes:
    """Routes that only read."""

    def test_unknown_task_and_proxies(self, client: FlaskClient) -> None:
        assert client.get("/status/nope").status_code == 404
        assert client.get("/proxies/" + "0" * 64).status_code == 404
        assert client.get("/proxies/" + "0" * 64 + "/preview").status_code == 404

    def test_what_is_away_is_a_503_with_retry_after(self, app: Flask, client: FlaskClient) -> None:
        """The records or the store cannot be read (a database restarting, object storage cut): come back later."""
        services = services_of(app)
        with mock.patch.object(services.records, "find", side_effect=RecordsUnavailable("the database went away")), \
                mock.patch.object(services.store, "list", side_effect=StoreFailed("the bucket is unreachable")):
            answers = [client.get("/status/t1"), client.get("/proxies/" + "0" * 64)]
        for response in answers:
            assert response.status_code == 503 and response.headers["Retry-After"] == "30"
            assert "try again shortly" in error_of(response) and "went away" not in error_of(response)

    def test_plugins(self, client: FlaskClient) -> None:
        response = client.get("/plugins")
        assert response.status_code == 200
        body = response.get_json()
        assert first_error("PluginList", body) is None
        assert [p["name"] for p in body["plugins"]] == list(BUILTIN_PLUGINS)

    def test_readiness_without_a_broker(self, client: FlaskClient) -> None:
        response = client.get("/status")
        assert response.status_code == 503
        body = response.get_json()
        assert first_error("Readiness", body) is None
        assert body["checks"]["broker"]["up"] is False

    def test_tasks_are_found_by_name_after_an_ingest(self, client: FlaskClient, queue: InMemoryTaskQueue,
                                                     source_dir: Path) -> None:
        assert client.post("/ingest", json={"path": str(source_dir / "plain.html")}).status_code == 202
        found = client.get("/tasks?name=PLAIN&state=queued")
        assert found.status_code == 200 and first_error("TaskList", found.get_json()) is None
        assert [task["filename"] for task in found.get_json()["tasks"]] == ["plain.html"]
        assert client.get("/tasks?name=styled").get_json() == {"tasks": []}

    @pytest.mark.parametrize("query, message", [
        ("limit=0", "limit: must be a whole number from 1 to 200"),
        ("limit=201", "limit: must be a whole number from 1 to 200"),
        ("state=lost", "state: 'lost' is not one of"),
        ("name=" + "x" * 201, "name: 'xxxx"),
        ("colour=red", "'colour' was unexpected"),
    ])
    def test_a_bad_task_query_is_400(self, client: FlaskClient, query: str, message: str) -> None:
        response = client.get(f"/tasks?{query}")
        assert response.status_code == 400 and message in error_of(response)

    def test_an_unknown_route_is_json(self, client: FlaskClient) -> None:
        response = client.get("/nowhere")
        assert response.status_code == 404 and error_of(response)


class TestHostileInput:
    """Input built to break parsers: each gets a clear 4xx, never a 5xx."""

    def test_a_nul_byte_in_the_path(self, client: FlaskClient, queue: InMemoryTaskQueue, source_dir: Path) -> None:
        response = client.post("/ingest", json={"path": str(source_dir / "plain.html") + "\u0000.txt"})
        assert response.status_code == 400 and "no NUL character" in error_of(response)

    def test_a_huge_body(self, client: FlaskClient) -> None:
        response = client.post("/ingest", json={"path": "/" + "a" * 5_000_000})
        assert response.status_code == 400 and "path: " in error_of(response)

    def test_deeply_nested_json(self, client: FlaskClient) -> None:
        body = '{"path": "/x", "plugins": ' + "[" * 100_000 + "]" * 100_000 + "}"
        response = client.post("/ingest", data=body, content_type="application/json")
        assert response.status_code == 400 and error_of(response) == "body: the JSON is nested too deeply"

    @pytest.mark.parametrize("content_type", ["text/xml", "application/x-www-form-urlencoded", "image/png", ""])
    def test_wrong_content_types(self, client: FlaskClient, content_type: str) -> None:
        response = client.post("/ingest", data=b'{"path": "/x"}', content_type=content_type)
        assert response.status_code == 415

    def test_json_in_another_charset(self, client: FlaskClient) -> None:
        response = client.post("/ingest", data='{"path": "/caf\xe9"}'.encode("latin-1"), content_type="application/json")
        assert response.status_code == 400

    def test_a_file_name_that_is_not_utf8(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        boundary = "b0undary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"".encode()
                + b"\xff\xfe\x00page\x80.html" + b"\"\r\nContent-Type: text/html\r\n\r\n<h1>hi</h1>\r\n"
                + f"--{boundary}--\r\n".encode())
        response = client.post("/ingest", data=body, content_type=f"multipart/form-data; boundary={boundary}")
        assert response.status_code in (202, 400), response.get_json()
        if response.status_code == 202:
            saved = response.get_json()["filename"]
            assert saved.isascii() and "/" not in saved and "\x00" not in saved

    @pytest.mark.parametrize("body, start, repeated", [
        ({"path": "/" + "a" * 10_000_000}, "path: '/aaaa", "a"),
        ({"path": "relative/" + "a" * 100_000}, "path: 'relative/aaaa", "a"),
        ({"path": "/x", "plugins": ["no separator " * 10_000]}, "plugins/0: 'no separator", "no separator "),
        ({"path": "/x", "size": {"width": "w" * 100_000, "height": 1}}, "size/width: 'wwww", "w"),
        ({"path": "/x", "k" * 100_000: 1}, "Additional properties are not allowed ('kkkk", "k"),
        ({"path": "/x", **{f"key{i}" * 30: 1 for i in range(1_000)}}, "Additional properties are not allowed ('key", "key1"),
    ])
    def test_a_long_value_is_quoted_as_a_short_prefix(
        self, client: FlaskClient, body: dict[str, object], start: str, repeated: str
    ) -> None:
        response = client.post("/ingest", json=body)
        message = error_of(response)
        assert response.status_code == 400 and message.startswith(start)
        assert len(message) <= 256 and "…" in message
        longest_quote = repeated * (65 // len(repeated) + 1)
        assert longest_quote not in message, "no value is quoted beyond 64 characters"


class TestHeaderSize:
    """A request whose header fields are too large: 431, before anything else is looked at."""

    @pytest.mark.parametrize("path", ["/plugins", "/status", "/nowhere"])
    def test_431_above_16_kib(self, client: FlaskClient, path: str) -> None:
        response = client.get(path, headers={"X-Padding": "p" * 17_000})
        assert response.status_code == 431
        assert error_of(response).startswith("headers: ") and "16384" in error_of(response)

    def test_431_before_the_token_is_checked(self, settings: Settings) -> None:
        response = create_web_app(settings).test_client().get("/plugins", headers={"X-Padding": "p" * 17_000})
        assert response.status_code == 431

    def test_a_large_but_acceptable_block_is_served(self, client: FlaskClient) -> None:
        assert client.get("/plugins", headers={"X-Padding": "p" * 15_000}).status_code == 200


class TestChunkedBodies:
    """POST /ingest with Transfer-Encoding: chunked."""

    def test_411_when_the_server_did_not_read_the_body(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        response = client.post("/ingest", data=b'{"path": "/x"}', content_type="application/json",
                               headers={"Transfer-Encoding": "chunked"})
        assert response.status_code == 411 and "Content-Length" in error_of(response)
        assert queue.sent == []

    def test_json_from_a_server_that_read_it_whole(self, client: FlaskClient, queue: InMemoryTaskQueue,
                                                   source_dir: Path) -> None:
        body = f'{{"path": "{source_dir / "plain.html"}"}}'.encode()
        response = client.post("/ingest", input_stream=io.BytesIO(body), content_type="application/json",
                               headers={"Transfer-Encoding": "chunked"},
                               environ_overrides={"wsgi.input_terminated": True})
        assert response.status_code == 202, response.get_json()

    def test_multipart_from_a_server_that_read_it_whole(self, client: FlaskClient, queue: InMemoryTaskQueue) -> None:
        boundary = "b0undary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"up.html\"\r\n"
                f"Content-Type: text/html\r\n\r\n<h1>chunked</h1>\r\n--{boundary}--\r\n").encode()
        response = client.post("/ingest", input_stream=io.BytesIO(body),
                               content_type=f"multipart/form-data; boundary={boundary}",
                               headers={"Transfer-Encoding": "chunked"},
                               environ_overrides={"wsgi.input_terminated": True})
        assert response.status_code == 202, response.get_json()
        assert response.get_json()["filename"] == "up.html"
