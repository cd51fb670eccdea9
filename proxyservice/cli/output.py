"""What the ``proxyservice`` command prints: lines for people, JSON with ``--json``, and its exit codes.

The JSON of a file and of a task has the shape the HTTP API answers with
(``POST /ingest``, ``GET /status/<task_id>``), so scripts can use either.
"""

import json
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Mapping

import click

from ..documents import api_path, ingest_body, task_body
from ..domain import TaskRecord, TaskState
from ..process.ingest import IngestOutcome

MAX_LISTED = 20
"""Failed files listed one by one in the summary; ``--json`` lists them all."""


class Exit(IntEnum):
    """The command's exit codes (docs/cli.md, "Exit codes")."""

    OK = 0
    """Done: every task succeeded, or (without ``--wait``) every file was taken."""
    FAILED = 1
    """A task failed or was skipped, an input was refused, or the service could not take work."""
    USAGE = 2
    """A bad option or argument (click's own)."""
    NOT_FINISHED = 3
    """A task is still queued or in progress (``status``, or ``--wait`` past its ``--timeout``)."""
    INTERRUPTED = 130
    """Ctrl-C: what was submitted stays submitted."""


def emit(as_json: bool, data: Any, lines: list[str]) -> None:
    """Print ``data`` as JSON, or ``lines`` for people."""
    if as_json:
        click.echo(json.dumps(data, indent=2, default=str))
    else:
        for line in lines:
            click.echo(line)


def record_json(record: TaskRecord) -> dict[str, Any]:
    """A task record as ``GET /status/<task_id>`` answers."""
    return task_body(record)


def status_exit(state: TaskState) -> Exit:
    """The exit code of ``status`` for a task in ``state``."""
    if state is TaskState.SUCCEEDED:
        return Exit.OK
    if state.is_finished:
        return Exit.FAILED
    return Exit.NOT_FINISHED


def status_lines(body: dict[str, Any]) -> list[str]:
    """``status``'s lines: each field of a task's status that has a value, then its warnings."""
    lines = [f"{key}: {value}" for key, value in body.items() if value not in (None, [], "") and key != "warnings"]
    return lines + [f"warning: {warning}" for warning in body["warnings"]]


def file_exit(data: dict[str, Any], waited: bool) -> Exit:
    """``add-file``'s exit code for the file as printed: a task failed, one not finished after ``--wait``, or done."""
    states = [TaskState(task["status"]) for task in data["tasks"]]
    if any(state.is_finished and state is not TaskState.SUCCEEDED for state in states):
        return Exit.FAILED
    if waited and not all(state.is_finished for state in states):
        return Exit.NOT_FINISHED
    return Exit.OK


def file_json(path: str, outcome: IngestOutcome, latest: Mapping[str, TaskRecord] | None = None) -> dict[str, Any]:
    """One submitted file, as ``POST /ingest`` answers, with the path it was named by.

    Parameters
    ----------
    latest
        The tasks' records as they are now, for those that were waited for or reused.
    """
    body = {"path": path, **ingest_body(outcome, api_path)}
    for task in body["tasks"]:
        record = (latest or {}).get(task["task_id"])
        if record is not None:
            task.update(status=record.state.value, error=record.error)
        task["warnings"] = list(record.warnings) if record is not None else []
    return body


def file_lines(data: dict[str, Any]) -> list[str]:
    """``add-file``'s lines: the path, the full file id, where its proxies are, and each task."""
    lines = [f"path: {data['path']}", f"file_id: {data['file_id']}", f"proxies_url: {data['proxies_url']}"]
    for task in data["tasks"]:
        detail = task["error"] or ("unchanged" if task["reused"] and task["status"] == "succeeded" else "")
        lines.append(f"task: {task['task_id']}  {task['plugin']}  {task['status']}  {detail}".rstrip())
        lines += [f"  warning: {warning}" for warning in task["warnings"]]
    return lines


@dataclass
class Summary:
    """What ``ingest`` did, file by file, and what became of the tasks it waited for."""

    submitted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    unfinished: list[str] = field(default_factory=list)
    pending: dict[str, list[str]] = field(default_factory=dict)
    """The tasks each submitted file waits for."""
    rendering: dict[str, int] | None = None
    """With ``--wait``: tasks, succeeded, failed and unfinished."""
    interrupted: bool = False
    stopped: str | None = None
    """Why the run stopped early: the service could not take more work."""

    def exit_code(self) -> Exit:
        """Interrupted, then failed or stopped, then not finished, else OK."""
        if self.interrupted:
            return Exit.INTERRUPTED
        if self.failed or self.stopped:
            return Exit.FAILED
        if self.unfinished:
            return Exit.NOT_FINISHED
        return Exit.OK

    def to_json(self) -> dict[str, Any]:
        """The summary for ``--json``."""
        return {
            "submitted": len(self.submitted), "unchanged": len(self.unchanged),
            "unsupported": len(self.unsupported), "failed": self.failed, "unfinished": self.unfinished,
            "rendering": self.rendering, "interrupted": self.interrupted, "stopped": self.stopped,
            "files": {"submitted": self.submitted, "unchanged": self.unchanged, "unsupported": self.unsupported},
        }

    def lines(self) -> list[str]:
        """The summary for people."""
        if self.interrupted:
            head = "Interrupted: what was submitted stays submitted; run the same command again to go on."
        elif self.stopped:
            head = f"Stopped: {self.stopped}. What was submitted stays submitted; run the same command again to go on."
        else:
            head = "Done."
        lines = [
            head,
            f"  submitted:             {len(self.submitted)}",
            f"  skipped as unchanged:  {len(self.unchanged)}",
            f"  no plugin handles:     {len(self.unsupported)}",
        ]
        if self.rendering is not None:
            rendered = self.rendering
            lines.append(f"  rendered:              {rendered['succeeded']} of {rendered['tasks']} tasks"
                         f" ({rendered['failed']} failed, {rendered['unfinished']} not finished)")
        if self.unfinished:
            lines.append(f"  not finished:          {len(self.unfinished)} (still rendering; "
                         "see proxyservice status TASK_ID, or wait longer with --timeout)")
        lines.append(f"  failed:                {len(self.failed)}")
        listed = list(self.failed.items())
        lines += [f"    {path}: {reason}" for path, reason in listed[:MAX_LISTED]]
        if len(listed) > MAX_LISTED:
            lines.append(f"    … and {len(listed) - MAX_LISTED} more (--json lists them all)")
        return lines
