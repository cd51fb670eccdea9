"""Faults against real workers and a real broker: killed children, killed workers, restarted brokers, retries.

Every test runs on both brokers: a Redis that keeps nothing on disk, and a
RabbitMQ node whose queues are durable. The module runs services of its own:
their settings are short (visibility timeout, lease, recovery interval,
retries) so the faults play out in seconds.
"""

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e.conftest import BROKERS, Service, running_service
from tests.support import LISTED_PORT, SlowServer, Worker, pictures, wait_until

FLAKY = '''
from pathlib import Path
from PIL import Image
from proxyservice.plugins.api import Proxy, generate_temp_filename
from proxyservice.plugins.base import WorkerProxyPlugin
from proxyservice.services.store import StoreFailed


def flaky_job(file_id, path, width, height):
    """Fails with a transient error as many times as the file's first word says."""
    counter = Path(path + ".tries")
    tries = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(tries + 1))
    if tries < int(Path(path).read_text().split()[0]):
        raise StoreFailed(f"the store is briefly away (try {tries + 1})")
    out = generate_temp_filename(".png")
    Image.new("RGB", (width, height), "green").save(out)
    Proxy(file_id, "flaky").ingest(out, "thumbnail", "thumbnail.png", "image/png")
    return []


class Flaky(WorkerProxyPlugin):
    NAMESPACE = "flaky"
    EXTENSIONS = frozenset({".flaky"})
    MIMETYPES = frozenset()
    SCHEMA = [{"name": "thumbnail", "prompt": "t", "value": {"datatype": "Proxy"}}]
    job = staticmethod(flaky_job)

    def handles(self, ext=None, mimetype=None):
        return ext == ".flaky"
'''


@pytest.fixture(scope="module", params=BROKERS)
def durable(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Worker]]:
    root = tmp_path_factory.mktemp(f"durability-{request.param}")
    available = root / "data" / "plugins" / "available"
    available.mkdir(parents=True)
    # A module name per broker: the app of both runs is in this process, where a name is one module.
    (available / f"flaky_{request.param}.py").write_text(FLAKY)
    with running_service(root, concurrency=1, broker_kind=request.param, VISIBILITY_TIMEOUT="4", RECOVERY_INTERVAL="2",
                         TASK_LEASE="3", RESOURCE_WAIT_SECONDS="3",
                         ENABLED_PLUGINS=f"html_preview::HTMLPreview,flaky_{request.param}::Flaky") as started:
        yield started


@pytest.fixture(scope="module")
def slow() -> Iterator[SlowServer]:
    server = SlowServer(delay=3.0, port=LISTED_PORT)
    yield server
    server.stop()


def ingest(service: Service, path: Path) -> str:
    response = service.client.post("/ingest", json={"path": str(path)})
    assert response.status_code == 202, response.get_json()
    return str(response.headers["Location"])


def state(service: Service, location: str) -> str:
    return str(service.client.get(location).get_json()["status"])


def one_proxy(service: Service, location: str) -> None:
    file_id = service.client.get(location).get_json()["file_id"]
    proxies = service.client.get(f"/proxies/{file_id}").get_json()["proxies"]
    blobs = list((Path(service.environment["DATA_DIR"]) / "proxies" / file_id / "blobs").iterdir())
    # One picture, and no blob left over from a second render: one blob for each proxy (the picture, the text).
    assert len(pictures(proxies)) == 1 and len(blobs) == len(proxies), "exactly one proxy results"


def renderer_children(worker: Worker) -> list[int]:
    """Pool children of the worker that are running a renderer now."""
    assert worker.process is not None
    children = subprocess.run(["pgrep", "-P", str(worker.process.pid)], capture_output=True, text=True).stdout.split()
    return [int(c) for c in children
            if subprocess.run(["pgrep", "-P", c], capture_output=True, text=True).stdout.strip()]


def kill_worker_mid_render(service: Service, worker: Worker, slow: SlowServer, name: str) -> str:
    """Ingest a slow page, SIGKILL the whole worker while it renders it; return the task's status URL."""
    hits = slow.hits
    location = ingest(service, slow.page(service.sources, name))
    wait_until(lambda: slow.hits > hits and renderer_children(worker), 30, "a render under way")
    assert worker.process is not None
    os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait()
    worker.process = None
    return location


