"""Builds the web app, once."""

import logging
from typing import Any

from flask import Flask, Response, jsonify
from flask_swagger_ui import get_swaggerui_blueprint
from werkzeug.exceptions import HTTPException

from .config import Settings
from .routes import api, ui
from .services.context import SETTINGS_KEY
from .services.auth import Auth
from .services.renderer import HtmlRenderer
from .services.sandbox import Sandbox
from .services.sources import SourceFiles
from .services.store import ProxyStore
from .services.task_queue import TaskQueue
from .services.task_records import TaskRecords
from .services.webhooks import Webhooks

logger = logging.getLogger(__name__)

DOCS_URL = "/docs"
"""Where the API's browsable documentation is served."""
UPLOAD_OVERHEAD_BYTES = 1024 * 1024
"""Room for the multipart envelope around an upload of MAX_SOURCE_BYTES."""
SERVICES = (Auth, ProxyStore, SourceFiles, TaskRecords, TaskQueue, Sandbox, HtmlRenderer, Webhooks)


def json_error(error: HTTPException) -> Response:
    """Every HTTP error as JSON: ``{"status", "error", "message"}``, keeping its headers (Retry-After)."""
    response = jsonify({"status": error.code, "error": error.name, "message": error.description})
    response.status_code = error.code or 500
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def create_web_app(settings: Settings | None = None, serve_http: bool = True, **flask_config: Any) -> Flask:
    """Build the Flask app of the proxy service.

    Parameters
    ----------
    settings
        The settings; read from the environment when ``None``.
    serve_http
        Whether the app will answer requests (uWSGI, ``flask run``): then it
        refuses to start without a secret of its own in production. The
        workers and the command line build it for its services only.
    flask_config
        Extra Flask configuration (``TESTING=True``).

    Raises
    ------
    SettingInvalid
        A setting cannot be used (serving in production: no AUTH_SECRET of its own).
    """
    settings = settings or Settings.from_environ()
    app = Flask("proxyservice")
    app.config.update(flask_config)
    app.config[SETTINGS_KEY] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_SOURCE_BYTES + UPLOAD_OVERHEAD_BYTES
    app.json.sort_keys = False  # type: ignore[attr-defined]  # DefaultJSONProvider has it
    for service in SERVICES:
        service.init_app(app)
    if serve_http:
        Auth.check_secret(app)
        # A process serving HTTP never forks once the app is built (uWSGI's lazy-apps); the workers' main process does.
        TaskRecords.keep_connections_open(app)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(ui.blueprint)
    # GET /docs: Swagger UI's files from the flask-swagger-ui package (no CDN), reading GET /openapi.yaml.
    app.register_blueprint(get_swaggerui_blueprint(DOCS_URL, "/openapi.yaml", config={"app_name": "proxyservice API"}))
    app.register_error_handler(HTTPException, json_error)
    return app
