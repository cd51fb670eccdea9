"""The chaos suite's harness: a stack of real parts, files sent across a fault, and what became of each.

The stack is the many-hosts one on one machine: a Redis (or RabbitMQ) of its
own, the records in a PostgreSQL database of its own, proxies and uploads in
a bucket of moto's S3 server reached through a :class:`~tests.chaos.faults.Relay`,
two real workers each with a data folder of its own, and the web app in this
process with a third. :func:`run_scenario` sends distinct files (by path, and
uploads) while a fault happens, follows every task it was given, and counts
what a user would notice (:class:`~tests.chaos.tally.Tally`).
"""

import io
import random
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from flask.testing import FlaskClient
from PIL import Image, ImageDraw

from proxyservice.errors import MAX_BACKOFF_SECONDS
from tests.chaos.faults import Fault, Relay
from tests.conftest import S3_CREDENTIALS
from tests.e2e.conftest import Service, running_service
from tests.chaos.tally import Client, Task, Tally, count
from tests.support import BrokerServer, Worker

SHORT_SETTINGS = {
    # Faults play out in seconds, as in tests/e2e/test_durability.py: a killed worker's task is sent again
    # within TASK_LEASE + RECOVERY_INTERVAL.
    "TASK_LEASE": "3",
    "RECOVERY_INTERVAL": "2",
    # Longer than the longest backoff, as in production (600 s): Redis gives a retry that waits in a live
    # worker back to the queue only after this, so a shorter one would deliver every waiting retry twice.
    "VISIBILITY_TIMEOUT": str(MAX_BACKOFF_SECONDS + 10),
    # The worker's disk is a 24 MiB tmpfs in the disk-full scenario.
    "STORE_MIN_FREE_MB": "4",
    # RESOURCE_WAIT_SECONDS keeps its default (15 minutes): nothing may give up during a fault.
}
STUCK_AFTER = MAX_BACKOFF_SECONDS + 30.0
"""Seconds after a fault ends by which every task must have ended: the longest backoff, and then some to run."""
CLIENT_RETRY_SECONDS = 0.5
"""How soon the suite's client asks again after a 503 (a real one waits Retry-After; this one is impatient)."""
POLL_SECONDS = 0.25
ENDED = ("succeeded", "failed", "skipped")


@dataclass
class Stack:
    """The parts of a running stack a fault or a measure reaches."""

    service: Service
    workers: list[Worker]
    storage: Relay
    database_url: str
    root: Path

    @property
    def broker(self) -> BrokerServer:
        return self.service.broker

    def worker_logs(self) -> list[Path]:
        """Every worker's log of this stack: the first, the second, and any started in a killed one's place."""
        return sorted(self.root.glob("worker*.log"))

    def another_worker(self, data_dir: Path) -> Worker:
        """A worker not yet started, on this stack, with ``data_dir`` and a log of its own."""
        log = self.root / f"worker-{len(self.worker_logs()) + 1}.log"
        worker = Worker({**self.service.environment, "DATA_DIR": str(data_dir)}, log, concurrency=1)
        self.workers.append(worker)
        return worker


@contextmanager
def chaos_stack(root: Path, database_url: str, storage: Relay, bucket: str, worker_data: tuple[Path, Path],
                broker_kind: str = "redis") -> Iterator[Stack]:
    """A stack under ``root``: a broker, two workers (one process each, on ``worker_data``), the web app.

    The object storage is reached through ``storage``, a relay joined to it.
    The web app runs in this process, so boto3's variables must already point
    at the relay here (the caller sets them); the workers are given them.
    """
    settings = {"DATABASE_URL": database_url, "STORE_URL": f"s3://{bucket}/chaos", **SHORT_SETTINGS,
                "AWS_ENDPOINT_URL": storage.url, **S3_CREDENTIALS}
    with running_service(root, concurrency=1, web={"DATA_DIR": str(root / "web-data")}, broker_kind=broker_kind,
                         DATA_DIR=str(worker_data[0]), **settings) as (service, first):
        stack = Stack(service, [first], storage, database_url, root)
        try:
            stack.another_worker(worker_data[1]).start()
            yield stack
        finally:
            for worker in stack.workers[1:]:
                worker.stop()


@dataclass(frozen=True)
class SourceFile:
    """One file the suite sends: by path under a source root, or its bytes as an upload."""

    name: str
    path: Path | None = None
    upload: bytes | None = None


