"""Durable task records: what each task is doing, kept apart from the broker."""

from .errors import RecordNotFound, RecordsUnavailable, TaskRecordsError
from .memory import InMemoryTaskRecords
from .records import TaskRecords

__all__ = ["TaskRecords", "InMemoryTaskRecords", "TaskRecordsError", "RecordNotFound", "RecordsUnavailable"]
