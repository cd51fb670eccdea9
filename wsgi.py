"""Production entrypoint for uWSGI: the app is built once, at import."""

from proxyservice.factory import create_web_app

application = create_web_app()
