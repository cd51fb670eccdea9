"""The proxy service's HTTP API."""

from http import HTTPStatus
from typing import Any

from functools import wraps
from typing import Callable, TypeVar

from flask import Blueprint, Response, jsonify, make_response, request, send_file
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    LengthRequired,
    Unauthorized,
    UnsupportedMediaType,
)

from ..controllers import Response as ControllerResponse
from ..controllers import contract, files, ingest, metrics, plugins, proxies, readiness, tasks
from ..domain import TaskState
from ..schemas import first_error
from ..services.auth import LinkInvalid, ScopeMissing, TokenInvalid, TokenMissing
from . import current_services

blueprint = Blueprint("api", __name__)

NOT_JSON = "body: the request body is not valid JSON"
NOT_AN_OBJECT = "body: the request body must be a JSON object"
TOO_DEEP = "body: the JSON is nested too deeply"
WRONG_CONTENT_TYPE = "send application/json with a path, or multipart/form-data with a file field"
NO_FILE_FIELD = "file: a multipart upload needs a 'file' field"
ZIP = ".zip"
FORM_NUMBER = "%s: must be a whole number"
FORM_BOOLEAN = "%s: must be true or false"
FORM_TRUE = ("true",)
FORM_FALSE = ("false",)
BODY_NOT_READABLE = ("body: this deployment cannot read chunked (Transfer-Encoding: chunked) bodies; "
                     "send the body with a Content-Length")



View = TypeVar("View", bound=Callable[..., Response])


def _check_scope(scope: str) -> None:
    try:
        current_services().auth.require(request.headers.get("Authorization"), scope)
    except (TokenMissing, TokenInvalid) as e:
        raise Unauthorized(str(e), www_authenticate=WWWAuthenticate("bearer", {"realm": "proxyservice"})) from e
    except ScopeMissing as e:
        raise Forbidden(str(e)) from e


def requires(scope: str) -> Callable[[View], View]:
    """Only requests whose bearer token grants ``scope`` reach the view: 401 without one, 403 without the scope."""

    def decorate(view: View) -> View:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Response:
            _check_scope(scope)
            return view(*args, **kwargs)

        return checked  # type: ignore[return-value]  # same signature as view

    return decorate


def _json(result: ControllerResponse) -> Response:
    data, status, headers = result
    response = make_response(jsonify(data), status)
    response.headers.update(headers)
    return response


def _raw(result: ControllerResponse) -> Response:
    """A controller's bytes as they are, with its status and headers."""
    data, status, headers = result
    response = make_response(data, status)
    response.headers.update(headers)
    return response


def _validated(schema: str, body: Any) -> dict[str, Any]:
    problem = first_error(schema, body)
    if problem is not None:
        raise BadRequest(problem)
    validated: dict[str, Any] = body
    return validated


def _form_options() -> dict[str, Any]:
    """The ingest options of a multipart upload, in the JSON request's shape."""
    form = request.form
    options: dict[str, Any] = {}
    if "plugins" in form:  # empty names nothing: the schema refuses it; repeats are dropped
        names = [name.strip() for name in form["plugins"].split(",") if name.strip()]
        options["plugins"] = list(dict.fromkeys(names))
    if "width" in form or "height" in form:
        try:
            options["size"] = {"width": int(form.get("width", "")), "height": int(form.get("height", ""))}
        except ValueError as e:
            raise BadRequest(FORM_NUMBER % "size") from e
    if "sizes" in form:  # empty names nothing: the schema refuses it; repeats are dropped
        options["sizes"] = list(dict.fromkeys(name.strip() for name in form["sizes"].split(",") if name.strip()))
    if "force" in form:
        answer = form["force"].strip().lower()
        if answer not in FORM_TRUE + FORM_FALSE:
            raise BadRequest(FORM_BOOLEAN % "force")
        options["force"] = answer in FORM_TRUE
    if "callback_url" in form:
        options["callback_url"] = form["callback_url"].strip()
    if "pages" in form:  # a number, or "all"; the schema says which numbers
        pages = form["pages"].strip().lower()
        options["pages"] = int(pages) if pages.isascii() and pages.isdigit() and len(pages) < 10 else pages
    return options


@blueprint.route("/ingest", methods=["POST"])
@requires("proxy:create")
def ingest_file() -> Response:
    """Ingest a file by path (JSON) or upload (multipart)."""
    # nginx in front (uwsgi.ini) reads a chunked body whole and passes it with
    # a Content-Length; Werkzeug's dev server reads it and says so
    # (wsgi.input_terminated). Behind a server that does neither (uWSGI without
    # nginx), the client would otherwise hear that its empty body is not JSON.
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if chunked and not request.environ.get("wsgi.input_terminated"):
        raise LengthRequired(BODY_NOT_READABLE)
    if request.mimetype == "application/json":
        try:
            body = request.get_json(silent=True)
        except RecursionError as e:  # json's parser recurses: very deep nesting exhausts the stack
            raise BadRequest(TOO_DEEP) from e
        if body is None:
            raise BadRequest(NOT_JSON)
        if not isinstance(body, dict):
            raise BadRequest(NOT_AN_OBJECT)
        options = _validated("IngestRequest", body)
        return _json(ingest.ingest_path(current_services(), options["path"], options))
    if request.mimetype == "multipart/form-data":
        uploads = request.files.getlist("file")
        if not uploads:
            raise BadRequest(NO_FILE_FIELD)
        options = _validated("IngestOptions", _form_options())
        page = request.form.get("page", "").strip() or None
        if page is None and len(uploads) == 1 and not (uploads[0].filename or "").lower().endswith(ZIP):
            upload = uploads[0]
            return _json(ingest.ingest_upload(current_services(), upload.stream, upload.filename or "upload", options))
        # A page with its files: a .zip of its folder, or each file under its path (a dropped folder's).
        files = [(upload.stream, upload.filename or "") for upload in uploads]
        return _json(ingest.ingest_bundle(current_services(), files, page, options))
    raise UnsupportedMediaType(WRONG_CONTENT_TYPE)


