"""The client's errors: no answer, or the service's error answer as an exception of its status."""

import requests
from urllib3.exceptions import NameResolutionError


class ClientError(Exception):
    """Base of the client's errors."""


class ServiceUnreachable(ClientError):
    """The service did not answer: it is down, or not at that URL."""


class ApiError(ClientError):
    """The service answered with an error.

    Parameters
    ----------
    status
        The HTTP status.
    message
        The service's own words (the ``message`` of its JSON error).
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message


class Unauthorized(ApiError):
    """401: no token, or one the service does not accept."""


class Forbidden(ApiError):
    """403: the token lacks the scope, or the file is outside the service's source roots."""


class NotFound(ApiError):
    """404: no such file, task, proxy or plugin."""


class Refused(ApiError):
    """Another 4xx: the request cannot be done as it is."""


class TryLater(ApiError):
    """429 or 503: busy, or a dependency down; ``retry_after`` seconds, when the service said."""

    def __init__(self, status: int, message: str, retry_after: float | None) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after


def unreachable(url: str, timeout: float, error: requests.RequestException) -> ServiceUnreachable:
    """Why nothing answered at ``url``, in one line a person can act on (not urllib3's retry report)."""
    if isinstance(error, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                          requests.exceptions.InvalidSchema)):
        return ServiceUnreachable(f"{url!r} is not a service URL (write it as http://host:port)")
    if isinstance(error, requests.Timeout):
        return ServiceUnreachable(f"{url} did not answer within {timeout:g} s")
    reason = getattr(error.args[0], "reason", None) if error.args else None  # urllib3's, under its retry report
    if isinstance(reason, NameResolutionError):
        return ServiceUnreachable(f"{url}: no host by that name")
    if isinstance(getattr(reason, "__cause__", None), ConnectionRefusedError):
        return ServiceUnreachable(f"{url}: nothing listens there (connection refused); is the service running?")
    return ServiceUnreachable(f"{url}: the connection failed ({type(reason or error).__name__})")


def error_of(answer: requests.Response) -> ApiError:
    """The exception an error answer stands for."""
    try:
        message = str(answer.json()["message"])
    except (ValueError, KeyError, TypeError):
        message = answer.text[:500] or answer.reason
    status = answer.status_code
    if status in (429, 503):
        after = answer.headers.get("Retry-After")
        return TryLater(status, message, float(after) if after and after.isdigit() else None)
    kinds: dict[int, type[ApiError]] = {401: Unauthorized, 403: Forbidden, 404: NotFound}
    return kinds.get(status, Refused if status < 500 else ApiError)(status, message)
