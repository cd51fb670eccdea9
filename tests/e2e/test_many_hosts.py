"""Three hosts on one machine, as network namespaces: a state host, a web host, a workers host.

- The state host runs what the others share: Redis (keeping nothing on disk),
  PostgreSQL (a cluster of the test's own) and an S3 server (moto's server mode).
- The web host runs uWSGI as the Dockerfile does, nginx in front.
- The workers host runs two Celery workers.

Each host has its own empty DATA_DIR, and the source tree is a read-only
share on the web and workers hosts. The test, outside, is the client: it
ingests by upload and by path, follows each status and fetches the proxies
from the web host. Then it kills a worker mid-render and restarts the broker
empty: no task is lost, and each file has exactly one proxy.

Where namespaces cannot be made (not root, no ``ip``), the module is skipped
and says why.
"""

import os
import shutil
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
import redis
import requests

from proxyservice.config import Settings
from tests.conftest import FIXTURES, S3_CREDENTIALS, TEST_SECRET, bearer
from tests.netns import NamespacesUnavailable, Network, Server, moto_command, postgres_command, redis_command
from tests.support import SlowServer, Worker, assert_not_blank, dockerfile_command, pictures, wait_until

PYTHON_DOCS = Path("/usr/share/doc/python3.11/html")
PAGES = ["library/os.html", "library/json.html", "library/pathlib.html", "library/re.html",
         "library/shutil.html", "library/time.html", "library/random.html", "library/string.html"]
SLOW_SECONDS = 6.0
UPLOAD = (b"<!DOCTYPE html><html><head><style>body{background:#1f4e8c;margin:0}h1{color:#fff;font-size:60px}"
          b"</style></head><body><h1>Uploaded on the web host</h1></body></html>")


@dataclass
class Hosts:
    """The three hosts running, and how the test reaches them."""

    network: Network
    web: str
    """The web host's URL."""
    token: str
    workers: list[Worker]
    broker: Server
    broker_url: str
    bucket: str
    s3: Any
    tree: Path
    data: dict[str, Path]
    slow: SlowServer

    def get(self, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> requests.Response:
        return requests.get(f"{self.web}{path}", headers={"Authorization": f"Bearer {self.token}", **(headers or {})},
                            timeout=30, **kwargs)

    def ingest_path(self, path: Path) -> str:
        response = requests.post(f"{self.web}/ingest", json={"path": str(path)},
                                 headers={"Authorization": f"Bearer {self.token}"}, timeout=30)
        assert response.status_code == 202, response.text
        return str(response.headers["Location"])

    def follow(self, location: str, timeout: float = 120) -> dict[str, Any]:
        """A task's status, polled on the web host until it is finished."""

        def finished() -> dict[str, Any] | None:
            answer = self.get(location, allow_redirects=False)
            body = answer.json()
            return body if body["status"] not in ("queued", "in_progress") else None

        return dict(wait_until(finished, timeout, f"task {location} to finish", interval=0.25))

    def blobs_of(self, file_id: str) -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=f"service/proxies/{file_id}/blobs/")
        return [item["Key"] for item in listing.get("Contents", ())]


def shared_tree(root: Path) -> Path:
    """Real Sphinx pages with their stylesheets, and the project's fixtures: the files both hosts see."""
    tree = root / "share"
    shutil.copytree(FIXTURES, tree / "fixtures")
    shutil.copytree(PYTHON_DOCS / "_static", tree / "python" / "_static")
    for page in PAGES:
        (tree / "python" / page).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PYTHON_DOCS / page, tree / "python" / page)
    return tree


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hosts]:
    root = tmp_path_factory.mktemp("many-hosts")
    try:
        network = Network(["state", "web", "workers"]).__enter__()
    except NamespacesUnavailable as e:
        pytest.skip(f"cannot make network namespaces here: {e}")
    servers: list[Server] = []
    workers: list[Worker] = []
    try:
        state = network.addresses["state"]
        tree = shared_tree(root)
        data = {host: root / f"{host}-data" for host in ("web", "workers")}
        for folder in data.values():
            folder.mkdir()

        postgres = Server(postgres_command(network, "state"), root / "postgres.log")
        servers.append(postgres.start(lambda: _answers(state, 5432), "PostgreSQL on the state host"))
        broker = Server(redis_command(network, "state", root / "redis"), root / "redis.log")
        servers.append(broker.start(lambda: _answers(state, 6379), "Redis on the state host"))
        s3 = Server(moto_command(network, "state", 5000), root / "moto.log")
        servers.append(s3.start(lambda: _answers(state, 5000), "the S3 server on the state host"))

        endpoint = f"http://{state}:5000"
        bucket = "proxies"
        client = boto3.client("s3", endpoint_url=endpoint, **_boto3_credentials())
        client.create_bucket(Bucket=bucket)
        slow = SlowServer(SLOW_SECONDS, network.gateway)
        environment = {
            "DATABASE_URL": f"postgresql://postgres@{state}:5432/postgres",
            "BROKER_URL": f"redis://{state}:6379/0",
            "STORE_URL": f"s3://{bucket}/service",
            "AWS_ENDPOINT_URL": endpoint, **S3_CREDENTIALS,
            "SOURCE_ROOTS": str(tree),
            "AUTH_SECRET": TEST_SECRET,
            "RENDER_TIMEOUT": "20",
            "RENDER_ALLOWED_HOSTS": f"{network.gateway}:{slow.port}",
            "STATUS_CHECK_TIMEOUT": "2.0",
            "BROKER_TIMEOUT": "2.0",
            "RECOVERY_INTERVAL": "2",
            "TASK_LEASE": "3",
        }
        web_address = f"{network.addresses['web']}:8000"
        web = Server([*network.on("web", read_only=tree), "env", *_assignments({
            **environment, "DATA_DIR": str(data["web"]), "PROXYSERVICE_HTTP": web_address,
            "UWSGI_VIRTUALENV": sys.prefix}),
            *dockerfile_command("Dockerfile")], root / "uwsgi.log")
        servers.append(web.start(lambda: _answers(network.addresses["web"], 8000), "uWSGI on the web host"))
        for n in range(2):
            worker = Worker({**environment, "DATA_DIR": str(data["workers"])}, root / f"worker-{n}.log",
                            concurrency=1, on_host=network.on("workers", read_only=tree))
            workers.append(worker.start())
        settings = Settings.from_environ({**environment, "DATA_DIR": str(root / "client")})
        yield Hosts(network, f"http://{web_address}", bearer(settings).removeprefix("Bearer "), workers, broker,
                    environment["BROKER_URL"], bucket, client, tree, data, slow)
    finally:
        for worker in workers:
            worker.stop()
        for server in reversed(servers):
            server.stop()
        network.__exit__()


