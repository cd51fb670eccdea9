"""Task records in memory: for tests and for tools that keep no history."""

from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Iterable, Iterator, Mapping

from ...domain import TaskRecord, TaskState
from ...domain.file_query import (FieldFilter, FilePage, FileQuery, ListedFile, SortValue, index_entries, later_than,
                                  next_key)
from ...domain.metadata import FILE_NAMESPACE
from .errors import RecordNotFound
from .records import utcnow


class InMemoryTaskRecords:
    """The :class:`TaskRecords` interface over a dict."""

    def __init__(self) -> None:
        self.records: dict[str, TaskRecord] = {}
        self.resent: dict[str, datetime] = {}
        """When recovery last sent each task again (see :meth:`TaskRecords.claim_lost`)."""
        self.leases: dict[str, datetime] = {}
        """Until when a worker holds each task it runs (see :meth:`TaskRecords.start`)."""
        self.locks: dict[str, tuple[str, datetime]] = {}
        self.callbacks: dict[str, list[str]] = {}
        self.metadata: dict[str, dict[str, dict[str, Any]]] = {}
        """Each file's metadata, by namespace."""

    def put(self, record: TaskRecord) -> None:
        self.records[record.task_id] = record
        self.resent.pop(record.task_id, None)
        self.leases.pop(record.task_id, None)

    def claim(self, record: TaskRecord) -> bool:
        earlier = self.records.get(record.task_id)
        if earlier is not None and not earlier.state.is_finished:
            return False
        self.put(record)
        return True

    def claim_lost(self, lost: Iterable[TaskRecord], settle: timedelta) -> list[TaskRecord]:
        now = utcnow()
        taken = []
        for record in lost:
            resent = self.resent.get(record.task_id)
            if (self.records.get(record.task_id) == record and not self._held(record.task_id, now)
                    and (resent is None or now - resent >= settle)):
                self.records[record.task_id] = replace(record, state=TaskState.QUEUED, started=None)
                self.resent[record.task_id] = now
                self.leases.pop(record.task_id, None)
                taken.append(self.records[record.task_id])
        return taken

    def add_callback(self, task_id: str, url: str) -> None:
        self.callbacks.setdefault(task_id, []).append(url)

    def take_callbacks(self, task_id: str) -> list[str]:
        return self.callbacks.pop(task_id, [])

    def get(self, task_id: str) -> TaskRecord:
        if task_id not in self.records:
            raise RecordNotFound(f"no task {task_id!r}")
        return self.records[task_id]

    def find(self, task_id: str) -> TaskRecord | None:
        return self.records.get(task_id)

    def delete(self, task_id: str) -> None:
        self.records.pop(task_id, None)
        self.resent.pop(task_id, None)

    def start(self, task_id: str, lease: timedelta) -> TaskRecord | None:
        record, now = self.get(task_id), utcnow()
        if record.state is TaskState.SUCCEEDED or self._held(task_id, now):
            return None
        record = replace(record, state=TaskState.IN_PROGRESS, started=now, finished=None, error=None, warnings=())
        self.records[task_id], self.leases[task_id] = record, now + lease
        return record

    def renew(self, task_id: str, lease: timedelta) -> bool:
        if self.get(task_id).state is not TaskState.IN_PROGRESS:
            return False
        self.leases[task_id] = utcnow() + lease
        return True

    @contextmanager
    def held(self, task_id: str, lease: timedelta) -> Iterator[None]:
        yield

    def lapsed(self) -> list[TaskRecord]:
        now = utcnow()
        return [r for r in self.in_state(TaskState.IN_PROGRESS) if not self._held(r.task_id, now)]

    def take_lock(self, name: str, holder: str, hold: timedelta) -> bool:
        now = utcnow()
        current = self.locks.get(name)
        if current is not None and current[0] != holder and current[1] > now:
            return False
        self.locks[name] = (holder, now + hold)
        return True

    def _held(self, task_id: str, now: datetime) -> bool:
        lease = self.leases.get(task_id)
        return self.records[task_id].state is TaskState.IN_PROGRESS and lease is not None and lease > now

    def mark_finished(
        self, task_id: str, state: TaskState, error: str | None = None, warnings: tuple[str, ...] = ()
    ) -> TaskRecord:
        record = replace(self.get(task_id), state=state, finished=utcnow(), error=error, warnings=warnings)
        self.records[task_id] = record
        self.leases.pop(task_id, None)
        return record

    def in_state(self, state: TaskState) -> list[TaskRecord]:
        return sorted((r for r in self.records.values() if r.state is state), key=lambda r: (r.submitted, r.task_id))

    def recent(self, name_contains: str = "", state: TaskState | None = None, limit: int = 50) -> list[TaskRecord]:
        chosen = [r for r in self.records.values() if name_contains.casefold() in r.filename.casefold()
                  and (state is None or r.state is state)]
        return sorted(chosen, key=lambda r: (-r.submitted.timestamp(), r.task_id))[:limit]

    def put_metadata(self, file_id: str, namespace: str, fields: Mapping[str, Any]) -> None:
        self.metadata.setdefault(file_id, {}).setdefault(namespace, {}).update(fields)

    def metadata_of(self, file_id: str) -> dict[str, dict[str, Any]]:
        return {namespace: dict(fields) for namespace, fields in sorted(self.metadata.get(file_id, {}).items())}

    def forget_metadata(self, file_id: str) -> None:
        self.metadata.pop(file_id, None)

    def forget_file(self, file_id: str) -> bool:
        mine = [task_id for task_id, record in self.records.items() if record.file_id == file_id]
        for task_id in mine:
            self.delete(task_id)
            self.callbacks.pop(task_id, None)
            self.leases.pop(task_id, None)
        return self.metadata.pop(file_id, None) is not None or bool(mine)

    def files(self, query: FileQuery) -> FilePage:
        """As :meth:`TaskRecords.files` answers, from each file's entries (slow at scale: for tests)."""
        found: dict[tuple[SortValue, str], str] = {}
        for file_id, namespaces in self.metadata.items():
            entries = {namespace: index_entries(fields) for namespace, fields in namespaces.items()}

            def fits(wanted: FieldFilter) -> list[SortValue]:
                return [wanted.sort_value(text, number) for field, text, number in entries.get(wanted.namespace, [])
                        if field == wanted.field and wanted.accepts(text, number)]

            names = [text or "" for field, text, _ in entries.get(FILE_NAMESPACE, []) if field == "name"]
            if query.name and not any(query.name.casefold() in name.casefold() for name in names):
                continue
            if query.driver is None and not (query.name or FILE_NAMESPACE in namespaces):
                continue
            if not all(fits(wanted) for wanted in query.checked):
                continue
            for value in (fits(query.driver) if query.driver is not None else [None]):
                if later_than((value, file_id), query.after):
                    found[(value, file_id)] = file_id
        keys = sorted(found)[:query.limit + 1]
        chosen = [ListedFile(file_id, self.metadata_of(file_id)) for _, file_id in keys[:query.limit]]
        return FilePage(tuple(chosen), next_key(keys, query.limit))

    def tasks_of(self, file_id: str) -> list[TaskRecord]:
        mine = [r for r in self.records.values() if r.file_id == file_id]
        return sorted(mine, key=lambda r: (-r.submitted.timestamp(), r.task_id))

    def is_available(self) -> bool:
        return True

    @contextmanager
    def no_fork_while_open(self) -> Iterator["InMemoryTaskRecords"]:
        yield self

    def close(self) -> None:
        pass
