"""Task records in memory: for tests and for tools that keep no history."""

from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Iterable, Iterator

from ...domain import TaskRecord, TaskState
from .errors import RecordNotFound
from .records import utcnow


class InMemoryTaskRecords:
    """The :class:`TaskRecords` interface over a dict."""

    def __init__(self) -> None:
        self.records: dict[str, TaskRecord] = {}
        self.resent: dict[str, datetime] = {}
        """When recovery last sent each task again (see :meth:`TaskRecords.claim_lost`)."""

    def put(self, record: TaskRecord) -> None:
        self.records[record.task_id] = record
        self.resent.pop(record.task_id, None)

    def claim(self, record: TaskRecord) -> bool:
        earlier = self.records.get(record.task_id)
        if earlier is not None and not earlier.state.is_finished:
            return False
        self.put(record)
        return True

    def requeue_if_unchanged(self, record: TaskRecord) -> bool:
        if self.records.get(record.task_id) != record:
            return False
        self.records[record.task_id] = replace(record, state=TaskState.QUEUED, started=None)
        return True

    def claim_lost(self, lost: Iterable[TaskRecord], settle: timedelta) -> list[TaskRecord]:
        now = utcnow()
        taken = []
        for record in lost:
            resent = self.resent.get(record.task_id)
            if self.records.get(record.task_id) == record and (resent is None or now - resent >= settle):
                self.records[record.task_id] = replace(record, state=TaskState.QUEUED, started=None)
                self.resent[record.task_id] = now
                taken.append(self.records[record.task_id])
        return taken

    def get(self, task_id: str) -> TaskRecord:
        if task_id not in self.records:
            raise RecordNotFound(f"no task {task_id!r}")
        return self.records[task_id]

    def find(self, task_id: str) -> TaskRecord | None:
        return self.records.get(task_id)

    def latest_succeeded(self, file_id: str, plugin: str) -> TaskRecord | None:
        done = [r for r in self.in_state(TaskState.SUCCEEDED) if (r.file_id, r.plugin) == (file_id, plugin)]
        return max(done, key=lambda r: r.finished or r.submitted, default=None)

    def delete(self, task_id: str) -> None:
        self.records.pop(task_id, None)
        self.resent.pop(task_id, None)

    def mark_started(self, task_id: str) -> TaskRecord:
        record = replace(self.get(task_id), state=TaskState.IN_PROGRESS, started=utcnow(),
                         finished=None, error=None, warnings=())
        self.records[task_id] = record
        return record

    def mark_finished(
        self, task_id: str, state: TaskState, error: str | None = None, warnings: tuple[str, ...] = ()
    ) -> TaskRecord:
        record = replace(self.get(task_id), state=state, finished=utcnow(), error=error, warnings=warnings)
        self.records[task_id] = record
        return record

    def in_state(self, state: TaskState) -> list[TaskRecord]:
        return sorted((r for r in self.records.values() if r.state is state), key=lambda r: (r.submitted, r.task_id))

    def is_available(self) -> bool:
        return True

    @contextmanager
    def no_fork_while_open(self) -> Iterator["InMemoryTaskRecords"]:
        yield self

    def close(self) -> None:
        pass
