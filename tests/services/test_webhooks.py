"""Callbacks: only to allowed hosts, signed so a receiver can check them, a failure said as one."""

import json
from typing import Any, Iterator

import pytest

from proxyservice.services.webhooks import CallbackFailed, CallbackRefused, Webhooks, signature
from tests.support import Receiver, verify

SECRET = "s" * 40


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.server.shutdown()


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