@blueprint.route("/_auth/ingest", methods=["GET"])
def authorize_ingest() -> Response:
    """Whether the request's token may ingest: 204, or 401/403 (nginx asks before it reads an upload's body)."""
    _check_scope("proxy:create")
    return make_response("", HTTPStatus.NO_CONTENT)


@blueprint.route("/openapi.yaml", methods=["GET"])
def openapi_document() -> Response:
    """The API's contract (OpenAPI 3.1); open."""
    return _raw(contract.openapi_document())


@blueprint.route("/resources/<name>", methods=["GET"])
def schema_resource(name: str) -> Response:
    """A JSON Schema the contract refers to; open."""
    return _raw(contract.schema_resource(name))


@blueprint.route("/metrics", methods=["GET"])
@requires("proxy:metrics")
def prometheus_metrics() -> Response:
    """The web app's metrics in Prometheus' text format, for a token with the proxy:metrics scope."""
    return _raw(metrics.metrics(current_services()))


@blueprint.route("/healthz", methods=["GET"])
def healthz() -> Response:
    """Liveness: the process answers, whatever its dependencies do; open."""
    return _json(readiness.liveness())


@blueprint.route("/status", methods=["GET"])
def service_status() -> Response:
    """Readiness of the service and its dependencies: open; the details only with a token."""
    try:
        current_services().auth.require(request.headers.get("Authorization"), "proxy:read")
        details = True
    except (TokenMissing, TokenInvalid, ScopeMissing):
        details = False
    return _json(readiness.readiness(current_services(), details))


@blueprint.route("/status/<task_id>", methods=["GET"])
@requires("proxy:read")
def task_status(task_id: str) -> Response:
    """The state of one task."""
    return _json(tasks.task_status(current_services(), task_id))


@blueprint.route("/tasks", methods=["GET"])
@requires("proxy:read")
def recent_tasks() -> Response:
    """The newest tasks, found by file name (``name``), state and ``limit``."""
    query = _validated("TaskQuery", request.args.to_dict())
    state = TaskState(query["state"]) if "state" in query else None
    return _json(tasks.recent_tasks(current_services(), query.get("name", ""), state, int(query.get("limit", "50"))))


@blueprint.route("/files", methods=["GET"])
@requires("proxy:read")
def file_listing() -> Response:
    """A page of files, found by name, media type and searchable metadata fields (``FileQuery``)."""
    return _json(files.file_listing(current_services(), _validated("FileQuery", request.args.to_dict())))


@blueprint.route("/files/<file_id>", methods=["GET"])
@requires("proxy:read")
def file_resource(file_id: str) -> Response:
    """One file: its facts, metadata, proxies and tasks."""
    return _json(files.file_resource(current_services(), file_id))


@blueprint.route("/files/<file_id>", methods=["DELETE"])
@requires("proxy:delete")
def delete_file(file_id: str) -> Response:
    """Delete one file: its proxies, metadata, tasks and upload."""
    return _raw(files.file_deletion(current_services(), file_id))


@blueprint.route("/proxies/<file_id>", methods=["GET"])
@requires("proxy:read")
def list_proxies(file_id: str) -> Response:
    """The proxies of one file."""
    return _json(proxies.list_proxies(current_services(), file_id))


@blueprint.route("/proxies/<file_id>/<typeidentifier>", methods=["GET"])
def proxy_content(file_id: str, typeidentifier: str) -> Response:
    """The bytes of one proxy: with a token, or through a signed link."""
    link_expires: int | None = None
    # Either part of a link makes it a link: a malformed one is refused, never ignored beside a token.
    if "signature" in request.args or "expires" in request.args:
        try:
            link_expires = current_services().auth.check_link(
                request.path, request.args.get("expires"), request.args.get("signature")
            )
        except LinkInvalid as e:
            raise Forbidden(str(e)) from e
    else:
        _check_scope("proxy:read")
    data, status, headers = proxies.proxy_content(
        current_services(), file_id, typeidentifier, [tag for tag in request.if_none_match.as_set()], link_expires,
        request.args.get("format"), list(request.accept_mimetypes)
    )
    if data is None:  # 304, or 307 to the bytes in object storage (its Location is in the headers)
        response = make_response("", status)
    elif data.file is not None:
        response = send_file(data.file, mimetype=data.mimetype, download_name=data.filename,
                             etag=False, conditional=False)
    else:
        # Streamed from object storage as it arrives; the body is closed once sent (or the client left).
        response = Response(data.content, status=status, mimetype=data.mimetype, direct_passthrough=True)
        response.headers.set("Content-Disposition", "inline", filename=data.filename)
    if data is not None:  # as stored: Werkzeug would add a second charset to a text proxy's type
        response.headers["Content-Type"] = data.mimetype
    response.headers.update(headers)
    return response


@blueprint.route("/plugins", methods=["GET"])
@requires("proxy:read")
def list_plugins() -> Response:
    """The enabled plugins."""
    return _json(plugins.list_plugins(current_services()))
