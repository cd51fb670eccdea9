"""The secret ``proxyservice token`` signs with: the service's, found as a user on its host would expect.

In order: ``AUTH_SECRET`` when set (with production's checks); else the secret
that ``make run`` keeps for development in ``$DATA_DIR/development-secret``
(made once, readable by its owner only), so a token made in a new terminal
is one the service under ``make run`` accepts; else, with
``PROXYSERVICE_ENV=development``, the marked insecure development secret.
Otherwise there is nothing to sign with, and the error says what to set.
"""

from dataclasses import dataclass

from ..config import DEVELOPMENT_SECRET, Settings, SettingInvalid
from ..errors import InputInvalid

DEVELOPMENT_SECRET_FILE = "development-secret"
"""Under DATA_DIR: the secret ``make run`` generates for development when AUTH_SECRET is unset."""
NO_SECRET = ("no secret to sign tokens with: set AUTH_SECRET to the service's secret "
             "(or PROXYSERVICE_ENV=development for a development service run without one)")
READABLE_BY_OTHERS = "%s is readable by other users: chmod 600 it (or remove it for make run to make a new one)"
INSECURE = "note: signed with the INSECURE development secret; set AUTH_SECRET for a secret of your own"


class SecretUnavailable(InputInvalid):
    """There is no secret to sign tokens with; the message says what to set."""


@dataclass(frozen=True)
class SigningSecret:
    """The secret found, and a note for the user when it is the insecure one."""

    secret: str
    note: str | None = None


def signing_secret(settings: Settings) -> SigningSecret:
    """The secret tokens for the service of these settings are signed with.

    Raises
    ------
    SecretUnavailable
        None is set or kept; or the kept one is readable by others; or AUTH_SECRET is unusable.
    """
    try:
        if settings.AUTH_SECRET or settings.PROXYSERVICE_ENV not in ("production", "development"):
            return SigningSecret(settings.auth_secret)
        kept = settings.DATA_DIR / DEVELOPMENT_SECRET_FILE
        if kept.is_file():
            if kept.stat().st_mode & 0o077:
                raise SecretUnavailable(READABLE_BY_OTHERS % kept)
            secret = kept.read_text().strip()
            if secret:
                return SigningSecret(secret)
        if settings.PROXYSERVICE_ENV == "development":
            secret = settings.auth_secret
            return SigningSecret(secret, INSECURE if secret == DEVELOPMENT_SECRET else None)
    except (SettingInvalid, OSError) as e:
        raise SecretUnavailable(str(e)) from e
    raise SecretUnavailable(NO_SECRET)
