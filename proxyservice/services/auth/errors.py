"""Errors of the auth service.

AuthError
├── TokenMissing    no bearer token was sent
├── TokenInvalid    the token is malformed, badly signed or expired
├── ScopeMissing    the token is good but lacks the scope asked for
└── LinkInvalid     a signed link is malformed, badly signed or expired
"""

from ...errors import InputForbidden, InputUnauthenticated, ProxyServiceError

__all__ = ["AuthError", "TokenMissing", "TokenInvalid", "ScopeMissing", "LinkInvalid"]


class AuthError(ProxyServiceError):
    """Base of the auth service's errors."""


class TokenMissing(AuthError, InputUnauthenticated):
    """Send ``Authorization: Bearer <token>``; ``proxyservice token`` makes one."""


class TokenInvalid(AuthError, InputUnauthenticated):
    """The token cannot be trusted: malformed, signed with another secret, or expired.

    Its message says only "invalid token", or that the token expired: why a
    token failed to decode is for the log, not for whoever sent it.
    """


class ScopeMissing(AuthError, InputForbidden):
    """The token is valid but does not grant what this request needs."""


class LinkInvalid(AuthError, InputForbidden):
    """The signed link was altered, signed with another secret, or has expired."""
