"""A Python client of the proxy service's HTTP API: typed methods, and the API's errors as exceptions.

It needs none of the server's services or settings (only the API's vocabulary, :mod:`.domain`): a URL and a bearer token
(``proxyservice token`` makes one). For example::

    from proxyservice.client import ProxyServiceClient

    client = ProxyServiceClient("https://proxies.example", token)
    result = client.ingest_path("/srv/files/report.html")
    status = client.wait(result.tasks[0].task_id)
    [preview] = client.proxies(result.file_id)
    png = client.proxy_bytes(result.file_id, preview.typeidentifier)

Errors:

ClientError
├── ServiceUnreachable   no answer (connection refused, timeout)
└── ApiError             the service answered with an error (its status and message)
    ├── Unauthorized         401: no token, or a bad one
    ├── Forbidden            403: the token lacks the scope, or the path is refused
    ├── NotFound             404
    ├── Refused              other 4xx: the request cannot be done as it is (400, 413, 415…)
    └── TryLater             429 or 503: the service is busy or a dependency is down (retry_after)
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import requests
from urllib3.exceptions import NameResolutionError

from .domain import ProxyFile

FINISHED = ("succeeded", "failed", "skipped")


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


@dataclass(frozen=True)
class TaskRef:
    """One task an ingest started, joined or reused."""

    task_id: str
    plugin: str
    status: str
    reused: bool
    error: str | None
    status_url: str


@dataclass(frozen=True)
class IngestResult:
    """What an ingest did: the file's id, and its tasks."""

    file_id: str
    filename: str
    mimetype: str
    proxies_url: str
    tasks: tuple[TaskRef, ...]
    done: bool
    """True when every proxy was there already (the service answered 303): nothing to wait for."""


@dataclass(frozen=True)
class TaskStatus:
    """A task's state, from its record."""

    task_id: str
    file_id: str
    plugin: str
    status: str
    submitted: str
    started: str | None
    finished: str | None
    error: str | None
    warnings: tuple[str, ...]
    filename: str
    """The file's base name when the task was submitted."""
    proxies_url: str | None = None
    """Once it succeeded, where its file's proxies are listed."""

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


@dataclass(frozen=True, kw_only=True)
class Proxy(ProxyFile):
    """One proxy of a file, as the API lists it: the stored proxy, and where to fetch it."""

    url: str
    """Its bytes, for a token with proxy:read."""
    signed_url: str
    """Its bytes, for anyone, until the link expires."""


