"""The browser view, ``GET /ui``: a page rendered here that uses the API with the visitor's own token.

The page holds no data of its own: a visitor pastes a bearer token once (kept
in the tab's ``sessionStorage``), and the page's script calls ``GET /tasks``,
``GET /proxies/<file_id>``, ``GET /status/<task_id>`` and ``POST /ingest`` with
it, as any client would.
Its files are served from this package; there is no build step and no CDN.
"""

from flask import Blueprint, Response, make_response, render_template, request, send_from_directory

from ..domain import TaskState

blueprint = Blueprint("ui", __name__, url_prefix="/ui", template_folder="templates", static_folder="static")
icon = Blueprint("icon", __name__, static_folder="static")
"""Where browsers look for a site's icon, ``/favicon.ico``, outside the page's own prefix."""

SEARCH_LIMIT = 200
"""Most characters of a file name searched for (as ``GET /tasks``'s ``name``)."""
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    # Previews are read through signed links, which may redirect to object storage (STORE_REDIRECT).
    "img-src 'self' http: https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The page runs only its own script and reads only this service: a file's name shown in it cannot run as code."""


@blueprint.route("/", methods=["GET"], strict_slashes=False)
def browser_view() -> Response:
    """The page; ``?name=`` and ``?state=`` fill its search form."""
    state = request.args.get("state", "")
    response = make_response(render_template(
        "ui.html",
        name=request.args.get("name", "")[:SEARCH_LIMIT],
        state=state if state in {s.value for s in TaskState} else "",
        states=[s.value for s in TaskState],
        search_limit=SEARCH_LIMIT,
    ))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@icon.route("/favicon.ico", methods=["GET"])
def favicon() -> Response:
    """The service's icon, for any page of it a browser shows (open)."""
    return send_from_directory(icon.static_folder or "", "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=86400)
