"""The API of one service, over HTTP: typed methods whose errors are :mod:`.errors`."""

import time
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any, Iterator

import requests

from .documents import (File, FilePage, IngestResult, ListedFile, Proxy, TaskRef, TaskStatus, file_of, file_page,
                        known, task_status)
from .errors import error_of, unreachable


class ProxyServiceClient:
    """The API of one service.

    Parameters
    ----------
    url
        Where it is served: ``https://proxies.example`` (no trailing path).
    token
        A bearer token with the scopes the calls need (``proxy:create`` to ingest, ``proxy:read`` to read,
        ``proxy:delete`` to delete).
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
        return task_status(self._call("GET", f"/status/{task_id}", allow_redirects=False).json())

    def tasks(self, name: str = "", state: str | None = None, limit: int = 50) -> list[TaskStatus]:
        """The newest tasks first: those whose file name holds ``name`` (any case), in ``state`` when given."""
        query: dict[str, str] = {"limit": str(limit)}
        if name:
            query["name"] = name
        if state:
            query["state"] = state
        return [task_status(task) for task in self._call("GET", "/tasks", params=query).json()["tasks"]]

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
        return [known(Proxy, proxy) for proxy in self._call("GET", f"/proxies/{file_id}").json()["proxies"]]

    def file(self, file_id: str) -> File:
        """One file whole: its facts, its metadata by namespace, its proxies and its tasks."""
        return file_of(self._call("GET", f"/files/{file_id}").json())

    def delete_file(self, file_id: str) -> None:
        """Delete a file: its proxies, metadata, tasks and upload (a token with ``proxy:delete``).

        Raises
        ------
        NotFound
            Nothing of the file is known (a second deletion).
        TryLater
            A part of the service is away; deleting again finishes the deletion.
        """
        self._call("DELETE", f"/files/{file_id}")

    def files(self, name: str = "", mimetype: str = "", limit: int = 50, cursor: str | None = None,
              **fields: Any) -> FilePage:
        """A page of the files found by part of the name, media type and searchable metadata fields.

        Fields are named as the API names them, so pass them unpacked:
        ``client.files(mimetype="application/pdf", **{"pdf_thumbnail.pages.min": 10})``. A value may be
        a number, a boolean, a text, a ``date`` or a ``datetime``. ``cursor`` is the ``next`` of the page before.
        """
        query: dict[str, str] = {"limit": str(limit)}
        for word, value in (("name", name), ("mimetype", mimetype), ("cursor", cursor), *fields.items()):
            if value is not None and value != "":
                query[word] = _query_value(value)
        return file_page(self._call("GET", "/files", params=query).json())

    def all_files(self, name: str = "", mimetype: str = "", **fields: Any) -> Iterator[ListedFile]:
        """Every file :meth:`files` finds, page after page."""
        cursor = None
        while True:
            page = self.files(name, mimetype, 200, cursor, **fields)
            yield from page.files
            if page.next is None:
                return
            cursor = page.next

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
            raise unreachable(self.url, self.timeout, e) from e

    def _ingested(self, answer: requests.Response) -> IngestResult:
        body = answer.json()
        tasks = tuple(TaskRef(**task) for task in body["tasks"])
        return IngestResult(body["file_id"], body["filename"], body["mimetype"], body["proxies_url"], tasks,
                            done=answer.status_code == 303)

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            answer = self.session.request(method, f"{self.url}{path}", timeout=self.timeout, **kwargs)
        except requests.RequestException as e:
            raise unreachable(self.url, self.timeout, e) from e
        if answer.status_code < 400:
            return answer
        raise error_of(answer)


def _query_value(value: Any) -> str:
    """A value as the API's query reads it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)
