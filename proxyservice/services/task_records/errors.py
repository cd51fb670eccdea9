"""Errors of the task records.

TaskRecordsError
├── RecordNotFound        no task has that id
└── RecordsUnavailable    the records' database cannot be used
"""

from ...errors import InputNotFound, ProxyServiceError, ResourceUnavailable

__all__ = ["TaskRecordsError", "RecordNotFound", "RecordsUnavailable"]


class TaskRecordsError(ProxyServiceError):
    """Base of the task records' errors."""


class RecordNotFound(TaskRecordsError, InputNotFound):
    """No task has that id."""


class RecordsUnavailable(TaskRecordsError, ResourceUnavailable):
    """The task records' database could not be opened, read or written.

    Check DATA_DIR (the SQLite file is ``$DATA_DIR/tasks.sqlite3``) or, when
    DATABASE_URL is set, that its server answers and its user may use it.
    The message never holds the database's password.
    """