def make_files(folder: Path, count: int, seed: int) -> list[SourceFile]:
    """``count`` distinct files: PNG images and HTML pages by path, one in four of them uploads.

    Each shows something (a black band, colours, a heading), so its proxy is no blank picture.
    """
    chooser = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(count):
        colour = tuple(chooser.randrange(40, 220) for _ in range(3))
        if n % 3 == 2:
            name = f"page-{seed}-{n}.html"
            data = (f"<!DOCTYPE html><html><body style='background:rgb{colour};margin:0'>"
                    "<div style='background:#000;height:400px'></div>"
                    f"<h1 style='font-size:64px'>Page {n} of run {seed}</h1></body></html>").encode()
        else:
            name = f"image-{seed}-{n}.png"
            image = Image.new("RGB", (320, 240), colour)
            draw = ImageDraw.Draw(image)
            draw.rectangle((0, 0, 319, 79), fill="black")
            draw.rectangle((0, 160, 319, 239), fill="white")
            for _ in range(4):
                x, y = chooser.randrange(0, 280), chooser.randrange(0, 200)
                draw.rectangle((x, y, x + 40, y + 40), fill=(255 - colour[0], 255 - colour[1], 255 - colour[2]))
            out = io.BytesIO()
            image.save(out, format="PNG")
            data = out.getvalue()
        if n % 4 == 3:
            files.append(SourceFile(name, upload=data))
        else:
            (folder / name).write_bytes(data)
            files.append(SourceFile(name, path=folder / name))
    return files


def run_scenario(stack: Stack, fault: Fault, files: list[SourceFile], fault_after: float = 2.0) -> Tally:
    """Send ``files`` across ``fault`` (begun ``fault_after`` s after the first), follow every task; the tally.

    The files are sent at an even pace over the fault's window, each again
    after a 503 until the service takes it.
    """
    tally = Tally(fault.name, files=len(files))
    client = Client(stack.service, tally)
    tasks: dict[str, Task] = {}
    sent = threading.Event()
    window = fault_after + fault.duration
    started = time.monotonic()
    fault_end: list[float] = []

    def deadline() -> float:
        return (fault_end[0] if fault_end else started + window) + STUCK_AFTER

    def send_all() -> None:
        http = client.session()
        for n, source in enumerate(files):
            time.sleep(max(0.0, started + n * window / len(files) - time.monotonic()))
            for task in _send(http, client, source, deadline):
                tasks.setdefault(task.task_id, task)
        sent.set()

    sender = threading.Thread(target=send_all, name="sender", daemon=True)
    sender.start()
    follower = threading.Thread(target=_follow, args=(client, tasks, sent, deadline), name="follower", daemon=True)
    follower.start()
    time.sleep(fault_after)
    fault.begin()
    try:
        time.sleep(max(0.0, started + window - time.monotonic()))
    finally:
        fault.end()
        fault_end.append(time.monotonic())
    sender.join()
    follower.join()
    tally.seconds = time.monotonic() - started
    count(stack.worker_logs(), client, tally, list(tasks.values()), fault_end[0])
    return tally


def _send(http: FlaskClient, client: Client, source: SourceFile, deadline: Callable[[], float]) -> list[Task]:
    """Send one file until the service takes it; its tasks (none when it never did)."""
    while True:
        if source.path is not None:
            response = http.post("/ingest", json={"path": str(source.path)})
        else:
            response = http.post("/ingest", data={"file": (io.BytesIO(source.upload or b""), source.name)},
                                 content_type="multipart/form-data")
        client.answered(f"POST /ingest {source.name}", response)
        if response.status_code in (200, 202, 303):
            body = response.get_json()
            return [Task(task["task_id"], body["file_id"]) for task in body["tasks"]]
        if response.status_code < 500 or time.monotonic() > deadline():
            client.tally.failed += 1
            client.tally.note(f"{source.name} never taken: {response.status_code} {response.get_json()}")
            return []
        time.sleep(CLIENT_RETRY_SECONDS)


def _follow(client: Client, tasks: dict[str, Task], sent: threading.Event, deadline: Callable[[], float]) -> None:
    """Read every task's status until all ended (once every file was sent), or the deadline passed."""
    http = client.session()
    while time.monotonic() < deadline():
        waiting = [task for task in list(tasks.values()) if task.ended_at is None]
        if sent.is_set() and not waiting:
            return
        for task in waiting:
            response = client.answered(f"GET /status/{task.task_id}", http.get(f"/status/{task.task_id}"))
            task.missing = response.status_code == 404
            if response.status_code == 303:
                task.status, task.ended_at = "succeeded", time.monotonic()
            elif response.status_code == 200:
                body = response.get_json()
                task.status, task.error = body["status"], body["error"]
                if task.status in ENDED:
                    task.ended_at = time.monotonic()
        time.sleep(POLL_SECONDS)
