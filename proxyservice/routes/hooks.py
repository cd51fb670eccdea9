"""What every request goes through: its id, its count in the metrics, and a wall for oversized headers."""

from http import HTTPStatus

from flask import Blueprint, Response, request
from werkzeug.exceptions import RequestHeaderFieldsTooLarge

from ..services.metrics import INGESTS, REQUESTS
from ..services.request_ids import HEADER as REQUEST_ID_HEADER
from ..services.request_ids import accepted_request_id, current_request_id

blueprint = Blueprint("hooks", __name__)

MAX_HEADER_BYTES = 16 * 1024
"""Largest header block accepted (names, values and separators); 431 above it."""
HEADERS_TOO_LARGE = "headers: %d bytes of header fields; at most %d are accepted"
INGEST_OUTCOMES: dict[int, str] = {HTTPStatus.ACCEPTED: "queued", HTTPStatus.SEE_OTHER: "deduplicated"}
INGEST_REFUSALS: dict[int, str] = {
    HTTPStatus.BAD_REQUEST: "invalid", HTTPStatus.UNAUTHORIZED: "no_token", HTTPStatus.FORBIDDEN: "forbidden",
    HTTPStatus.NOT_FOUND: "not_found", HTTPStatus.REQUEST_ENTITY_TOO_LARGE: "too_large",
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: "unsupported_type", HTTPStatus.TOO_MANY_REQUESTS: "queue_full",
    HTTPStatus.SERVICE_UNAVAILABLE: "unavailable",
}
"""The reason an ingest was refused, by its answer's status: the label of ``proxyservice_ingests_total``."""


@blueprint.before_app_request
def _name_the_request() -> None:
    """Serve the request under the client's X-Request-ID, or a new id: its log lines and its tasks carry it."""
    current_request_id.set(accepted_request_id(request.headers.get(REQUEST_ID_HEADER)))


@blueprint.after_app_request
def _answer_with_the_request_id(response: Response) -> Response:
    request_id = current_request_id.get()
    if request_id is not None:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


@blueprint.after_app_request
def _count_the_answer(response: Response) -> Response:
    """Count every answer by route (its pattern, not its path: ids would make a series each) and status."""
    route = request.url_rule.rule if request.url_rule is not None else "unmatched"
    REQUESTS.labels(route, request.method, str(response.status_code)).inc()
    if request.endpoint == "api.ingest_file":
        outcome = INGEST_OUTCOMES.get(response.status_code)
        INGESTS.labels(outcome or "refused", "" if outcome else INGEST_REFUSALS.get(response.status_code, "other")).inc()
    return response


@blueprint.teardown_app_request
def _forget_the_request(_: BaseException | None) -> None:
    current_request_id.set(None)


@blueprint.before_app_request
def _refuse_large_headers() -> None:
    """Answer 431 to a request whose header fields pass :data:`MAX_HEADER_BYTES`.

    nginx (config/nginx.conf) answers 431 itself to a single field over 16 KiB
    or more than 32 KiB in all; this is the wall for what passes it (many
    fields, 16 to 32 KiB in all), and the only one when the app runs without
    nginx (``flask run``, the test client).
    """
    size = sum(len(name) + len(value) + 4 for name, value in request.headers.items())  # "name: value\r\n"
    if size > MAX_HEADER_BYTES:
        raise RequestHeaderFieldsTooLarge(HEADERS_TOO_LARGE % (size, MAX_HEADER_BYTES))


