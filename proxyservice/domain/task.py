"""Tasks: one plugin's work on one file, as the durable task record keeps it."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any


class TaskState(str, Enum):
    """Where a task is in its life."""

    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"

    @property
    def is_finished(self) -> bool:
        """Whether the task will not change state again by itself."""
        return self in (TaskState.SUCCEEDED, TaskState.FAILED, TaskState.SKIPPED)


@dataclass(frozen=True)
class TaskRecord:
    """The durable record of a task, written before the task is sent."""

    task_id: str
    file_id: str
    plugin: str
    state: TaskState
    submitted: datetime
    job: str = ""
    """``module:function`` the worker runs; empty for work done in-process."""
    args: tuple[Any, ...] = ()
    """The job's arguments: plain JSON values, never objects."""
    started: datetime | None = None
    finished: datetime | None = None
    error: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    filename: str = ""
    """The file's base name when the task was submitted (what the browser view searches); empty for older tasks."""
