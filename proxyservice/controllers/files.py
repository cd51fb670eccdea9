"""A file as one resource: its own facts, the metadata its plugins read, its proxies and its tasks."""

from http import HTTPStatus

from flask import url_for
from werkzeug.exceptions import NotFound

from ..container import Services
from ..documents import task_body
from ..domain.metadata import FILE_NAMESPACE
from ..schemas import quoted
from ..services.task_records import RecordsUnavailable
from . import Response
from .errors import unavailable
from .proxies import proxy_listing
from .tasks import RECORDS_DOWN

NO_SUCH_FILE = "no file %s: nothing was ingested under that id"


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
    facts = metadata.get(FILE_NAMESPACE, {})
    body = {
        "file_id": file_id,
        # A file ingested before its facts were kept is named by its tasks.
        "name": facts.get("name") or next((record.filename for record in records if record.filename), None),
        "mimetype": facts.get("mimetype"),
        "metadata": metadata,
        "proxies": proxies,
        "tasks": [task_body(record, url_for) for record in records],
    }
    return body, HTTPStatus.OK, {}
