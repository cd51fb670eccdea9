"""Hostile clients against the shipped configuration: uWSGI started as the Dockerfile starts it, nginx in front.

Slow senders, silent ones, header blocks too large, bodies too large or shorter
than announced, chunked bodies, uploads the app refuses without reading them.
"""

import json
import logging
import math
import re
import socket
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import pytest
import requests

from proxyservice.config import Settings
from proxyservice.factory import UPLOAD_OVERHEAD_BYTES
from proxyservice.schemas import first_error
from tests.conftest import bearer
from tests.e2e.conftest import Service
from tests.e2e.served import running_uwsgi
from tests.support import ROOT

SLOW_CLIENTS = 200
BYTE_INTERVAL = 2.0  # seconds between two bytes of one slow client
PROBES = 100
P99_LIMIT = 0.2  # seconds
NGINX_CONF = (ROOT / "config" / "nginx.conf").read_text()


def _seconds(directive: str) -> int:
    return int(re.findall(rf"^\s*{directive} (\d+)s;$", NGINX_CONF, re.M)[0])


HEADER_TIMEOUT = _seconds("client_header_timeout")
"""Seconds of silence after which nginx drops a client that has not finished its header fields."""
BODY_TIMEOUT = _seconds("client_body_timeout")
"""...and one that has not finished its body."""
MAX_BODY = Settings.MAX_SOURCE_BYTES + UPLOAD_OVERHEAD_BYTES

logger = logging.getLogger(__name__)


@pytest.fixture(scope="module")
def uwsgi_url(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_uwsgi(service, tmp_path_factory.mktemp("uwsgi-hostile") / "uwsgi.log") as url:
        yield url


@pytest.fixture(scope="module")
def token(service: Service) -> str:
    return bearer(Settings.from_environ(service.environment))


def address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


class SlowClients:
    """Connections that each send their request one byte every ``interval`` seconds, from one thread.

    Each request starts with ``head`` (sent at once) and goes on with ``trickle``
    (a byte at a time, never finished within the test).
    """

    def __init__(self, url: str, requests_: list[tuple[bytes, bytes]], interval: float) -> None:
        self.sockets = [socket.create_connection(address(url), timeout=5) for _ in requests_]
        self.requests = requests_
        self.interval = interval
        self.dropped = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._send, daemon=True)

    def __enter__(self) -> "SlowClients":
        for connection, (head, _) in zip(self.sockets, self.requests):
            connection.sendall(head)
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        for connection in self.sockets:
            connection.close()

    def _send(self) -> None:
        sent = 0
        while not self._stop.wait(self.interval):
            for connection, (_, trickle) in zip(self.sockets, self.requests):
                try:
                    connection.send(trickle[sent:sent + 1])
                except OSError:
                    self.dropped += 1
            sent += 1


def _complete(answer: bytes) -> bool:
    """Whether ``answer`` holds a whole HTTP response (head, and a body as long as its Content-Length)."""
    head, found, body = answer.partition(b"\r\n\r\n")
    if not found:
        return False
    length = re.search(rb"^content-length: *(\d+)\r?$", head, re.I | re.M)
    return length is not None and len(body) >= int(length.group(1))


def raw_exchange(url: str, data: bytes, half_close: bool = False, timeout: float = 10) -> tuple[bytes, float]:
    """Send ``data`` on a new connection: the answer, once whole or once the server closed; after how long."""
    answer = b""
    with socket.create_connection(address(url), timeout=timeout) as connection:
        started = time.monotonic()
        try:
            connection.sendall(data)
            if half_close:
                connection.shutdown(socket.SHUT_WR)
            while not _complete(answer) and (chunk := connection.recv(65536)):
                answer += chunk
        except (BrokenPipeError, ConnectionResetError):  # closed by the server while we still sent
            pass
        return answer, time.monotonic() - started


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def error_of(answer: bytes) -> dict[str, object]:
    """The JSON error of a raw answer, checked against the API's Error schema."""
    body = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert first_error("Error", body) is None, body
    assert body["status"] == status_of(answer)
    return dict(body)


class SilentClient(threading.Thread):
    """A client that sends part of a request, then nothing: when is it cut off, and what does it hear?"""

    def __init__(self, url: str, part: bytes, patience: float) -> None:
        super().__init__(daemon=True)
        self.connection = socket.create_connection(address(url), timeout=patience)
        self.part = part
        self.heard = b""
        self.cut_after: float | None = None

    def run(self) -> None:
        started = time.monotonic()
        try:
            self.connection.sendall(self.part)
            while chunk := self.connection.recv(65536):
                self.heard += chunk
            self.cut_after = time.monotonic() - started  # closed
        except ConnectionResetError:
            self.cut_after = time.monotonic() - started  # reset (nginx's reset_timedout_connection)
        except OSError:  # our own patience ran out: never cut off
            pass
        finally:
            self.connection.close()


