"""HTTP routes: parse and validate, call one controller, serialize."""

from flask import current_app

from ..container import Services

SERVICES_KEY = "proxyservice"
"""Where the web app keeps its service container (``app.extensions``)."""


def current_services() -> Services:
    """The service container of the app serving this request: built once, with the app."""
    services: Services = current_app.extensions[SERVICES_KEY]
    return services
