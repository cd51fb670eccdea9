"""Development entrypoint: ``flask --app app run``."""

from proxyservice.factory import create_web_app

app = create_web_app()