def ingest_head(token: str, content_type: str, framing: str) -> bytes:
    return (f"POST /ingest HTTP/1.1\r\nHost: hostile\r\nAuthorization: {token}\r\n"
            f"Content-Type: {content_type}\r\n{framing}\r\n\r\n").encode()


class TestSlowClients:
    """200 clients each send a byte every 2 s (slow headers, slow JSON and multipart bodies); two fall silent."""

    def test_they_do_not_hold_up_others(self, uwsgi_url: str, token: str) -> None:
        silent_in_headers = SilentClient(uwsgi_url, b"GET /plugins HTTP/1.1\r\nHost: silent\r\n", HEADER_TIMEOUT + 20)
        silent_in_body = SilentClient(uwsgi_url, ingest_head(token, "application/json", "Content-Length: 1000")
                                      + b'{"path": "/', BODY_TIMEOUT + 20)
        silent_in_headers.start()
        silent_in_body.start()
        # Bodies announced at 10 MB: under nginx's limit (a larger one is refused at once, with 413).
        slow_headers = (b"GET /plugins HTTP/1.1\r\nHost: slow\r\n", b"X-Slow: " + b"s" * 1000)
        slow_json = (ingest_head(token, "application/json", "Content-Length: 10000000"), b'{"path": "/' + b"j" * 1000)
        slow_upload = (ingest_head(token, "multipart/form-data; boundary=b0undary", "Content-Length: 10000000")
                       + b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.html"\r\n\r\n',
                       b"u" * 1000)
        mix = [slow_headers, slow_json, slow_headers, slow_upload] * (SLOW_CLIENTS // 4)
        times: list[float] = []
        statuses: list[int | str] = []

        def probe() -> None:
            for _ in range(PROBES):
                started = time.monotonic()
                try:  # a new connection each time, as a new client would
                    statuses.append(requests.get(f"{uwsgi_url}/plugins", headers={"Authorization": token},
                                                 timeout=5).status_code)
                except requests.RequestException as e:
                    statuses.append(type(e).__name__)
                times.append(time.monotonic() - started)
                time.sleep(0.05)

        with SlowClients(uwsgi_url, mix, BYTE_INTERVAL) as slow:
            time.sleep(BYTE_INTERVAL * 1.5)  # every slow client is connected and has begun trickling
            prober = threading.Thread(target=probe)
            prober.start()
            prober.join(timeout=60)
            assert slow.dropped == 0, "the slow clients are held, not dropped"

        assert statuses == [200] * PROBES
        p99, median = sorted(times)[math.ceil(0.99 * len(times)) - 1], sorted(times)[len(times) // 2]
        logger.info("GET /plugins beside %d slow clients: p99 %.1f ms, median %.1f ms, max %.1f ms",
                    SLOW_CLIENTS, p99 * 1000, median * 1000, max(times) * 1000)
        assert p99 < P99_LIMIT, f"p99 {p99 * 1000:.0f} ms (median {median * 1000:.0f} ms)"

        # Meanwhile, the clients that fell silent were cut off after the
        # timeouts of config/nginx.conf, and heard nothing (nginx resets them).
        for silent, patience in ((silent_in_headers, HEADER_TIMEOUT), (silent_in_body, BODY_TIMEOUT)):
            silent.join(timeout=patience + 20)
            assert silent.cut_after is not None, f"a client silent for {patience + 20} s was never cut off"
            assert patience - 1 <= silent.cut_after <= patience + 5, silent.cut_after
            assert silent.heard == b""


class TestMalformedRequests:
    """Requests a server must survive, answered at once by nginx (or, past it, by the app) in JSON."""

    @pytest.mark.parametrize("size", [20_000, 50_000, 100_000])
    def test_a_header_too_large_gets_431(self, uwsgi_url: str, token: str, size: int) -> None:
        response = requests.get(f"{uwsgi_url}/plugins", headers={"Authorization": token, "X-Big": "b" * size},
                                timeout=10)
        body = response.json()
        assert response.status_code == 431 and first_error("Error", body) is None
        assert body["message"] == "headers: more than 16384 bytes of header fields; at most 16384 are accepted"

    def test_many_fields_past_16_kib_get_431_from_the_app(self, uwsgi_url: str, token: str) -> None:
        # Each field fits nginx's 16 KiB buffers and all of them its 32 KiB: the app counts them.
        fields = {f"X-Field-{n}": "f" * 2000 for n in range(10)}
        response = requests.get(f"{uwsgi_url}/plugins", headers={"Authorization": token, **fields}, timeout=10)
        assert response.status_code == 431
        assert re.fullmatch(r"headers: \d+ bytes of header fields; at most 16384 are accepted",
                            response.json()["message"])

    def test_a_request_line_too_long_gets_414(self, uwsgi_url: str) -> None:
        answer, _ = raw_exchange(uwsgi_url, b"GET /plugins?" + b"q" * 20_000 + b" HTTP/1.1\r\nHost: long\r\n\r\n")
        assert status_of(answer) == 414 and error_of(answer)["error"] == "Request URI Too Long"

    def test_a_body_announced_too_large_is_refused_before_it_is_sent(self, uwsgi_url: str, token: str) -> None:
        # 60 MB announced, not one byte of it sent: the answer comes from the headers alone.
        answer, took = raw_exchange(uwsgi_url, ingest_head(token, "multipart/form-data; boundary=x",
                                                           "Content-Length: 60000000"))
        assert status_of(answer) == 413 and took < 2
        assert error_of(answer)["message"] == (f"body: larger than the {MAX_BODY} bytes this server accepts "
                                               "(MAX_SOURCE_BYTES and 1 MiB of multipart envelope)")

    def test_a_json_ingest_past_64_kib_is_refused_before_it_is_sent(self, uwsgi_url: str, token: str) -> None:
        answer, took = raw_exchange(uwsgi_url, ingest_head(token, "application/json", "Content-Length: 65537"))
        assert status_of(answer) == 413 and took < 2
        assert error_of(answer)["message"] == ("body: a JSON ingest names a file in at most 65536 bytes; "
                                               "upload a file as multipart/form-data")

    def test_content_length_and_chunked_together_get_400(self, uwsgi_url: str, token: str) -> None:
        # The request smuggling pattern: two lengths for one body.
        answer, _ = raw_exchange(uwsgi_url, ingest_head(token, "application/json",
                                                        "Content-Length: 5\r\nTransfer-Encoding: chunked") + b"0\r\n\r\n")
        assert status_of(answer) == 400 and error_of(answer)["error"] == "Bad Request"

    def test_nginx_own_error_pages_are_not_served(self, uwsgi_url: str) -> None:
        response = requests.get(f"{uwsgi_url}/_nginx/431", timeout=10)
        assert response.status_code == 404 and first_error("Error", response.json()) is None

    def test_the_token_check_of_uploads_is_nginx_own(self, uwsgi_url: str) -> None:
        """Only nginx's subrequest reaches it: a client gets 404, as for any path that is not in the contract."""
        response = requests.get(f"{uwsgi_url}/_auth/ingest", timeout=10)
        assert response.status_code == 404 and first_error("Error", response.json()) is None

    @pytest.mark.parametrize(("path", "allowed"), [("/plugins", "GET, HEAD, OPTIONS"), ("/ingest", "OPTIONS, POST"),
                                                   ("/ingest?x=1", "OPTIONS, POST")])
    def test_trace_is_refused_with_the_methods_allowed(self, uwsgi_url: str, token: str, path: str,
                                                       allowed: str) -> None:
        # nginx refuses TRACE itself, before any location; the app says the same methods for one it does not take.
        response = requests.request("TRACE", f"{uwsgi_url}{path}", timeout=10)
        assert response.status_code == 405 and response.headers["Allow"] == allowed
        assert first_error("Error", response.json()) is None
        by_the_app = requests.put(f"{uwsgi_url}{path}", headers={"Authorization": token}, timeout=10)
        assert by_the_app.status_code == 405
        assert set(by_the_app.headers["Allow"].split(", ")) == set(allowed.split(", "))

    def test_a_body_shorter_than_announced_then_a_half_close(self, uwsgi_url: str, token: str) -> None:
        # nginx reads end-of-file on the body as a client gone (it cannot tell a
        # half-close from a close), and closes without an answer: no worker ever
        # sees the request (docs/security.md).
        request = ingest_head(token, "application/json", "Content-Length: 1000") + b'{"path": "/x"}'
        answer, took = raw_exchange(uwsgi_url, request, half_close=True)
        assert answer == b"" and took < 1
        assert requests.get(f"{uwsgi_url}/plugins", headers={"Authorization": token}, timeout=5).status_code == 200


class TestBodies:
    """Bodies reach a worker whole: chunked ones de-chunked, large ones from a file."""

    def test_a_chunked_json_body_is_queued(self, uwsgi_url: str, token: str, service: Service) -> None:
        page = service.sources / f"chunked-{uuid.uuid4().hex}.html"
        page.write_text(f"<h1>{page.name}</h1>")
        body = json.dumps({"path": str(page)}).encode()
        answer, _ = raw_exchange(uwsgi_url, ingest_head(token, "application/json", "Transfer-Encoding: chunked")
                                 + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body))
        assert status_of(answer) == 202, answer
        assert first_error("IngestResult", json.loads(answer.partition(b"\r\n\r\n")[2])) is None

    def test_a_chunked_multipart_upload_in_pieces_is_queued(self, uwsgi_url: str, token: str) -> None:
        body = (b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="chunked.html"\r\n'
                b"Content-Type: text/html\r\n\r\n<h1>%s</h1>\r\n--b0undary--\r\n" % uuid.uuid4().hex.encode())
        pieces = [body[:40], body[40:100], body[100:]]
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for piece in pieces) + b"0\r\n\r\n"
        answer, _ = raw_exchange(uwsgi_url, ingest_head(token, "multipart/form-data; boundary=b0undary",
                                                        "Transfer-Encoding: chunked") + chunked)
        assert status_of(answer) == 202, answer
        assert json.loads(answer.partition(b"\r\n\r\n")[2])["filename"] == "chunked.html"

    def test_a_large_upload_is_buffered_whole_then_read(self, uwsgi_url: str, token: str) -> None:
        # 3 MB: past nginx's 64 KiB in memory and uWSGI's 1 MiB, so through both temp files.
        upload = b"\x00\x01" * 1_500_000
        response = requests.post(f"{uwsgi_url}/ingest", files={"file": ("blob.bin", upload)},
                                 headers={"Authorization": token}, timeout=30)
        assert response.status_code == 415 and "no enabled plugin" in response.json()["message"]

    def test_uploads_the_app_refuses_unread_are_answered(self, uwsgi_url: str) -> None:
        # The app answers 401 without reading the body. Without uWSGI's
        # post-buffering nginx would still be writing it to a closed socket, and
        # most of these would get 502.
        upload = b"\x00" * 5_000_000

        def post(_: int) -> int:
            return requests.post(f"{uwsgi_url}/ingest", files={"file": ("blob.bin", upload)}, timeout=30).status_code

        # Four at a time: with the connections nginx still reads the refused bodies on
        # (before closing them), well under the 16 uploads one address may have at once.
        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(post, range(24))) == [401] * 24

    def test_a_small_json_body_is_read(self, uwsgi_url: str, token: str) -> None:
        response = requests.post(f"{uwsgi_url}/ingest", json={"path": "/etc/passwd"},
                                 headers={"Authorization": token}, timeout=10)
        assert response.status_code == 403 and "outside the allowed source folders" in response.json()["message"]


