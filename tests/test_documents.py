"""The documents the web app, the worker's callbacks and the command line share."""

from flask import Flask

from proxyservice.documents import API_PATHS, api_path


def test_the_paths_built_without_the_web_app_are_its_routes(app: Flask) -> None:
    """The command line builds /status/<id> and /proxies/<file_id> with no Flask: they must be the routes served."""
    adapter = app.url_map.bind("localhost")
    for endpoint in API_PATHS:
        values = {name: "a b/c:d?e#f" for name in ("file_id", "task_id") if "{" + name + "}" in API_PATHS[endpoint]}
        assert api_path(endpoint, **values) == adapter.build(endpoint, values)