class TestRetries:
    """Transient errors are retried with backoff; ones that keep coming end the task as failed."""

    def test_a_transient_error_is_retried_until_it_passes(self, durable: tuple[Service, Worker]) -> None:
        service, _ = durable
        path = service.sources / "passes.flaky"
        path.write_text("2 failures, then fine")
        finished = service.follow(ingest(service, path))
        assert finished.status_code == 303, finished.get_json()
        assert (service.sources / "passes.flaky.tries").read_text() == "3"

    def test_an_error_that_keeps_coming_fails_after_the_last_retry(self, durable: tuple[Service, Worker]) -> None:
        service, _ = durable
        path = service.sources / "fails.flaky"
        path.write_text("99 failures")
        finished = service.follow(ingest(service, path))
        body = finished.get_json()
        assert body["status"] == "failed"
        assert body["error"] == "gave up after 3 tries: the store is briefly away (try 3)"


class TestKilledChild:
    """A worker child killed with SIGKILL in the middle of a render."""

    def test_the_task_is_delivered_again_and_finishes_once(self, durable: tuple[Service, Worker], slow: SlowServer) -> None:
        service, worker = durable
        location = ingest(service, slow.page(service.sources, "killed-child.html"))
        [child] = wait_until(lambda: slow.hits >= 1 and renderer_children(worker), 30, "a render under way")
        renderers = subprocess.run(["pgrep", "-P", str(child)], capture_output=True, text=True).stdout.split()
        os.kill(child, signal.SIGKILL)
        wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in renderers), 5,
                   "the killed child's renderer to die with it")
        finished = service.follow(location)
        assert finished.status_code == 303, finished.get_json()
        assert slow.hits >= 2, "the page was rendered again"
        one_proxy(service, location)


class TestBrokerRestart:
    """The broker restarts while a task waits in it: as that broker does (a Redis forgets, a RabbitMQ keeps),
    or without its data. Either way the task finishes once: from the broker, or sent again from its record."""

    @pytest.mark.parametrize("restart", ["restart", "restart_without_data"])
    def test_a_queued_task_finishes_once(self, durable: tuple[Service, Worker], restart: str) -> None:
        service, worker = durable
        worker.stop()
        location = ingest(service, service.sources / ("plain.html" if restart == "restart" else "styled.html"))
        getattr(service.broker, restart)()
        assert state(service, location) == "queued"
        worker.start()
        finished = service.follow(location)
        assert finished.status_code == 303, finished.get_json()
        one_proxy(service, location)


class TestKilledWorkerAndForgottenQueue:
    """A whole worker killed mid-render, then the broker restarted without its data: the started task is run again."""

    def test_the_started_task_the_broker_forgot_finishes(self, durable: tuple[Service, Worker], slow: SlowServer) -> None:
        service, worker = durable
        location = kill_worker_mid_render(service, worker, slow, "forgotten-started.html")
        service.broker.restart_without_data()  # the task is in neither the queue nor the taken set
        assert state(service, location) == "in_progress"
        worker.start()
        finished = service.follow(location, timeout=60)
        assert finished.status_code == 303, finished.get_json()
        one_proxy(service, location)


class TestTempFiles:
    """Files a killed child left half-made in the store's temp folder are swept once older than a task may run."""

    def test_they_go_and_fresh_ones_stay(self, durable: tuple[Service, Worker]) -> None:
        service, _ = durable
        temp = Path(service.environment["DATA_DIR"]) / "proxies" / ".proxytmp"
        temp.mkdir(parents=True, exist_ok=True)
        left, fresh = temp / "left-by-a-killed-child.png", temp / "being-made-now.png"
        left.write_bytes(b"\x89PNG" + b"x" * 3_000_000)
        fresh.write_bytes(b"\x89PNG")
        long_ago = time.time() - 3600  # older than TASK_TIME_LIMIT (150 s)
        os.utime(left, (long_ago, long_ago))
        wait_until(lambda: not left.exists(), 15, "the worker's sweep (every RECOVERY_INTERVAL, 2 s here)")
        assert fresh.exists()


class TestKilledWorker:
    """A whole worker killed: its task finishes on another worker (given back by the broker, or by the sweep)."""

    def test_another_worker_finishes_its_task(self, durable: tuple[Service, Worker], slow: SlowServer) -> None:
        service, worker = durable
        location = kill_worker_mid_render(service, worker, slow, "killed-worker.html")
        assert state(service, location) == "in_progress"
        worker.start()  # another worker (a new name, same queue)
        finished = service.follow(location, timeout=90)
        assert finished.status_code == 303, finished.get_json()
        one_proxy(service, location)
