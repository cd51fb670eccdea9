"""Errors of the callbacks.

WebhookError
├── CallbackRefused   a callback_url this service will not call (its host is not allowed)
└── CallbackFailed    the receiver did not take the callback (no answer, or not a 2xx)
"""

from ...errors import InputInvalid, ProxyServiceError, ResourceUnavailable

__all__ = ["WebhookError", "CallbackRefused", "CallbackFailed"]


class WebhookError(ProxyServiceError):
    """Base of the callbacks' errors."""


class CallbackRefused(WebhookError, InputInvalid):
    """A callback URL this service will not call: not http(s), or its host is not in WEBHOOK_ALLOWED_HOSTS."""


class CallbackFailed(WebhookError, ResourceUnavailable):
    """The receiver did not take the callback: it did not answer in time, or not with a 2xx; worth trying again."""
