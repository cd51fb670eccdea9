"""Ingest: a request's file, by path or upload, handed to the intake use case; its answer as the API's."""

from http import HTTPStatus
from typing import IO, Any, Sequence

from flask import url_for

from ..container import Services
from ..documents import ingest_body
from ..domain import ProxySize
from ..process import intake
from ..process.ingest import IngestOutcome
from ..process.intake import Bundle, ByPath, IngestRefused, IngestRequest, Upload
from . import Response
from .errors import http_error

SEE_PLUGINS = " (see GET /plugins)"


def ingest_path(services: Services, path: str, options: dict[str, Any]) -> Response:
    """Ingest a file that the service reads in place.

    Parameters
    ----------
    path
        Absolute path; it must resolve inside a source root.
    options
        ``plugins``, ``size``, ``sizes``, ``force``, ``callback_url`` and ``pages`` from the request, all optional.
    """
    return _ingest(services, _request(ByPath(path), options))


def ingest_upload(services: Services, stream: IO[bytes], filename: str, options: dict[str, Any]) -> Response:
    """Ingest an uploaded file: kept under its hash, then as :func:`ingest_path`."""
    return _ingest(services, _request(Upload(stream, filename), options))


def ingest_bundle(services: Services, files: Sequence[tuple[IO[bytes], str]], page: str | None,
                  options: dict[str, Any]) -> Response:
    """Ingest a page uploaded with the files it refers to: one ``.zip`` of its folder, or several files.

    Parameters
    ----------
    files
        Each file's stream and its path in the page's folder (a ``.zip`` alone is unpacked).
    page
        The page's path among them; ``None`` for ``index.html`` at their top, or the only page there.
    """
    source = Bundle(tuple(Upload(stream, filename) for stream, filename in files), page)
    return _ingest(services, _request(source, options))


def _request(source: ByPath | Upload | Bundle, options: dict[str, Any]) -> IngestRequest:
    """The request's options, validated against the contract by the route, as an :class:`IngestRequest`."""
    size = options.get("size")
    return IngestRequest(
        source,
        plugins=tuple(options["plugins"]) if "plugins" in options else None,
        sizes=tuple(options.get("sizes", ())),
        size=ProxySize(size["width"], size["height"]) if size is not None else None,
        force=bool(options.get("force", False)),
        callback_url=options.get("callback_url"),
        pages=options.get("pages"),
    )


def _ingest(services: Services, request: IngestRequest) -> Response:
    try:
        outcome = intake.ingest(request, services)
    except IngestRefused as e:
        raise http_error(e, SEE_PLUGINS if e.see_plugins else "") from e
    return _answer(outcome)


def _answer(outcome: IngestOutcome) -> Response:
    body = ingest_body(outcome, url_for)
    if outcome.pending:
        location = url_for("api.task_status", task_id=outcome.pending[0].task_id)
        return body, HTTPStatus.ACCEPTED, {"Location": location}
    if outcome.succeeded:
        return body, HTTPStatus.SEE_OTHER, {"Location": body["proxies_url"]}
    return body, HTTPStatus.OK, {}
