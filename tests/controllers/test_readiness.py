"""Readiness, with each dependency a mock in the app's service container."""

import time
from http import HTTPStatus
from typing import Iterator
from unittest import mock

import pytest
from flask import Flask, current_app

from proxyservice.config import Settings
from proxyservice.controllers import readiness
from proxyservice.factory import create_web_app
from proxyservice.schemas import first_error
from tests.conftest import services_of


@pytest.fixture
def seams(app: Flask) -> Iterator[dict[str, mock.MagicMock]]:
    sessions = {name: mock.MagicMock() for name in ("ProxyStore", "TaskRecords", "TaskQueue")}
    services = services_of(app)
    services.store, services.records, services.queue = (  # type: ignore[assignment]
        sessions["ProxyStore"], sessions["TaskRecords"], sessions["TaskQueue"])
    sessions["ProxyStore"].is_available.return_value = True
    sessions["ProxyStore"].root = "/data/proxies"
    sessions["TaskRecords"].is_available.return_value = True
    sessions["TaskQueue"].is_available.return_value = True
    sessions["TaskQueue"].workers_answering.return_value = ["w1@host"]
    sessions["TaskQueue"].converter_status.return_value = (
        "w1@host", {"up": True, "sandbox": "bubblewrap 0.8.0", "wkhtmltoimage": "0.12.6"})
    yield sessions


class TestReady:
    """Every dependency is up."""

    def test_200_with_each_check(self, app: Flask, seams: dict[str, mock.MagicMock]) -> None:
        with app.app_context():
            data, status, _ = readiness.readiness(services_of(current_app), details=True)
        assert status is HTTPStatus.OK and data["ready"] is True
        assert data["checks"]["renderer"] == {"up": True, "sandbox": "bubblewrap 0.8.0", "wkhtmltoimage": "0.12.6",
                                              "worker": "w1@host"}
        assert data["checks"]["workers"]["workers"] == ["w1@host"]
        assert first_error("Readiness", data) is None


class TestNotReady:
    """One dependency is down: 503, and its entry says so."""

    def test_the_broker(self, app: Flask, seams: dict[str, mock.MagicMock]) -> None:
        seams["TaskQueue"].is_available.return_value = False
        with app.app_context():
            data, status, _ = readiness.readiness(services_of(current_app), details=True)
        assert status is HTTPStatus.SERVICE_UNAVAILABLE
        assert data["checks"]["broker"]["up"] is False
        assert data["checks"]["workers"]["error"] == "the broker is unreachable"
        assert data["checks"]["store"]["up"] is True

    def test_no_worker(self, app: Flask, seams: dict[str, mock.MagicMock]) -> None:
        seams["TaskQueue"].workers_answering.return_value = []
        with app.app_context():
            data, status, _ = readiness.readiness(services_of(current_app), details=True)
        assert status is HTTPStatus.SERVICE_UNAVAILABLE and data["checks"]["workers"]["up"] is False

    def test_the_sandbox_of_the_workers(self, app: Flask, seams: dict[str, mock.MagicMock]) -> None:
        seams["TaskQueue"].converter_status.return_value = (
            "w1@host", {"up": False, "error": "the converter sandbox (bubblewrap) cannot start", "wkhtmltoimage": "0.12.6"})
        with app.app_context():
            data, status, _ = readiness.readiness(services_of(current_app), details=True)
        assert status is HTTPStatus.SERVICE_UNAVAILABLE
        assert data["checks"]["renderer"]["up"] is False
        assert data["checks"]["renderer"]["error"] == "the converter sandbox (bubblewrap) cannot start"
        assert data["checks"]["renderer"]["worker"] == "w1@host"
        assert first_error("Readiness", data) is None

    def test_no_worker_to_report_on_the_converters(self, app: Flask, seams: dict[str, mock.MagicMock]) -> None:
        seams["TaskQueue"].converter_status.return_value = None
        with app.app_context():
            data, status, _ = readiness.readiness(services_of(current_app), details=True)
        assert status is HTTPStatus.SERVICE_UNAVAILABLE
        assert data["checks"]["renderer"] == {"up": False, "error": readiness.NO_WORKER}

    def test_a_check_that_hangs_is_cut_off(self, settings: Settings, seams: dict[str, mock.MagicMock]) -> None:
        seams["ProxyStore"].is_available.side_effect = lambda: time.sleep(5)
        app = create_web_app(Settings.from_environ({}, **{**settings.__dict__, "STATUS_CHECK_TIMEOUT": 0.2}))
        services = services_of(app)
        services.store, services.records, services.queue = (  # type: ignore[assignment]
            seams["ProxyStore"], seams["TaskRecords"], seams["TaskQueue"])
        started = time.monotonic()
        with app.app_context():
            data, status, _ = readiness.readiness(services_of(current_app), details=True)
        assert time.monotonic() - started < 2
        assert status is HTTPStatus.SERVICE_UNAVAILABLE
        assert "did not answer" in data["checks"]["store"]["error"]


class TestFloods:
    """The route needs no token: a flood of probes costs one round of checks a second, and learns little."""

    def test_one_round_of_checks_answers_a_burst(self, app: Flask, seams: dict[str, mock.MagicMock]) -> None:
        with app.app_context():
            for _ in range(50):
                readiness.readiness(services_of(current_app))
        assert seams["TaskQueue"].converter_status.call_count == 1

    def test_without_details_only_whether_each_is_up(self, app: Flask, seams: dict[str, mock.MagicMock]) -> None:
        with app.app_context():
            data, status, _ = readiness.readiness(services_of(current_app))
        assert status is HTTPStatus.OK
        assert data["checks"] == {name: {"up": True} for name in data["checks"]}
        assert first_error("Readiness", data) is None
