"""What an operator reads: log lines, plain or JSON, each naming the request it serves; and the metrics route."""

import json
import logging
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from proxyservice.config import SettingInvalid, Settings
from proxyservice.logging_config import configure_logging
from proxyservice.services.request_ids import current_request_id
from tests.conftest import bearer


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """The root logger as pytest set it, back after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


class TestRequestIds:
    """Every response names its request: the client's id when it gave a fair one, else a new one."""

    def test_the_clients_id_comes_back(self, client: FlaskClient) -> None:
        response = client.get("/healthz", headers={"X-Request-ID": "trace-42.a:b_c"})
        assert response.headers["X-Request-ID"] == "trace-42.a:b_c"

    def test_a_new_id_without_one_and_in_place_of_one_that_could_forge_log_lines(self, client: FlaskClient) -> None:
        made = client.get("/healthz").headers["X-Request-ID"]
        assert len(made) == 32 and made != client.get("/healthz").headers["X-Request-ID"]
        replaced = client.get("/healthz", headers={"X-Request-ID": "x\" level=ERROR"}).headers["X-Request-ID"]
        assert len(replaced) == 32 and "level" not in replaced
        assert client.get("/healthz", headers={"X-Request-ID": "a" * 129}).headers["X-Request-ID"] != "a" * 129

    def test_an_error_answer_names_its_request_too(self, client: FlaskClient) -> None:
        response = client.get("/status/nope", headers={"X-Request-ID": "lost-task"})
        assert response.status_code == 404 and response.headers["X-Request-ID"] == "lost-task"


class TestFormats:
    @pytest.mark.usefixtures("restored_logging")
    def test_json_lines_carry_the_request_id(self, capfd: pytest.CaptureFixture[str]) -> None:
        configure_logging(Settings.from_environ({}, LOG_FORMAT="json"))
        named = current_request_id.set("req-1")
        try:
            logging.getLogger("proxyservice.test").info("rendered %s", "page.html")
        finally:
            current_request_id.reset(named)
        logging.getLogger("proxyservice.test").warning("outside any request")
        first, second = [json.loads(line) for line in capfd.readouterr().err.splitlines()]
        assert first["message"] == "rendered page.html" and first["request_id"] == "req-1"
        assert (first["level"], first["logger"]) == ("INFO", "proxyservice.test") and first["time"]
        assert second["request_id"] == "-" and second["level"] == "WARNING"

    @pytest.mark.usefixtures("restored_logging")
    def test_text_lines_at_the_level_asked(self, capfd: pytest.CaptureFixture[str]) -> None:
        configure_logging(Settings.from_environ({}, LOG_LEVEL="warning"))
        logging.getLogger("proxyservice.test").info("not shown")
        logging.getLogger("proxyservice.test").warning("shown")
        [line] = capfd.readouterr().err.splitlines()
        assert line.endswith("WARNING MainProcess proxyservice.test [-] shown")

    @pytest.mark.parametrize("setting", [{"LOG_FORMAT": "xml"}, {"LOG_LEVEL": "LOUD"}])
    def test_an_unknown_format_or_level_is_refused(self, setting: dict[str, str]) -> None:
        with pytest.raises(SettingInvalid):
            configure_logging(Settings.from_environ({}, **setting))


class TestMetricsRoute:
    """GET /metrics in-process: the scope it needs, and an answer even when the broker is down."""

    def test_only_for_the_metrics_scope_and_without_the_queue_when_the_broker_is_down(
        self, app: Flask, settings: Settings
    ) -> None:
        client = app.test_client()
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": bearer(settings, "proxy:read")}).status_code == 403
        client.get("/healthz")
        scraped = client.get("/metrics", headers={"Authorization": bearer(settings, "proxy:metrics")})
        assert scraped.status_code == 200
        text = scraped.get_data(as_text=True)
        assert 'proxyservice_http_requests_total{method="GET",route="/healthz",status="200"}' in text
        assert "proxyservice_queue_length" not in text, "the settings' broker is unreachable: no sample"
