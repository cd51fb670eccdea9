"""Every error proxyservice raises: one root, four families, and one table of what each family means.

Modelled on httpx's exception module. A service's errors subclass the family
that says what a caller should do about them; no side (the worker's tasks,
the HTTP controllers, the command line, the webhooks) lists error classes by
hand. Each asks :func:`handling` and acts on the answer.

ProxyServiceError
├── InputInvalid            the input is bad (the file, the request): not retried; a plain message; WARNING
│   ├── InputNotFound       what the input names is not there (a path, a task, a proxy)
│   ├── InputForbidden      what the input names may not be used (outside SOURCE_ROOTS, a scope not granted)
│   ├── InputUnauthenticated  no credentials, or credentials that cannot be trusted
│   └── InputUnsupported    no plugin takes a file of that type
├── ResourceUnavailable     a resource is short or away (disk, broker, database, object storage, a converter
│   │                       on this host): retried with backoff; 503 with Retry-After at the API
│   └── ResourceBusy        the service takes no more work for now (the queue is full): 429 with Retry-After
├── LimitExceeded           a limit was passed (size, time, memory, pixels): not retried; a plain message
└── InternalError           a bug: logged at ERROR with a traceback; the client hears only that it happened

Anything else that reaches a handler (a plugin's own ``KeyError``) is handled
as an :class:`InternalError`.

The rule of the family that passes, written once: work that meets a
resource that is away waits and is tried again, backing off (1 s, doubling
to :data:`MAX_BACKOFF_SECONDS`, with jitter), for as long as
RESOURCE_WAIT_SECONDS (:func:`may_wait`); it never fails sooner, and never
vanishes.
"""

import logging
import random
from dataclasses import dataclass
from enum import Enum
from http import HTTPStatus

__all__ = [
    "ProxyServiceError",
    "InputInvalid",
    "InputNotFound",
    "InputForbidden",
    "InputUnauthenticated",
    "InputUnsupported",
    "ResourceUnavailable",
    "ResourceBusy",
    "LimitExceeded",
    "InternalError",
    "Outcome",
    "Handling",
    "handling",
    "retry_after",
    "HANDLING",
    "backoff_seconds",
    "may_wait",
]

MAX_BACKOFF_SECONDS = 60
"""The longest wait between two tries of work that met a resource that is away."""


class ProxyServiceError(Exception):
    """The root of every error of proxyservice.

    Parameters
    ----------
    retry_after
        Seconds after which trying again may succeed, for errors that pass;
        the family's default (:data:`HANDLING`) when not given.
    """

    def __init__(self, *args: object, retry_after: int | None = None) -> None:
        super().__init__(*args)
        self.retry_after = retry_after


class InputInvalid(ProxyServiceError):
    """The file or the request cannot be used as it is: change it, then try again."""


class InputNotFound(InputInvalid):
    """What the request names (a path, a task, a proxy, a plugin) is not there."""


class InputForbidden(InputInvalid):
    """What the request names may not be used by this service or this client."""


class InputUnauthenticated(InputInvalid):
    """The request carries no credentials, or credentials that cannot be trusted."""


class InputUnsupported(InputInvalid):
    """The file is of a type no enabled plugin takes."""


class ResourceUnavailable(ProxyServiceError):
    """Something the service needs is short or away (a full disk, the broker, the database, object storage,
    a converter on this host): it may pass, so the work waits and is tried again."""


class ResourceBusy(ResourceUnavailable):
    """The service takes no more work for now (its queue is full); room comes back as the workers go on."""


class LimitExceeded(ProxyServiceError):
    """The file or the work passed a limit of the service (size, time, memory, pixels)."""


class InternalError(ProxyServiceError):
    """A bug: the service (or a plugin) did what it should not. The log has the traceback."""


class Outcome(Enum):
    """What becomes of a task that met an error."""

    FAILED = "failed"
    """The task ends as failed, with the error's message."""
    RETRIED = "retried"
    """The task waits and runs again, with backoff, a bounded number of times."""


@dataclass(frozen=True)
class Handling:
    """What every side does with an error of one family."""

    http_status: HTTPStatus
    outcome: Outcome
    exit_code: int
    """The command line's exit code (1: failed or refused; see :mod:`proxyservice.cli.output`)."""
    log_level: int
    traceback: bool = False
    """Whether the log carries the traceback (bugs only: an expected failure needs none)."""
    retry_after: int | None = None
    """Seconds a client is told to wait (Retry-After), for errors that pass."""
    public: bool = True
    """Whether the error's own words reach the client; a bug's do not (they may hold a server's paths)."""


HANDLING: dict[type[ProxyServiceError], Handling] = {
    InputInvalid: Handling(HTTPStatus.BAD_REQUEST, Outcome.FAILED, 1, logging.WARNING),
    InputNotFound: Handling(HTTPStatus.NOT_FOUND, Outcome.FAILED, 1, logging.WARNING),
    InputForbidden: Handling(HTTPStatus.FORBIDDEN, Outcome.FAILED, 1, logging.WARNING),
    InputUnauthenticated: Handling(HTTPStatus.UNAUTHORIZED, Outcome.FAILED, 1, logging.WARNING),
    InputUnsupported: Handling(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, Outcome.FAILED, 1, logging.WARNING),
    ResourceUnavailable: Handling(HTTPStatus.SERVICE_UNAVAILABLE, Outcome.RETRIED, 1, logging.WARNING,
                                  retry_after=30),
    ResourceBusy: Handling(HTTPStatus.TOO_MANY_REQUESTS, Outcome.RETRIED, 1, logging.WARNING, retry_after=30),
    LimitExceeded: Handling(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, Outcome.FAILED, 1, logging.WARNING),
    InternalError: Handling(HTTPStatus.INTERNAL_SERVER_ERROR, Outcome.FAILED, 1, logging.ERROR, traceback=True,
                            public=False),
}
"""The one table: family → HTTP status, task outcome, exit code and log level."""


def handling(error: BaseException) -> Handling:
    """How every side handles ``error``: the entry of its nearest family in :data:`HANDLING`.

    An exception outside the tree (a plugin's bug) is handled as an :class:`InternalError`.
    """
    for kind in type(error).__mro__:
        found = HANDLING.get(kind)
        if found is not None:
            return found
    return HANDLING[InternalError]


def retry_after(error: BaseException) -> int | None:
    """Seconds a client should wait before trying again: the error's own, else its family's."""
    own = getattr(error, "retry_after", None)
    return own if isinstance(own, int) else handling(error).retry_after


def backoff_seconds(attempt: int, jitter: bool = True) -> float:
    """How long to wait before try ``attempt + 1``: 1 s doubling to MAX_BACKOFF_SECONDS, less up to half by chance
    (so that tasks that met the same fault do not all come back at once)."""
    nominal = float(min(2 ** min(attempt, 16), MAX_BACKOFF_SECONDS))
    return nominal * random.uniform(0.5, 1.0) if jitter else nominal


def may_wait(attempt: int, wait_seconds: float) -> bool:
    """Whether work that met a resource that is away on try ``attempt + 1`` is tried again.

    Parameters
    ----------
    attempt
        The tries made before this one.
    wait_seconds
        RESOURCE_WAIT_SECONDS: how long, in all, the backoffs may last.
    """
    return sum(backoff_seconds(done, jitter=False) for done in range(attempt)) < wait_seconds
