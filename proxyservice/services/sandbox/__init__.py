"""The OS sandbox every external converter runs in (bubblewrap)."""

from .errors import RunTimedOut, SandboxError, SandboxUnavailable, ViewChanged
from .runner import Finished
from .sandbox import EGRESS_PROXY, Sandbox

__all__ = [
    "Sandbox",
    "Finished",
    "EGRESS_PROXY",
    "SandboxError",
    "SandboxUnavailable",
    "ViewChanged",
    "RunTimedOut",
]
