"""Production entrypoint for uWSGI: logging as the settings say, then the app, built once at import."""

from proxyservice.config import Settings
from proxyservice.factory import create_web_app
from proxyservice.logging_config import configure_logging

settings = Settings.from_environ()
configure_logging(settings)
application = create_web_app(settings)
