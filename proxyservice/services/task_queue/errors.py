"""Errors of the task queue.

QueueError
└── QueueUnavailable   the broker cannot be reached
"""

__all__ = ["QueueError", "QueueUnavailable"]


class QueueError(Exception):
    """Base of the task queue's errors."""


class QueueUnavailable(QueueError):
    """The broker cannot be reached; check that it runs and BROKER_URL (or REDIS_URL) names it."""