class TestUploadsWithoutATokenAreNeverBuffered:
    """nginx asks the app about the token before it reads an upload: no token, no byte kept."""

    def test_a_huge_body_without_a_token_is_refused_before_it_is_sent(self, uwsgi_url: str) -> None:
        head = (f"POST /ingest HTTP/1.1\r\nHost: hostile\r\nContent-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {50 * 1024 * 1024}\r\n\r\n").encode()
        answer, seconds = raw_exchange(uwsgi_url, head + b"--x\r\n" + b"a" * 1000, timeout=10)
        assert status_of(answer) == 401 and seconds < 5
        assert "proxy:create" in str(error_of(answer)["message"])
        assert b"www-authenticate: bearer" in answer.lower()

    def test_a_token_without_the_scope_is_refused_too(self, uwsgi_url: str, service: Service) -> None:
        reader = bearer(Settings.from_environ(service.environment), "proxy:read")
        head = (f"POST /ingest HTTP/1.1\r\nHost: hostile\r\nAuthorization: {reader}\r\n"
                f"Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 1000000\r\n\r\n").encode()
        answer, seconds = raw_exchange(uwsgi_url, head + b"--x\r\n", timeout=10)
        assert status_of(answer) == 403 and seconds < 5

    def test_a_json_ingest_without_a_token_is_refused_by_the_app(self, uwsgi_url: str) -> None:
        """A JSON ingest (64 KiB at most) skips nginx's token check: the app makes it, with the same answer."""
        response = requests.post(f"{uwsgi_url}/ingest", json={"path": "/x"}, timeout=10)
        assert response.status_code == 401 and response.json()["message"] == "a bearer token is required"
        assert response.headers["WWW-Authenticate"].lower().startswith("bearer")

    def test_at_most_16_uploads_at_once_from_one_address(self, uwsgi_url: str, token: str) -> None:
        """Each is held by a client that sends its body slowly; the seventeenth at once gets 429."""
        holders = [SilentClient(uwsgi_url, ingest_head(token, "multipart/form-data; boundary=x",
                                                       "Content-Length: 100000") + b"--x", patience=8)
                   for _ in range(16)]
        for holder in holders:
            holder.start()
        time.sleep(0.5)
        try:
            answer, _ = raw_exchange(uwsgi_url, ingest_head(token, "multipart/form-data; boundary=x",
                                                            "Content-Length: 7") + b"--x--\r\n")
            assert status_of(answer) == 429 and error_of(answer)["error"] == "Too Many Requests"
        finally:
            for holder in holders:
                holder.connection.close()