class ProxyServiceClient:
    """The API of one service.

    Parameters
    ----------
    url
        Where it is served: ``https://proxies.example`` (no trailing path).
    token
        A bearer token with the scopes the calls need (``proxy:create`` to ingest, ``proxy:read`` to read).
    timeout
        Seconds each request may take.
    """

    def __init__(self, url: str, token: str, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def ingest_path(self, path: str | Path, plugins: list[str] | None = None, size: tuple[int, int] | None = None,
                    force: bool = False, callback_url: str | None = None,
                    sizes: list[str] | None = None) -> IngestResult:
        """Make the proxies of a file the service reads in place (under its source roots).

        ``sizes`` names sizes of the service's PROXY_SIZES (``thumbnail``, ``preview``, ``large``):
        each is made and kept, as ``<typeidentifier>@<size>`` beside the default size's.
        """
        body: dict[str, Any] = {"path": str(path)}
        if plugins:
            body["plugins"] = plugins
        if size:
            body["size"] = {"width": size[0], "height": size[1]}
        if sizes:
            body["sizes"] = sizes
        if force:
            body["force"] = True
        if callback_url:
            body["callback_url"] = callback_url
        return self._ingested(self._call("POST", "/ingest", json=body, allow_redirects=False))

    def upload(self, file: str | Path | IO[bytes], filename: str | None = None, plugins: list[str] | None = None,
               size: tuple[int, int] | None = None, force: bool = False,
               callback_url: str | None = None, sizes: list[str] | None = None) -> IngestResult:
        """Send a file and make its proxies (``sizes`` as for :meth:`ingest_path`)."""
        form: dict[str, str] = {}
        if plugins:
            form["plugins"] = ",".join(plugins)
        if sizes:
            form["sizes"] = ",".join(sizes)
        if size:
            form["width"], form["height"] = str(size[0]), str(size[1])
        if force:
            form["force"] = "true"
        if callback_url:
            form["callback_url"] = callback_url
        if isinstance(file, (str, Path)):
            with open(file, "rb") as stream:
                return self.upload(stream, filename or Path(file).name, plugins, size, force, callback_url, sizes)
        name = filename or Path(getattr(file, "name", "upload")).name
        answer = self._call("POST", "/ingest", files={"file": (name, file)}, data=form, allow_redirects=False)
        return self._ingested(answer)

    def task(self, task_id: str) -> TaskStatus:
        """A task's state now."""
        return _task_status(self._call("GET", f"/status/{task_id}", allow_redirects=False).json())

    def tasks(self, name: str = "", state: str | None = None, limit: int = 50) -> list[TaskStatus]:
        """The newest tasks first: those whose file name holds ``name`` (any case), in ``state`` when given."""
        query: dict[str, str] = {"limit": str(limit)}
        if name:
            query["name"] = name
        if state:
            query["state"] = state
        return [_task_status(task) for task in self._call("GET", "/tasks", params=query).json()["tasks"]]

    def wait(self, task_id: str, timeout: float = 300.0, interval: float = 0.5) -> TaskStatus:
        """A task's state once it finished (succeeded, failed or skipped).

        Raises
        ------
        TimeoutError
            It did not finish within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while True:
            status = self.task(task_id)
            if status.is_finished:
                return status
            if time.monotonic() > deadline:
                raise TimeoutError(f"task {task_id} still {status.status} after {timeout} s")
            time.sleep(interval)

    def proxies(self, file_id: str) -> list[Proxy]:
        """A file's proxies."""
        return [Proxy(**proxy) for proxy in self._call("GET", f"/proxies/{file_id}").json()["proxies"]]

    def proxy_bytes(self, file_id: str, typeidentifier: str, image_format: str | None = None) -> bytes:
        """One proxy's bytes (following a redirect to object storage, where the service answers one).

        Parameters
        ----------
        image_format
            ``webp`` or ``avif`` for the proxy in that format; as it was made (PNG or JPEG) when not given.
        """
        params = {"format": image_format} if image_format else None
        return self._call("GET", f"/proxies/{file_id}/{typeidentifier}", params=params).content

    def plugins(self) -> dict[str, Any]:
        """The enabled plugins, and those that failed to load."""
        answer: dict[str, Any] = self._call("GET", "/plugins").json()
        return answer

    def ready(self) -> bool:
        """Whether the service and every dependency are up (``GET /status``)."""
        try:
            return self.session.get(f"{self.url}/status", timeout=self.timeout).status_code == 200
        except requests.RequestException as e:
            raise _unreachable(self.url, self.timeout, e) from e

    def _ingested(self, answer: requests.Response) -> IngestResult:
        body = answer.json()
        tasks = tuple(TaskRef(**task) for task in body["tasks"])
        return IngestResult(body["file_id"], body["filename"], body["mimetype"], body["proxies_url"], tasks,
                            done=answer.status_code == 303)

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            answer = self.session.request(method, f"{self.url}{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as e:
            raise _unreachable(self.url, self.timeout, e) from e
        if answer.status_code < 400:
            return answer
        raise _error(answer)


def _unreachable(url: str, timeout: float, error: requests.RequestException) -> ServiceUnreachable:
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


def _task_status(body: dict[str, Any]) -> TaskStatus:
    return TaskStatus(**{**body, "warnings": tuple(body["warnings"])})


def _error(answer: requests.Response) -> ApiError:
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
