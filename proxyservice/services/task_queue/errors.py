"""Errors of the task queue.

QueueError
└── QueueUnavailable   the broker cannot be reached
"""

from ...errors import ProxyServiceError, ResourceUnavailable

__all__ = ["QueueError", "QueueUnavailable"]


class QueueError(ProxyServiceError):
    """Base of the task queue's errors."""


class QueueUnavailable(QueueError, ResourceUnavailable):
    """The broker cannot be reached; check that it runs and BROKER_URL (or REDIS_URL) names it."""
