"""The refusals of an ingest: nothing was queued for the file, and the family of each says why.

Every side answers by the family (:mod:`proxyservice.errors`): a status code, a line and an exit code.
"""

from typing import ClassVar

from ..errors import (
    InputForbidden,
    InputInvalid,
    InputNotFound,
    InputUnsupported,
    LimitExceeded,
    ProxyServiceError,
    ResourceBusy,
    ResourceUnavailable,
)


class IngestRefused(ProxyServiceError):
    """The file was not taken; nothing was queued for it. Its family says why; :attr:`kind` names it for metrics."""

    kind: ClassVar[str]
    see_plugins: bool = False
    """Whether the words end by pointing at the list of plugins (each side says where that is)."""


class IngestInvalid(IngestRefused, InputInvalid):
    kind = "invalid"


class IngestForbidden(IngestRefused, InputForbidden):
    kind = "forbidden"


class IngestNotFound(IngestRefused, InputNotFound):
    kind = "not_found"


class IngestTooLarge(IngestRefused, LimitExceeded):
    kind = "too_large"


class IngestUnsupported(IngestRefused, InputUnsupported):
    kind = "unsupported_type"


class IngestQueueFull(IngestRefused, ResourceBusy):
    kind = "queue_full"


class IngestUnavailable(IngestRefused, ResourceUnavailable):
    kind = "unavailable"


REFUSED_BY_FAMILY: tuple[tuple[type[ProxyServiceError], type[IngestRefused]], ...] = (
    (ResourceBusy, IngestQueueFull),
    (ResourceUnavailable, IngestUnavailable),
    (LimitExceeded, IngestTooLarge),
    (InputForbidden, IngestForbidden),
    (InputNotFound, IngestNotFound),
    (InputUnsupported, IngestUnsupported),
    (InputInvalid, IngestInvalid),
)
"""A service's error, by its family, as the refusal of an ingest (most specific family first)."""


def refused(error: ProxyServiceError, words: str | None = None) -> IngestRefused:
    """``error`` as the refusal of an ingest of its family, in ``words`` (its own when not given)."""
    for family, refusal in REFUSED_BY_FAMILY:
        if isinstance(error, family):
            return refusal(words or str(error), retry_after=error.retry_after)
    return IngestInvalid(words or str(error))
