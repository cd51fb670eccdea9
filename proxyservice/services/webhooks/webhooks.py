"""Calling clients back when their tasks end: signed POSTs, only to the hosts the settings allow.

Each callback is the task's status document (as ``GET /status/<task_id>``
shows it), as JSON, with ``Proxyservice-Signature: t=<unix time>,sha256=<hex>``:
the HMAC-SHA256, under WEBHOOK_SECRET, of ``<unix time>.<body>``. A receiver
checks it with the same secret and refuses an old ``t`` (a replay).

A callback never becomes a way into the network: its host must be one of
WEBHOOK_ALLOWED_HOSTS, exactly, when it is asked for and again when it is
called, and redirects are never followed.
"""

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlsplit

import requests

from ...config import Settings
from ..context import SettingsService
from .errors import CallbackFailed, CallbackRefused

SIGNATURE_HEADER = "Proxyservice-Signature"
NOT_HTTP = "callback_url: must be an http:// or https:// URL with a host"
NOT_ALLOWED = "callback_url: host %r is not one this service calls back (WEBHOOK_ALLOWED_HOSTS)"
NONE_ALLOWED = "callback_url: this service calls no one back (WEBHOOK_ALLOWED_HOSTS is empty)"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of :data:`SIGNATURE_HEADER` for ``body`` sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},sha256={digest}"


class Webhooks(SettingsService):
    """The callbacks these settings allow, and their sending.

    Parameters
    ----------
    allowed_hosts
        Hosts a callback may name, exactly (``name`` or ``name:port``).
    secret
        What the signatures are made with.
    timeout
        Seconds a receiver has to answer.
    """


    def __init__(self, allowed_hosts: tuple[str, ...], secret: str, timeout: float) -> None:
        self.allowed_hosts = {host.lower() for host in allowed_hosts}
        self.secret = secret
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> "Webhooks":
        return cls(settings.WEBHOOK_ALLOWED_HOSTS, settings.WEBHOOK_SECRET or settings.AUTH_SECRET,
                   settings.WEBHOOK_TIMEOUT)

    def check(self, url: str) -> str:
        """``url`` if it may be called back.

        Raises
        ------
        CallbackRefused
            It is not http(s), or its host (or host:port) is not allowed.
        """
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as e:  # a port that is no number, or past 65535
            raise CallbackRefused(NOT_HTTP) from e
        if (parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password
                or any(character.isspace() for character in url)):
            raise CallbackRefused(NOT_HTTP)
        if not self.allowed_hosts:
            raise CallbackRefused(NONE_ALLOWED)
        host = parts.hostname.lower()
        if host not in self.allowed_hosts and f"{host}:{port}" not in self.allowed_hosts:
            raise CallbackRefused(NOT_ALLOWED % host)
        return url

    def deliver(self, url: str, document: dict[str, Any]) -> None:
        """POST ``document`` to ``url``, signed.

        Raises
        ------
        CallbackRefused
            The URL is no longer allowed (the settings changed since it was asked for).
        CallbackFailed
            No answer within the timeout, or an answer other than 2xx (a redirect included).
        """
        self.check(url)
        body = json.dumps(document, separators=(",", ":")).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(self.secret, int(time.time()), body),
                   "User-Agent": "proxyservice-webhook"}
        try:
            answer = requests.post(url, data=body, headers=headers, timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as e:
            raise CallbackFailed(f"callback to {url} not delivered: {e}") from e
        if not 200 <= answer.status_code < 300:
            raise CallbackFailed(f"callback to {url} answered {answer.status_code}")
