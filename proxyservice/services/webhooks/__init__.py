"""Callbacks to clients when their tasks end: signed, and only to allowed hosts."""

from .errors import CallbackFailed, CallbackRefused, WebhookError
from .webhooks import SIGNATURE_HEADER, Webhooks, signature

__all__ = ["Webhooks", "WebhookError", "CallbackRefused", "CallbackFailed", "SIGNATURE_HEADER", "signature"]
