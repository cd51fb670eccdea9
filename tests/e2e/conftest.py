"""A running service for the end-to-end tests: a private Redis, a real worker, the web app."""

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask.testing import FlaskClient

from proxyservice.config import Settings
from proxyservice.factory import create_web_app
from tests.conftest import FIXTURES
from tests.support import RedisServer, Worker

DOCS = Path("/usr/share/doc")
RENDER_TIMEOUT = "8"


@dataclass
class Service:
    """What the tests drive: the environment the worker runs with, and a client of the app."""

    environment: dict[str, str]
    client: FlaskClient
    sources: Path
    broker: RedisServer

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


def service_environment(root: Path, broker: RedisServer) -> dict[str, str]:
    sources = root / "sources"
    shutil.copytree(FIXTURES, sources, dirs_exist_ok=True)
    return {
        "REDIS_URL": broker.url,
        "DATA_DIR": str(root / "data"),
        "SOURCE_ROOTS": f"{sources}:{DOCS}",
        "RENDER_TIMEOUT": RENDER_TIMEOUT,
        "STATUS_CHECK_TIMEOUT": "1.0",
    }


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One service for the session: Redis, two worker processes' pool, the app."""
    root = tmp_path_factory.mktemp("service")
    broker = RedisServer(root / "redis").start()
    environment = service_environment(root, broker)
    worker = Worker(environment, root / "worker.log").start()
    app = create_web_app(Settings.from_environ(environment), TESTING=True)
    yield Service(environment, app.test_client(), root / "sources", broker)
    worker.stop()
    broker.stop()
