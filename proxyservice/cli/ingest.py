"""``proxyservice ingest``: walk a tree, submit each file, then follow the rendering; each phase with a bar.

The files go to an :class:`Intake`: the service of this host
(:class:`.cli_submit.FileSubmitter`), or one on another host over HTTP
(:class:`.cli_remote.RemoteIntake`). Both count and print alike.
"""

import fnmatch
import os
import sys
import time
from pathlib import Path
from typing import Iterator, Protocol, Sequence

import click

from .output import Summary
from .submit import QueueFull, Refusal, ServiceDown, TaskView, failed_reason, watch_tasks
from ..process.ingest import TaskOutcome

QUEUE_FULL_PAUSE_SECONDS = 5.0
"""How long ``ingest`` waits before submitting again when the queue is full."""


class Intake(Protocol):
    """Where a tree's files are submitted, and their tasks then read."""

    watch_interval: float
    """Seconds between two looks at the tasks still waited for."""

    def submit_tasks(self, path: Path) -> Sequence[TaskOutcome] | Refusal:
        """Submit one file: its tasks, or why it was not taken; raises :class:`ServiceDown` or :class:`QueueFull`."""

    def find(self, task_id: str) -> TaskView | None:
        """A task's state now; ``None`` when it has none."""


def walk(root: Path, include: list[str], exclude: list[str]) -> Iterator[Path]:
    """The files under ``root`` whose names match an ``include`` pattern and no ``exclude`` one, in order."""
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            if any(fnmatch.fnmatch(name, pattern) for pattern in include) and not any(
                fnmatch.fnmatch(name, pattern) for pattern in exclude
            ):
                yield Path(folder) / name


def patterns(option: str) -> list[str]:
    """The patterns of a comma-separated option."""
    return [pattern.strip() for pattern in option.split(",") if pattern.strip()]


def submit_all(intake: Intake, files: list[Path], summary: Summary) -> None:
    """The first phase: submit each file, a bar counting the files."""
    with click.progressbar(files, label="Submitting", file=sys.stderr, show_pos=True,
                           item_show_func=lambda path: path.name if path else None) as bar:
        for path in bar:
            result = _submit_when_there_is_room(intake, path)
            if isinstance(result, ServiceDown):
                summary.stopped = str(result)
                return
            _count(summary, str(path), result)


def _submit_when_there_is_room(intake: Intake, path: Path) -> Sequence[TaskOutcome] | Refusal | ServiceDown:
    """Submit one file, waiting while the queue is full; a service that is down is returned, to stop the run."""
    told = False
    while True:
        try:
            return intake.submit_tasks(path)
        except QueueFull as e:
            if not told:
                click.echo(f"\n{e}; waiting for room (Ctrl-C stops, nothing submitted is lost)", err=True)
                told = True
            time.sleep(QUEUE_FULL_PAUSE_SECONDS)
        except ServiceDown as e:
            return e


def _count(summary: Summary, path: str, result: Sequence[TaskOutcome] | Refusal) -> None:
    """Sort one file into the summary, as ``POST /ingest``'s answer would (202, 303, 415 or an error)."""
    if isinstance(result, Refusal):
        if result.unsupported:
            summary.unsupported.append(path)
        else:
            summary.failed[path] = result.reason
        return
    reasons = [reason for task in result if (reason := failed_reason(task))]
    pending = [task.task_id for task in result if not task.state.is_finished]
    if pending:
        summary.submitted.append(path)
        summary.pending[path] = pending
    elif not reasons and all(task.reused for task in result):
        summary.unchanged.append(path)
    elif not reasons:
        summary.submitted.append(path)  # made at once, by a plugin that is not async
    if reasons:
        summary.failed[path] = "; ".join(reasons)


def follow_rendering(intake: Intake, summary: Summary, timeout: float) -> None:
    """The second phase: a bar counting the tasks finished of all, and the failures among them."""
    task_ids = sorted({task_id for ids in summary.pending.values() for task_id in ids})
    failures = 0

    def progress(finished: list[TaskView]) -> None:
        nonlocal failures
        failures += sum(1 for record in finished if failed_reason(record))
        bar.update(len(finished), f"{failures} failed")

    latest: dict[str, TaskView] = {}
    if task_ids:
        with click.progressbar(length=len(task_ids), label="Rendering", file=sys.stderr, show_pos=True,
                               item_show_func=lambda text: text or "0 failed") as bar:
            latest = watch_tasks(intake.find, task_ids, timeout, progress, intake.watch_interval)
    for path, ids in summary.pending.items():
        records = [latest.get(task_id) for task_id in ids]
        reasons = [failed_reason(record) if record else "the task's record is gone" for record in records]
        failed = [reason for reason in reasons if reason]
        if failed:
            summary.failed[path] = "; ".join(filter(None, (summary.failed.get(path), *failed)))
        elif any(record and not record.state.is_finished for record in records):
            summary.unfinished.append(path)
    finished = [latest[task_id] for task_id in task_ids if task_id in latest and latest[task_id].state.is_finished]
    failed_tasks = sum(1 for record in finished if failed_reason(record))
    summary.rendering = {"tasks": len(task_ids), "succeeded": len(finished) - failed_tasks,
                         "failed": failed_tasks + sum(1 for task_id in task_ids if task_id not in latest),
                         "unfinished": sum(1 for task_id in task_ids
                                           if task_id in latest and not latest[task_id].state.is_finished)}
