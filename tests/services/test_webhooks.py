"""Callbacks: only to allowed hosts, signed so a receiver can check them, a failure said as one."""

import hashlib
import hmac
import http.server
import json
import threading
from typing import Any, Iterator

import pytest

from proxyservice.services.webhooks import CallbackFailed, CallbackRefused, Webhooks, signature

SECRET = "s" * 40


class Receiver:
    """A loopback server that answers each POST with the next of ``statuses``, and keeps what it got."""

    def __init__(self, *statuses: int) -> None:
        self.statuses = list(statuses)
        self.received: list[tuple[dict[str, str], bytes]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                if status == 302:
                    self.send_header("Location", "http://10.0.0.1/inside")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.url = f"http://{self.host}/hook?from=proxyservice"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


def verify(secret: str, header: str, body: bytes) -> bool:
    """What a receiver does with Proxyservice-Signature."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    expected = hmac.new(secret.encode(), f"{fields['t']}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, fields["sha256"])


class TestCheck:
    @pytest.mark.parametrize("url", ["http://files.example/hook", "https://FILES.example:8443/x", "http://127.0.0.1:9000/"])
    def test_allowed_hosts_exactly(self, url: str) -> None:
        webhooks = Webhooks(("files.example", "127.0.0.1:9000"), SECRET, 5)
        assert webhooks.check(url) == url

    @pytest.mark.parametrize("url", [
        "http://files.example.evil/hook", "http://evil/files.example", "http://127.0.0.1:9001/", "http://127.0.0.1/",
        "http://files.example@169.254.169.254/", "ftp://files.example/", "file:///etc/passwd", "http:///nohost",
    ])
    def test_any_other_is_refused(self, url: str) -> None:
        with pytest.raises(CallbackRefused):
            Webhooks(("files.example", "127.0.0.1:9000"), SECRET, 5).check(url)

    def test_none_when_no_host_is_allowed(self) -> None:
        with pytest.raises(CallbackRefused, match="WEBHOOK_ALLOWED_HOSTS is empty"):
            Webhooks((), SECRET, 5).check("http://files.example/")


class TestDeliver:
    def test_a_signed_json_post_the_receiver_can_check(self, receiver: Receiver) -> None:
        document: dict[str, Any] = {"task_id": "t1", "status": "succeeded", "error": None}
        Webhooks((receiver.host,), SECRET, 5).deliver(receiver.url, document)
        [(headers, body)] = receiver.received
        assert json.loads(body) == document and headers["Content-Type"] == "application/json"
        assert verify(SECRET, headers["Proxyservice-Signature"], body)
        assert not verify("another secret of forty characters......", headers["Proxyservice-Signature"], body)

    @pytest.mark.parametrize("status", [500, 404, 302])
    def test_an_answer_other_than_2xx_is_a_failure_and_a_redirect_is_not_followed(self, status: int) -> None:
        receiver = Receiver(status)
        try:
            with pytest.raises(CallbackFailed, match=str(status)):
                Webhooks((receiver.host,), SECRET, 5).deliver(receiver.url, {"task_id": "t1"})
            assert len(receiver.received) == 1
        finally:
            receiver.server.shutdown()

    def test_no_answer_is_a_failure(self) -> None:
        with pytest.raises(CallbackFailed):
            Webhooks(("127.0.0.1:9",), SECRET, 1).deliver("http://127.0.0.1:9/", {"task_id": "t1"})

    def test_the_signature_covers_time_and_body(self) -> None:
        one = signature(SECRET, 1700000000, b"{}")
        assert one.startswith("t=1700000000,sha256=") and one != signature(SECRET, 1700000001, b"{}")
        assert one != signature(SECRET, 1700000000, b"{ }")
