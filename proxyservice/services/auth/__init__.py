"""Bearer tokens with scopes, and signed expiring links to proxies."""

from .errors import AuthError, LinkInvalid, ScopeMissing, TokenInvalid, TokenMissing
from .tokens import SCOPES, Auth

__all__ = ["Auth", "SCOPES", "AuthError", "TokenMissing", "TokenInvalid", "ScopeMissing", "LinkInvalid"]
