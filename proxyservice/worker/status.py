"""What a worker says of its converters when readiness asks: is the sandbox up, do the converters run.

The converters run on the workers, not beside the web app, so readiness asks
a worker (a Celery remote-control command, which works with any broker)
instead of looking at the web host.
"""

import logging
import time
from typing import Any

from celery.worker.control import control_command
from flask import Flask

from ..services.renderer import HtmlRenderer, RendererMissing
from ..services.sandbox import Sandbox, SandboxUnavailable
from ..services.task_queue import CONVERTER_STATUS

logger = logging.getLogger(__name__)

CACHE_SECONDS = 5.0
"""Readiness probes come every few seconds; the answer is kept this long (it costs a sandbox start)."""


def converter_status() -> dict[str, Any]:
    """The sandbox's and the HTML renderer's state here; ``up`` only when both work. Needs an app context."""
    status: dict[str, Any] = {"up": True}
    sandbox = Sandbox.current_session()
    try:
        status["sandbox"] = sandbox.check()
    except SandboxUnavailable as e:
        status.update(up=False, error=str(e))
    if not sandbox.enabled:
        status["unsafe"] = "UNSAFE_NO_SANDBOX is set: converters run without the sandbox"
    try:
        status["wkhtmltoimage"] = HtmlRenderer.current_session().version()
    except RendererMissing as e:
        status["up"] = False
        status["error"] = "; ".join(filter(None, (status.get("error"), str(e))))
    return status


def register_status_command(flask_app: Flask) -> None:
    """Let this worker answer :data:`CONVERTER_STATUS` broadcasts with :func:`converter_status`."""
    cached: dict[str, Any] = {}

    @control_command(name=CONVERTER_STATUS)
    def answer(state: Any, **_: Any) -> dict[str, Any]:
        if time.monotonic() - cached.get("at", -CACHE_SECONDS) >= CACHE_SECONDS:
            with flask_app.app_context():
                cached.update(at=time.monotonic(), status=converter_status())
        status: dict[str, Any] = cached["status"]
        return status
