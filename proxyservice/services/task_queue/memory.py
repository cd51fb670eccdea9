"""A task queue that keeps what it is sent: for tests and dry runs."""

from typing import Any, Sequence

from .errors import QueueUnavailable


class InMemoryTaskQueue:
    """The sending side of :class:`TaskQueue`, recording each job instead of sending it.

    Parameters
    ----------
    available
        ``False`` makes every send raise :class:`QueueUnavailable`, as a broker that is down.
    forgets
        What :meth:`forgot_its_tasks` answers: ``True`` plays a broker restarted without its data.
    """

    def __init__(self, available: bool = True, forgets: bool = False) -> None:
        self.available = available
        self.forgets = forgets
        self.sent: list[tuple[str, str, str, list[Any]]] = []
        self.callbacks: list[tuple[str, str]] = []

    def send(self, task_id: str, plugin: str, job: str, args: Sequence[Any]) -> None:
        if not self.available:
            raise QueueUnavailable(f"cannot send task {task_id}: the broker is unreachable")
        self.sent.append((task_id, plugin, job, list(args)))

    def send_callback(self, task_id: str, url: str) -> None:
        if not self.available:
            raise QueueUnavailable(f"cannot send the callback of task {task_id}: the broker is unreachable")
        self.callbacks.append((task_id, url))

    def length(self) -> int:
        if not self.available:
            raise QueueUnavailable("the broker is unreachable")
        return len(self.sent)

    def forgot_its_tasks(self) -> bool:
        if not self.available:
            raise QueueUnavailable("the broker is unreachable")
        return self.forgets

    def is_available(self, timeout: float | None = None) -> bool:
        return self.available

    def workers_answering(self, timeout: float | None = None) -> list[str]:
        return ["memory@localhost"] if self.available else []
