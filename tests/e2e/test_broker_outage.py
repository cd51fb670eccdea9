"""The broker stops and comes back: the service says so quickly and recovers by itself.

It runs on both brokers, Redis and RabbitMQ, each its own with its own worker,
so stopping them touches nothing else.
"""

import time
from typing import Iterator

import pytest

from tests.e2e.conftest import BROKERS, Service, running_service
from tests.support import Worker, wait_until


@pytest.fixture(scope="module", params=BROKERS)
def own_service(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Worker]]:
    with running_service(tmp_path_factory.mktemp(f"outage-{request.param}"), concurrency=1,
                         broker_kind=request.param) as started:
        yield started


class TestBrokerStops:
    """The broker is stopped, then started again on the same port."""

    def test_status_and_ingest_go_503_then_recover(self, own_service: tuple[Service, Worker]) -> None:
        service, _ = own_service
        assert service.client.get("/status").status_code == 200

        service.broker.stop()
        started = time.monotonic()
        # Readiness is checked at most once a second per process: it says so within about that.
        readiness = wait_until(lambda: (r := service.client.get("/status")).status_code == 503 and r, 5,
                               "readiness to see the broker gone")
        assert readiness.get_json()["checks"]["broker"]["up"] is False
        assert time.monotonic() - started < 4

        started = time.monotonic()
        refused = service.client.post("/ingest", json={"path": str(service.sources / "plain.html")})
        assert refused.status_code == 503
        assert "unreachable" in refused.get_json()["message"]
        assert time.monotonic() - started < 1.5, "said quickly, not after a long hang"

        service.broker.start()
        wait_until(lambda: service.client.get("/status").status_code == 200, 60, "readiness after the broker returned")
        accepted = service.client.post("/ingest", json={"path": str(service.sources / "plain.html")})
        assert accepted.status_code == 202
        assert service.follow(accepted.headers["Location"]).status_code == 303


class TestWorkerRestart:
    """Tasks wait in the queue while no worker runs; their status is kept."""

    def test_a_task_queued_with_no_worker_finishes_on_a_new_one(self, own_service: tuple[Service, Worker]) -> None:
        service, worker = own_service
        worker.stop()
        accepted = service.client.post("/ingest", json={"path": str(service.sources / "styled.html")})
        assert accepted.status_code == 202
        time.sleep(0.5)
        assert service.client.get(accepted.headers["Location"]).get_json()["status"] == "queued"
        worker.start()
        assert service.follow(accepted.headers["Location"]).status_code == 303
