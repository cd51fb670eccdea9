"""What became of the files sent across a fault: each task as last seen, the counts, and the suite's table."""

import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from tests.e2e.conftest import Service
from tests.support import assert_not_blank

STORED = re.compile(r"stored proxy (\w+)/(\S+) ")
"""A worker's log line for each proxy it stored: one per render."""


@dataclass
class Task:
    """One task an ingest answer gave, as the suite last saw it."""

    task_id: str
    file_id: str
    status: str = "queued"
    ended_at: float | None = None
    missing: bool = False
    """The last read of its status answered 404: the service has no record of it."""
    error: str | None = None


@dataclass
class Tally:
    """What became of the files sent across one fault: the suite's row."""

    fault: str
    files: int = 0
    tasks: int = 0
    lost: int = 0
    """Tasks accepted whose record is gone."""
    stuck: int = 0
    """Tasks not ended STUCK_AFTER seconds after the fault ended."""
    failed: int = 0
    """Good files whose task failed, that were refused for good, or that have no picture."""
    duplicated: int = 0
    """Proxies rendered and stored more than once for the same file."""
    server_errors: int = 0
    """Answers of 500 and up other than a 503 with Retry-After."""
    unavailable: int = 0
    """503s with Retry-After: what the service should say during a fault, not counted against it."""
    recovery: float | None = None
    """Seconds from the fault's end to the last task's end (0 when all ended before)."""
    seconds: float = 0.0
    """The whole scenario, from the first file sent."""
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """The goal: nothing lost, stuck, failed or duplicated, and no 5xx but 503 with Retry-After."""
        return not (self.lost or self.stuck or self.failed or self.duplicated or self.server_errors)

    def note(self, what: str) -> None:
        if len(self.notes) < 20:
            self.notes.append(what)


class Client:
    """The suite's client: one test client of the web app per thread, counting the 5xx it is answered."""

    def __init__(self, service: Service, tally: Tally) -> None:
        self.service = service
        self.tally = tally
        self._lock = threading.Lock()

    def session(self) -> FlaskClient:
        client = self.service.client.application.test_client()
        client.environ_base.update(self.service.client.environ_base)
        return client

    def answered(self, what: str, response: Any) -> Any:
        if response.status_code == 503 and response.headers.get("Retry-After"):
            with self._lock:
                self.tally.unavailable += 1
        elif response.status_code >= 500:
            with self._lock:
                self.tally.server_errors += 1
                self.tally.note(f"{what}: {response.status_code} {response.get_data(as_text=True)[:200]}")
        return response


def count(worker_logs: list[Path], client: Client, tally: Tally, tasks: list[Task], fault_end: float) -> None:
    """Count what became of each task, and how many times each proxy was stored."""
    http = client.session()
    tally.tasks = len(tasks)
    for task in tasks:
        if task.missing:
            tally.lost += 1
            tally.note(f"task {task.task_id} lost: its status is 404")
        elif task.ended_at is None:
            tally.stuck += 1
            tally.note(f"task {task.task_id} stuck {task.status}: {task.error}")
        elif task.status != "succeeded":
            tally.failed += 1
            tally.note(f"task {task.task_id} {task.status}: {task.error}")
        elif not _has_picture(http, client, task):
            tally.failed += 1
    stored = Counter(match.groups() for log in worker_logs for match in STORED.finditer(log.read_text()))
    mine = {task.file_id for task in tasks}
    for (file_id, typeidentifier), times in stored.items():
        if file_id in mine and times > 1:
            tally.duplicated += 1
            tally.note(f"proxy {typeidentifier} of {file_id} stored {times} times")
    ends = [task.ended_at for task in tasks if task.ended_at is not None]
    if ends and not (tally.stuck or tally.lost):
        tally.recovery = max(0.0, max(ends) - fault_end)


def _has_picture(http: FlaskClient, client: Client, task: Task) -> bool:
    """Whether the file's proxies are listed, one of them being a picture that shows something."""
    listing = client.answered(f"GET /proxies/{task.file_id}", http.get(f"/proxies/{task.file_id}"))
    proxies = listing.get_json().get("proxies", []) if listing.status_code == 200 else []
    if not proxies:
        client.tally.note(f"task {task.task_id} succeeded, but its file has no proxy ({listing.status_code})")
        return False
    picture = client.answered(f"GET {proxies[0]['url']}", http.get(proxies[0]["url"]))
    try:
        assert picture.status_code == 200, picture.status_code
        assert_not_blank(picture.data)
    except (AssertionError, OSError) as e:
        client.tally.note(f"task {task.task_id}: its proxy is no picture: {e}")
        return False
    return True


TABLE_COLUMNS = ("fault", "files", "tasks", "lost", "stuck", "failed", "duplicated", "5xx", "503+Retry-After",
                 "recovery s", "run s")


def table(tallies: list[Tally]) -> list[str]:
    """The rows of the suite's table, as Markdown: fault → lost, stuck, failed, duplicated, 5xx and recovery time."""
    rows = [TABLE_COLUMNS, tuple("---" for _ in TABLE_COLUMNS)]
    for t in tallies:
        recovery = "—" if t.recovery is None else f"{t.recovery:.1f}"
        rows.append((t.fault, str(t.files), str(t.tasks), str(t.lost), str(t.stuck), str(t.failed),
                     str(t.duplicated), str(t.server_errors), str(t.unavailable), recovery, f"{t.seconds:.0f}"))
    return ["| " + " | ".join(row) + " |" for row in rows]
