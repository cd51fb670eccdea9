"""The web app served as in production: the shipped uwsgi.ini under real uWSGI, nginx in front, on a free port."""

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests

from tests.e2e.conftest import Service
from tests.support import ROOT, dockerfile_command, free_port, wait_until


LOGS: dict[str, Path] = {}
"""The log of each running uWSGI, by its URL."""


@contextmanager
def running_uwsgi(service: Service, log: Path, module: str | None = None, ready: str = "/healthz") -> Iterator[str]:
    """uWSGI as the Dockerfile starts it (the shipped uwsgi.ini, nginx in front), on a free port; its URL.

    Parameters
    ----------
    module
        Another WSGI app to serve in the same way (``bench.hello_app:application``).
    ready
        The path that answers 200 once the app is up.
    """
    port = free_port()
    environment = {**os.environ, **service.environment, "PROXYSERVICE_HTTP": f"127.0.0.1:{port}",
                   "UWSGI_VIRTUALENV": sys.prefix}
    with log.open("wb") as out:
        process = subprocess.Popen([*dockerfile_command("Dockerfile"), *(["--module", module] if module else [])],
                                   cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"uWSGI exited ({process.returncode}): {log.read_text()[-3000:]}")
        try:
            return requests.get(f"{url}{ready}", timeout=5).status_code == 200
        except (requests.ConnectionError, requests.Timeout):  # not listening yet, or its apps still loading
            return False

    try:
        wait_until(answers, 60, f"uWSGI on port {port} (log: {log})")
        LOGS[url] = log
        yield url
    finally:
        LOGS.pop(url, None)
        process.terminate()
        process.wait(timeout=20)
