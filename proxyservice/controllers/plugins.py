"""Plugins: which are enabled, what they handle, and which failed to load."""

from http import HTTPStatus

from ..container import Services
from . import Response


def list_plugins(services: Services) -> Response:
    """The enabled plugins and the ones that could not be loaded."""
    plugins = services.plugins
    body = {
        "html_engine": services.settings.HTML_ENGINE,
        "plugins": plugins.describe(),
        "broken": [{"name": name, "error": error} for name, error in plugins.broken],
    }
    return body, HTTPStatus.OK, {}
