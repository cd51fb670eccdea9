"""The id of the request a piece of work serves: taken from the client or made, and carried to the worker.

One id follows a request from the web app's log lines through the task sent
for it to the worker's log lines while that task runs.
"""

import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
"""The HTTP header a client (or a proxy in front) names its request by, and the response carries back."""
TASK_HEADER = "request_id"
"""The Celery message header that carries the id to the worker."""
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,128}")
"""What a client's id may be: it ends up in log lines, so nothing that could forge one."""

current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request (web app) or of the request behind the task (worker) being served; ``None`` outside both."""


def accepted_request_id(given: str | None) -> str:
    """The client's id when it is a plausible one, else a new one."""
    if given is not None and ACCEPTED.fullmatch(given):
        return given
    return uuid.uuid4().hex