def _answers(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=0.5):
            return True
    except OSError:
        return False


def _assignments(environment: dict[str, str]) -> list[str]:
    return [f"{name}={value}" for name, value in environment.items()]


def _boto3_credentials() -> dict[str, str]:
    return {"aws_access_key_id": S3_CREDENTIALS["AWS_ACCESS_KEY_ID"],
            "aws_secret_access_key": S3_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            "region_name": S3_CREDENTIALS["AWS_DEFAULT_REGION"]}


def files_under(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


class TestManyHosts:
    def test_the_web_host_is_ready_with_every_shared_part_up(self, hosts: Hosts) -> None:
        status = wait_until(lambda: (r := hosts.get("/status")).status_code == 200 and r, 30, "readiness")
        checks = status.json()["checks"]
        assert all(check["up"] for check in checks.values()), checks

    def test_ingest_by_upload_and_by_path_follow_and_fetch_from_the_web_host(self, hosts: Hosts) -> None:
        upload = requests.post(f"{hosts.web}/ingest", files={"file": ("uploaded page.html", UPLOAD, "text/html")},
                               headers={"Authorization": f"Bearer {hosts.token}"}, timeout=30)
        assert upload.status_code == 202, upload.text
        locations = [upload.headers["Location"]] + [hosts.ingest_path(hosts.tree / "python" / page) for page in PAGES[:3]]
        for location in locations:
            status = hosts.follow(location)
            assert status["status"] == "succeeded" and status["error"] is None, status
            [proxy] = pictures(hosts.get(f"/proxies/{status['file_id']}").json()["proxies"])
            image = hosts.get(proxy["url"])
            assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
            assert image.headers["ETag"] == f'"{proxy["checksum"]}"'
            assert hosts.get(proxy["url"], headers={"If-None-Match": image.headers["ETag"]}).status_code == 304
            assert_not_blank(image.content)
        # Nothing a request needed crossed on a disk: the workers host kept no upload, no proxy.
        assert files_under(hosts.data["workers"] / "uploads") == []
        assert [name for name in files_under(hosts.data["workers"]) if "proxies" in name] == []

    def test_a_worker_killed_mid_render_and_the_broker_restarted_empty_lose_no_task(self, hosts: Hosts) -> None:
        slow_pages = []
        for n in range(2):
            # The share is read-only on the hosts, not here: the test writes it, as the file store would.
            slow_pages.append(hosts.slow.page(hosts.tree / "fixtures", f"slow-{n}.html"))
        hits = hosts.slow.hits
        locations = [hosts.ingest_path(page) for page in slow_pages]
        locations += [hosts.ingest_path(hosts.tree / "python" / page) for page in PAGES[3:]]
        locations.append(hosts.ingest_path(hosts.tree / "fixtures" / "styled.html"))
        # Both workers are inside a slow render, and the other tasks wait in the broker.
        wait_until(lambda: hosts.slow.hits >= hits + 2, 60, "both workers rendering a slow page")
        waiting = redis.Redis.from_url(hosts.broker_url).llen("celery")
        assert waiting >= 1, "tasks wait in the broker when it restarts"

        killed = hosts.workers[0]
        assert killed.process is not None
        os.killpg(killed.process.pid, signal.SIGKILL)
        killed.process.wait()
        killed.process = None
        hosts.broker.stop()
        hosts.broker.start(lambda: _answers(hosts.network.addresses["state"], 6379), "Redis restarted, empty")
        assert redis.Redis.from_url(hosts.broker_url).llen("celery") == 0, "the restarted broker holds nothing"
        killed.start()

        for location in locations:
            status = hosts.follow(location, timeout=180)
            assert status["status"] == "succeeded", status
            proxies = hosts.get(f"/proxies/{status['file_id']}").json()["proxies"]
            assert len(pictures(proxies)) == 1 and len(hosts.blobs_of(status["file_id"])) == len(proxies), \
                "exactly one proxy each"
