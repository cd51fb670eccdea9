"""Many requests for the same proxy at once make one render, through a real worker and Redis."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any, Iterator

import pytest

from tests.e2e.conftest import Service, running_service
from tests.e2e.test_durability import SlowServer
from tests.support import LISTED_PORT, Worker, wait_until


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Worker]]:
    with running_service(tmp_path_factory.mktemp("concurrent"), concurrency=2) as started:
        yield started


def post_at_once(service: Service, body: dict[str, Any], times: int) -> list[Any]:
    """``times`` identical POSTs, each from its own client, as close together as threads allow."""
    app = service.client.application
    token = service.client.environ_base["HTTP_AUTHORIZATION"]

    def post(_: int) -> Any:
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = token
        return client.post("/ingest", json=body)

    with ThreadPoolExecutor(max_workers=times) as pool:
        return list(pool.map(post, range(times)))


def deliveries(worker: Worker, task_id: str) -> int:
    """How many times the broker delivered the task to the worker."""
    return sum(1 for line in worker.log.read_text().splitlines() if f"[{task_id}] received" in line)


class TestOneRender:
    """Concurrent identical requests claim the task once; the others follow the same task."""

    def test_fifty_identical_posts_make_one_render(self, busy: tuple[Service, Worker]) -> None:
        service, worker = busy
        page = service.sources / "fifty.html"
        page.write_text("<!DOCTYPE html><html><body><h1>Fifty at once</h1></body></html>")
        responses = post_at_once(service, {"path": str(page)}, 50)
        assert {response.status_code for response in responses} <= {202, 303}
        task_ids = {response.get_json()["tasks"][0]["task_id"] for response in responses}
        assert len(task_ids) == 1
        [task_id] = task_ids
        assert service.follow(f"/status/{task_id}").status_code == 303
        assert deliveries(worker, task_id) == 1
        assert sum(not r.get_json()["tasks"][0]["reused"] for r in responses) == 1, "one request sent it"

    def test_a_force_while_the_task_runs_joins_it(self, busy: tuple[Service, Worker]) -> None:
        service, worker = busy
        slow = SlowServer(delay=3.0, port=LISTED_PORT)
        try:
            page = slow.page(service.sources, "forced.html")
            first = service.client.post("/ingest", json={"path": str(page)})
            task_id = first.get_json()["tasks"][0]["task_id"]
            wait_until(lambda: service.client.get(f"/status/{task_id}").get_json()["status"] == "in_progress", 30,
                       "the render to start")
            forced = post_at_once(service, {"path": str(page), "force": True}, 10)
            assert all(r.get_json()["tasks"][0] == {**r.get_json()["tasks"][0], "task_id": task_id, "reused": True}
                       for r in forced)
            assert service.follow(f"/status/{task_id}").status_code == 303
            assert deliveries(worker, task_id) == 1
            assert slow.hits == 1, "rendered once"
        finally:
            slow.stop()

    def test_a_force_after_it_finished_renders_again(self, busy: tuple[Service, Worker]) -> None:
        service, worker = busy
        page = service.sources / "again.html"
        page.write_text("<!DOCTYPE html><html><body><h1>Again</h1></body></html>")
        task_id = service.client.post("/ingest", json={"path": str(page)}).get_json()["tasks"][0]["task_id"]
        assert service.follow(f"/status/{task_id}").status_code == 303
        forced = service.client.post("/ingest", json={"path": str(page), "force": True})
        assert forced.status_code == 202 and forced.get_json()["tasks"][0]["reused"] is False
        assert service.follow(f"/status/{task_id}").status_code == 303
        wait_until(lambda: deliveries(worker, task_id) == 2, 10, "the second delivery in the log")
