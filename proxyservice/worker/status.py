"""What a worker says of its converters when readiness asks: is the sandbox up, do the converters run.

The converters run on the workers, not beside the web app, so readiness asks
a worker (a Celery remote-control command, which works with any broker)
instead of looking at the web host.
"""

import logging
import time
from typing import Any

from celery.worker.control import control_command

from ..container import Services
from ..services.renderer import RendererMissing
from ..services.sandbox import SandboxUnavailable
from ..services.task_queue import CONVERTER_STATUS

logger = logging.getLogger(__name__)

CACHE_SECONDS = 5.0
"""Readiness probes come every few seconds; the answer is kept this long (it costs a sandbox start)."""


def converter_status(services: Services) -> dict[str, Any]:
    """The sandbox's and the HTML renderer's state here; ``up`` only when both work."""
    status: dict[str, Any] = {"up": True}
    sandbox = services.sandbox
    try:
        status["sandbox"] = sandbox.check()
    except SandboxUnavailable as e:
        status.update(up=False, error=str(e))
    if not sandbox.enabled:
        status["unsafe"] = "UNSAFE_NO_SANDBOX is set: converters run without the sandbox"
    try:
        status["wkhtmltoimage"] = services.html_renderer.version()
    except RendererMissing as e:
        status["up"] = False
        status["error"] = "; ".join(filter(None, (status.get("error"), str(e))))
    return status


def register_status_command(services: Services) -> None:
    """Let this worker answer :data:`CONVERTER_STATUS` broadcasts with :func:`converter_status`."""
    cached: dict[str, Any] = {}

    @control_command(name=CONVERTER_STATUS)
    def answer(state: Any, **_: Any) -> dict[str, Any]:
        if time.monotonic() - cached.get("at", -CACHE_SECONDS) >= CACHE_SECONDS:
            cached.update(at=time.monotonic(), status=converter_status(services))
        status: dict[str, Any] = cached["status"]
        return status
