"""JWT bearer tokens (HS256, PyJWT) and HMAC-signed links, from one secret.

Scopes: ``proxy:create`` to ingest, ``proxy:read`` to read proxies, task
status and plugins, ``proxy:delete`` to delete a file, ``proxy:metrics`` to scrape ``GET /metrics``. Links to a proxy's bytes can be shared without a token:
they carry an expiry time and a signature over the path and that time, as
thumbor and imgproxy sign theirs.
"""

import hashlib
import hmac
import time
from dataclasses import dataclass
from functools import lru_cache

import logging

import jwt
from ...config import DEVELOPMENT_SECRET
from ...config import Settings
from ..context import SettingsService
from .errors import LinkInvalid, ScopeMissing, TokenInvalid, TokenMissing

ALGORITHM = "HS256"
ISSUER = "proxyservice"
SCOPES = ("proxy:create", "proxy:read", "proxy:delete", "proxy:metrics")
LINK_KEY_LABEL = b"proxyservice signed links"
INVALID_TOKEN = "invalid token"
EXPIRED_TOKEN = "the token has expired"

logger = logging.getLogger(__name__)


VERIFIED_TOKENS = 1024
"""Tokens whose signature this process remembers having checked: a client sends the same one again and again."""


@lru_cache(maxsize=VERIFIED_TOKENS)
def _verified(secret: str, token: str) -> tuple[float, tuple[str, ...], str]:
    """The expiry, scopes and subject of a token signed with ``secret``, its signature checked once.

    Raises
    ------
    TokenInvalid
        The signature, issuer or claims are wrong, or it has expired (nothing is remembered).
    """
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iss", "scope"]})
    except jwt.ExpiredSignatureError as e:
        raise TokenInvalid(EXPIRED_TOKEN) from e
    except jwt.PyJWTError as e:
        # PyJWT's reasons describe the decoder ("'utf-8' codec can't decode
        # byte..."): they help an operator, and only a prober elsewhere.
        logger.debug("refused a bearer token: %s", e)
        raise TokenInvalid(INVALID_TOKEN) from e
    return float(claims["exp"]), tuple(str(claims.get("scope", "")).split()), str(claims.get("sub", ""))


@dataclass(frozen=True)
class Auth(SettingsService):
    """Makes and checks tokens and links.

    Parameters
    ----------
    secret
        The signing secret (AUTH_SECRET).
    """

    secret: str

    @classmethod
    def from_settings(cls, settings: Settings) -> "Auth":
        """Auth signing with AUTH_SECRET.

        Raises
        ------
        SettingInvalid
            In production without a secret of its own.
        """
        return cls(settings.auth_secret)

    @staticmethod
    def check_secret(settings: Settings) -> None:
        """Check that an app that serves requests has a usable secret: in production, one of its own.

        Raises
        ------
        SettingInvalid
            In production without AUTH_SECRET of its own; the app must not start.
        """
        if settings.auth_secret == DEVELOPMENT_SECRET:
            logger.warning("signing tokens with the INSECURE development secret: set AUTH_SECRET")

    def issue(self, scopes: list[str], ttl_seconds: int, subject: str = "client") -> str:
        """A signed token granting ``scopes`` for ``ttl_seconds``.

        Raises
        ------
        ValueError
            A scope is not one of :data:`SCOPES`.
        """
        unknown = set(scopes) - set(SCOPES)
        if unknown:
            raise ValueError(f"unknown scopes {sorted(unknown)}; known: {', '.join(SCOPES)}")
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": subject, "iat": now, "exp": now + ttl_seconds, "scope": " ".join(scopes)}
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def require(self, authorization: str | None, scope: str) -> str:
        """Check an ``Authorization`` header grants ``scope``; return the token's subject.

        Raises
        ------
        TokenMissing, TokenInvalid, ScopeMissing
        """
        if not authorization:
            raise TokenMissing("a bearer token is required")
        kind, _, token = authorization.partition(" ")
        if kind.lower() != "bearer" or not token.strip():
            raise TokenMissing("the Authorization header must be 'Bearer <token>'")
        expires, scopes, subject = _verified(self.secret, token.strip())
        if expires <= time.time():  # checked at each use: a verified token is remembered, not its validity
            raise TokenInvalid(EXPIRED_TOKEN)
        if scope not in scopes:
            raise ScopeMissing(f"the token does not grant {scope}")
        return subject

    def sign_link(self, path: str, ttl_seconds: int) -> tuple[int, str]:
        """Expiry time and signature that let ``path`` be fetched without a token until then."""
        expires = int(time.time()) + ttl_seconds
        return expires, self._signature(path, expires)

    def check_link(self, path: str, expires: str | None, signature: str | None) -> int:
        """Check a signed link; return its expiry time (Unix seconds).

        Raises
        ------
        LinkInvalid
            Missing, altered, or past its expiry.
        """
        if not expires or not signature or not (expires.isascii() and expires.isdigit()):
            raise LinkInvalid("the link is not signed")
        expiry = int(expires)
        if not hmac.compare_digest(self._signature(path, expiry).encode(), signature.encode("utf-8", "replace")):
            raise LinkInvalid("the link's signature does not match")
        if expiry < time.time():
            raise LinkInvalid("the link has expired")
        return expiry

    def _signature(self, path: str, expires: int) -> str:
        key = hmac.new(self.secret.encode(), LINK_KEY_LABEL, hashlib.sha256).digest()
        return hmac.new(key, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()
