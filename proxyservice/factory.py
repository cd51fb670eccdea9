"""Builds the web app, once."""

import logging
from typing import Any

from flask import Flask, Response, jsonify
from flask_swagger_ui import get_swaggerui_blueprint
from werkzeug.exceptions import HTTPException

from .config import Settings
from .container import Services
from .controllers.errors import http_error
from .errors import ProxyServiceError
from .routes import SERVICES_KEY, api, hooks, ui
from .services.auth import Auth

logger = logging.getLogger(__name__)

DOCS_URL = "/docs"
"""Where the API's browsable documentation is served."""
UPLOAD_OVERHEAD_BYTES = 1024 * 1024
"""Room for the multipart envelope around an upload of MAX_SOURCE_BYTES."""
FORM_FIELDS = 32
"""Parts of a multipart upload beside its files (plugins, sizes, page...), with room to spare."""


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
        refuses to start without a secret of its own in production, and its
        task records keep their connections open between requests.
    flask_config
        Extra Flask configuration (``TESTING=True``).

    Raises
    ------
    SettingInvalid
        A setting cannot be used (serving in production: no AUTH_SECRET of its own).
    """
    settings = settings or Settings.from_environ()
    if serve_http:
        Auth.check_secret(settings)
    # A process serving HTTP never forks once the app is built (uWSGI's lazy-apps): its records keep connections.
    services = Services(settings, keep_connections=serve_http)
    app = Flask("proxyservice")
    app.config.update(flask_config)
    app.config["MAX_CONTENT_LENGTH"] = settings.MAX_SOURCE_BYTES + UPLOAD_OVERHEAD_BYTES
    # A page's files come as one part each: the intake, not the form parser, says how many are too many.
    app.config["MAX_FORM_PARTS"] = settings.MAX_BUNDLE_FILES + FORM_FIELDS
    app.json.sort_keys = False  # type: ignore[attr-defined]  # DefaultJSONProvider has it
    app.extensions[SERVICES_KEY] = services
    app.teardown_appcontext(lambda _: services.end_of_work())
    app.register_blueprint(hooks.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(ui.blueprint)
    app.register_blueprint(ui.icon)
    # GET /docs: Swagger UI's files from the flask-swagger-ui package (no CDN), reading GET /openapi.yaml.
    app.register_blueprint(get_swaggerui_blueprint(DOCS_URL, "/openapi.yaml", config={"app_name": "proxyservice API"}))
    app.register_error_handler(HTTPException, json_error)
    # Any error of the service that no controller answered: as its family says (503 with Retry-After, 404...).
    app.register_error_handler(ProxyServiceError, lambda error: json_error(http_error(error)))
    return app
