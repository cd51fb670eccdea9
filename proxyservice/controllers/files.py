"""Files: one as a resource (its own facts, the metadata its plugins read, its proxies and its tasks), and a
listing found by name, media type and metadata, a page at a time."""

from http import HTTPStatus
from typing import Mapping

from flask import url_for
from werkzeug.exceptions import NotFound

from ..container import Services
from ..documents import file_body, listed_file_body
from ..errors import ResourceUnavailable
from ..process.deletion import delete_file
from ..process.file_query import FileQueryInvalid, encode_cursor, file_query, searchable_fields
from ..schemas import quoted
from ..services.task_records import RecordsUnavailable
from . import Response
from .errors import http_error, unavailable
from .proxies import proxy_listing
from .tasks import RECORDS_DOWN

NO_SUCH_FILE = "no file %s: nothing was ingested under that id"
NOT_ALL_DELETED = "the file could not be deleted whole now (%s); delete it again shortly to finish"


def file_resource(services: Services, file_id: str) -> Response:
    """What the service knows of one file; 404 when it knows nothing, 503 when the records or the store are away."""
    try:
        metadata = services.records.metadata_of(file_id)
        records = services.records.tasks_of(file_id)
    except RecordsUnavailable as e:
        raise unavailable(RECORDS_DOWN, e) from e
    proxies = proxy_listing(services, file_id)
    if not (metadata or records or proxies):
        raise NotFound(NO_SUCH_FILE % quoted(file_id))
    return file_body(file_id, metadata, records, proxies, url_for), HTTPStatus.OK, {}


def file_deletion(services: Services, file_id: str) -> Response:
    """Delete a file: its proxies, metadata, tasks and upload (:mod:`..process.deletion`).

    204 when anything of it was there; 404 when nothing was (a second
    deletion); 503 when a part is away, the next deletion finishing it.
    """
    try:
        deletion = delete_file(file_id, services.records, services.store, services.sources)
    except ResourceUnavailable as e:
        raise unavailable(NOT_ALL_DELETED % e, e) from e
    if not deletion.found:
        raise NotFound(NO_SUCH_FILE % quoted(file_id))
    return b"", HTTPStatus.NO_CONTENT, {}


def file_listing(services: Services, params: Mapping[str, str]) -> Response:
    """A page of the files ``params`` (valid against ``FileQuery.json``) ask for; 400 naming a field no enabled
    plugin makes searchable or a value that does not fit it, 503 when the records are away."""
    searchable = searchable_fields(
        (plugin.namespace(), plugin.schema()) for plugin in (cls() for _, cls in services.plugins.plugins))
    try:
        query = file_query(params, searchable)
    except FileQueryInvalid as e:
        raise http_error(e) from e
    try:
        page = services.records.files(query)
    except RecordsUnavailable as e:
        raise unavailable(RECORDS_DOWN, e) from e
    body = {"files": [listed_file_body(listed, url_for) for listed in page.files],
            "next": encode_cursor(page.next) if page.next is not None else None}
    return body, HTTPStatus.OK, {}
