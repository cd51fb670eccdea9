"""Durable task records: what each task is doing, kept apart from the broker (SQLite, or PostgreSQL to share them)."""

from .errors import RecordNotFound, RecordsUnavailable, TaskRecordsError
from .memory import InMemoryTaskRecords
from .records import TaskRecords
from .schema import migrate

__all__ = ["TaskRecords", "InMemoryTaskRecords", "TaskRecordsError", "RecordNotFound", "RecordsUnavailable", "migrate"]
