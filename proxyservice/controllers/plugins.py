"""Plugins: which are enabled, what they handle, and which failed to load."""

from http import HTTPStatus

from ..plugins.registry import enabled_plugins
from ..services.context import current_settings
from . import Response


def list_plugins() -> Response:
    """The enabled plugins and the ones that could not be loaded."""
    plugins = enabled_plugins(current_settings())
    body = {
        "plugins": plugins.describe(),
        "broken": [{"name": name, "error": error} for name, error in plugins.broken],
    }
    return body, HTTPStatus.OK, {}
