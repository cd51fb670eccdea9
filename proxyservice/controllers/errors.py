"""Any error of the service as the HTTP answer its family calls for (:data:`proxyservice.errors.HANDLING`)."""

import logging

from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable, default_exceptions

from ..errors import ProxyServiceError, handling, retry_after

logger = logging.getLogger(__name__)

INTERNAL = "the service met an unexpected error; it is logged, and the request can be tried again"


def http_error(error: ProxyServiceError, hint: str = "") -> HTTPException:
    """The HTTP error for ``error``: its family's status, its words (a bug's are only logged), and Retry-After.

    Parameters
    ----------
    hint
        Words to add after the error's own (where to look next).
    """
    handled = handling(error)
    if not handled.public:
        logger.error("request failed: %s", error, exc_info=error)
        return InternalServerError(INTERNAL)
    logger.log(handled.log_level, "request refused: %s", error)
    answer = default_exceptions.get(int(handled.http_status), InternalServerError)(str(error) + hint)
    seconds = retry_after(error)
    if seconds is not None:
        answer.retry_after = seconds  # type: ignore[attr-defined]  # read by get_headers() of 429 and 503
    return answer


def unavailable(words: str, error: ProxyServiceError) -> ServiceUnavailable:
    """A 503 in ``words`` for a resource that is away, with the Retry-After of ``error``'s family.

    For a controller that says it in its own words: the error's may name a
    server (the records' database, a bucket).
    """
    return ServiceUnavailable(words, retry_after=retry_after(error))
