"""Errors of the task records.

TaskRecordsError
├── RecordNotFound        no task has that id
└── RecordsUnavailable    the records' database cannot be used
"""

__all__ = ["TaskRecordsError", "RecordNotFound", "RecordsUnavailable"]


class TaskRecordsError(Exception):
    """Base of the task records' errors."""


class RecordNotFound(TaskRecordsError):
    """No task has that id."""


class RecordsUnavailable(TaskRecordsError):
    """The task records' database could not be opened, read or written; check DATA_DIR."""
