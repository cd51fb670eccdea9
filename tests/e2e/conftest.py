"""A running service for the end-to-end tests: a private broker (Redis, or RabbitMQ), a real worker, the web app."""

import os
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask.testing import FlaskClient

from proxyservice.config import Settings
from proxyservice.factory import create_web_app
from tests.conftest import FIXTURES, TEST_SECRET, bearer
from tests.support import LISTED_PORT, BrokerServer, RabbitMQServer, Worker, broker_server

DOCS = Path("/usr/share/doc")
RENDER_TIMEOUT = "8"


@dataclass
class Service:
    """What the tests drive: the environment the worker runs with, and a client of the app."""

    environment: dict[str, str]
    client: FlaskClient
    sources: Path
    broker: BrokerServer

    def follow(self, location: str, timeout: float = 60) -> Any:
        """Poll a task's status until it leaves queued/in_progress; return the last response."""
        deadline = time.monotonic() + timeout
        while True:
            response = self.client.get(location)
            if response.status_code != 200 or response.get_json()["status"] not in ("queued", "in_progress"):
                return response
            if time.monotonic() > deadline:
                raise AssertionError(f"task {location} still {response.get_json()['status']} after {timeout} s")
            time.sleep(0.1)


def service_environment(root: Path, broker: BrokerServer) -> dict[str, str]:
    sources = root / "sources"
    shutil.copytree(FIXTURES, sources, dirs_exist_ok=True)
    return {
        "BROKER_URL": broker.url,
        "DATA_DIR": str(root / "data"),
        "SOURCE_ROOTS": f"{sources}:{DOCS}",
        "RENDER_TIMEOUT": RENDER_TIMEOUT,
        "STATUS_CHECK_TIMEOUT": "1.0",
        # Loopback on one port only, for the tests' own never-answering servers.
        "RENDER_ALLOWED_HOSTS": f"127.0.0.1:{LISTED_PORT}",
        "AUTH_SECRET": TEST_SECRET,
        # Many workers run at once in the tests: none takes the metrics port unless a test asks.
        "WORKER_METRICS_PORT": "0",
    }


@contextmanager
def running_service(
    root: Path, concurrency: int = 2, web: dict[str, str] | None = None, broker_kind: str = "redis",
    broker: BrokerServer | None = None, **settings: str
) -> Iterator[tuple[Service, Worker]]:
    """A service of its own under ``root``: a broker, a worker, the app; stopped at the end.

    ``broker_kind`` is ``redis`` or ``rabbitmq``, started for the service,
    unless a started ``broker`` is given; ``settings`` are environment
    variables that differ from the session's; ``web`` those that differ for
    the app alone, as on another host (its own DATA_DIR).
    """
    broker = broker or broker_server(broker_kind, root / broker_kind)
    environment = {**service_environment(root, broker), **settings}
    worker = Worker(environment, root / "worker.log", concurrency=concurrency).start()
    settings = Settings.from_environ({**environment, **(web or {})})
    client = create_web_app(settings, TESTING=True).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = bearer(settings)
    try:
        yield Service(environment, client, root / "sources", broker), worker
    finally:
        worker.stop()
        broker.stop()


def run_cli(environment: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the installed ``proxyservice`` command, as a user would."""
    command = [str(Path(sys.executable).parent / "proxyservice"), *arguments]
    return subprocess.run(command, env={**os.environ, **environment}, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One service for the session: Redis, a worker with two processes, the app."""
    with running_service(tmp_path_factory.mktemp("service")) as (service, _):
        yield service


BROKERS = [pytest.param("redis"),
           pytest.param("rabbitmq", marks=pytest.mark.skipif(not RabbitMQServer.installed(),
                                                              reason="rabbitmq-server is not installed (config/install.sh installs it)"))]
"""The brokers a test runs on, as ``params`` of its fixture."""
