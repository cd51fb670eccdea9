"""Hostile clients against real uWSGI started with the shipped uwsgi.ini, as the Dockerfile starts it.

Slow senders, header blocks too large, bodies shorter than announced, chunked bodies.
"""

import logging
import math
import re
import socket
import threading
import time
from typing import Iterator

import pytest
import requests

from proxyservice.config import Settings
from tests.conftest import bearer
from tests.e2e.conftest import Service
from tests.e2e.test_uwsgi import running_uwsgi
from tests.support import ROOT

SLOW_CLIENTS = 200
BYTE_INTERVAL = 2.0  # seconds between two bytes of one slow client
PROBES = 100
P99_LIMIT = 0.2  # seconds
# Seconds of silence after which the http router drops a client that has not finished its headers.
HEADERS_TIMEOUT = int(re.findall(r"^http-headers-timeout = (\d+)$", (ROOT / "uwsgi.ini").read_text(), re.M)[0])

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


def raw_exchange(url: str, data: bytes, half_close: bool = False, timeout: float = 10) -> tuple[bytes, float]:
    """Send ``data`` on a new connection; what came back before the server closed it, and after how long."""
    answer = b""
    with socket.create_connection(address(url), timeout=timeout) as connection:
        started = time.monotonic()
        try:
            connection.sendall(data)
            if half_close:
                connection.shutdown(socket.SHUT_WR)
            while chunk := connection.recv(65536):
                answer += chunk
        except (BrokenPipeError, ConnectionResetError):  # closed by the server while we still sent
            pass
        return answer, time.monotonic() - started


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


class StalledClient(threading.Thread):
    """A client that sends half its headers, then nothing: when does the server close it?"""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.connection = socket.create_connection(address(url), timeout=HEADERS_TIMEOUT + 20)
        self.closed_after: float | None = None

    def run(self) -> None:
        started = time.monotonic()
        self.connection.sendall(b"GET /plugins HTTP/1.1\r\nHost: stalled\r\n")
        try:
            self.connection.recv(1)
            self.closed_after = time.monotonic() - started
        except OSError:
            pass
        finally:
            self.connection.close()


class TestSlowClients:
    """200 clients each send a byte every 2 s (slow headers, slow JSON and multipart bodies)."""

    def test_they_do_not_hold_up_others(self, uwsgi_url: str, token: str) -> None:
        stalled = StalledClient(uwsgi_url)
        stalled.start()
        slow_headers = (b"GET /plugins HTTP/1.1\r\nHost: slow\r\n", b"X-Slow: " + b"s" * 1000)
        slow_json = (f"POST /ingest HTTP/1.1\r\nHost: slow\r\nAuthorization: {token}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n".encode(),
                     b'{"path": "/' + b"j" * 1000)
        slow_upload = (f"POST /ingest HTTP/1.1\r\nHost: slow\r\nAuthorization: {token}\r\n"
                       "Content-Type: multipart/form-data; boundary=b0undary\r\nContent-Length: 100000000\r\n\r\n"
                       "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.html\"\r\n\r\n".encode(),
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

        # Meanwhile, the client that stopped sending its headers was disconnected.
        stalled.join(timeout=HEADERS_TIMEOUT + 10)
        assert stalled.closed_after is not None, "the stalled client was never disconnected"
        assert HEADERS_TIMEOUT - 1 <= stalled.closed_after <= HEADERS_TIMEOUT + 3, stalled.closed_after


class TestMalformedRequests:
    """Requests a server must survive, answered (or dropped) at once, through uWSGI's routers."""

    @pytest.mark.parametrize("size", [20_000, 50_000])
    def test_headers_too_large_get_431(self, uwsgi_url: str, token: str, size: int) -> None:
        response = requests.get(f"{uwsgi_url}/plugins", headers={"Authorization": token, "X-Big": "b" * size},
                                timeout=10)
        assert response.status_code == 431 and response.json()["message"].startswith("headers: ")

    def test_headers_past_the_routers_limit_are_cut_off(self, uwsgi_url: str) -> None:
        # uWSGI's http router keeps at most 64 KiB of headers: past that it
        # closes the connection without an answer (documented in uwsgi.ini).
        answer, took = raw_exchange(uwsgi_url, b"GET /plugins HTTP/1.1\r\nHost: big\r\nX-Big: " + b"b" * 100_000
                                    + b"\r\n\r\n")
        assert answer == b"" and took < 2

    def test_a_body_shorter_than_announced_then_a_half_close(self, uwsgi_url: str, token: str) -> None:
        # The http router drops the request as soon as the client closes its
        # side: no worker ever sees it. It cannot answer 400 then: the
        # router has no way to answer once its client has closed (nor does nginx).
        request = (f"POST /ingest HTTP/1.1\r\nHost: short\r\nAuthorization: {token}\r\n"
                   "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n").encode() + b'{"path": "/x"}'
        answer, took = raw_exchange(uwsgi_url, request, half_close=True)
        assert answer == b"" and took < 1
        assert requests.get(f"{uwsgi_url}/plugins", headers={"Authorization": token}, timeout=5).status_code == 200

    @pytest.mark.parametrize("content_type, body", [
        ("application/json", b'{"path": "/x"}'),
        ("multipart/form-data; boundary=b0undary",
         b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="a.html"\r\n\r\n<p>x</p>\r\n--b0undary--\r\n'),
    ])
    def test_a_chunked_body_is_refused_with_411(self, uwsgi_url: str, token: str, content_type: str,
                                                 body: bytes) -> None:
        # uWSGI's http router does not pass chunked bodies on (with
        # http-chunked-input it would, but then a slow chunked client would
        # hold a worker thread): the client is told to send a Content-Length.
        request = (f"POST /ingest HTTP/1.1\r\nHost: chunked\r\nAuthorization: {token}\r\nContent-Type: {content_type}\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n").encode() + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
        answer, took = raw_exchange(uwsgi_url, request)
        assert status_of(answer) == 411 and b"Content-Length" in answer and took < 2

    def test_a_large_upload_is_buffered_whole_then_read(self, uwsgi_url: str, token: str) -> None:
        # 3 MB: past the fastrouter's 64 KiB in memory, so it goes through its temp file.
        upload = b"\x00\x01" * 1_500_000
        response = requests.post(f"{uwsgi_url}/ingest", files={"file": ("blob.bin", upload)},
                                 headers={"Authorization": token}, timeout=30)
        assert response.status_code == 415 and "no enabled plugin" in response.json()["message"]

    def test_a_small_json_body_is_buffered_whole_then_read(self, uwsgi_url: str, token: str) -> None:
        # Under 64 KiB: held in the fastrouter's memory.
        response = requests.post(f"{uwsgi_url}/ingest", json={"path": "/etc/passwd"},
                                 headers={"Authorization": token}, timeout=10)
        assert response.status_code == 403 and "outside the allowed source folders" in response.json()["message"]
