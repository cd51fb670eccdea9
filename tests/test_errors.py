"""The error tree's table and its one rule for what passes: wait, backing off, for RESOURCE_WAIT_SECONDS."""

from http import HTTPStatus

import pytest

from proxyservice.errors import (
    InputInvalid,
    InternalError,
    Outcome,
    ResourceBusy,
    ResourceUnavailable,
    backoff_seconds,
    handling,
    may_wait,
)
from proxyservice.services.office import OfficeInvalid
from proxyservice.services.store import StoreFull
from proxyservice.services.svg import SvgInvalid


class TestHandling:
    """Each error is handled by its nearest family."""

    @pytest.mark.parametrize("error", [OfficeInvalid("x"), SvgInvalid("x"), InputInvalid("x")])
    def test_a_bad_file_fails_plainly(self, error: Exception) -> None:
        assert (handling(error).outcome, handling(error).http_status, handling(error).traceback) == (
            Outcome.FAILED, HTTPStatus.BAD_REQUEST, False)

    def test_a_full_disk_passes(self) -> None:
        assert handling(StoreFull("x")).outcome is Outcome.RETRIED
        assert handling(StoreFull("x")).http_status is HTTPStatus.SERVICE_UNAVAILABLE

    def test_a_full_queue_is_a_429(self) -> None:
        assert handling(ResourceBusy("x")).http_status is HTTPStatus.TOO_MANY_REQUESTS

    def test_anything_else_is_a_bug(self) -> None:
        assert handling(KeyError("x")) == handling(InternalError("x"))
        assert handling(KeyError("x")).traceback and not handling(KeyError("x")).public


class TestWaiting:
    """Work that meets a resource that is away backs off and waits, for as long as it is told."""

    def test_the_backoff_doubles_to_a_minute_with_jitter(self) -> None:
        assert [backoff_seconds(n, jitter=False) for n in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
        assert all(30 <= backoff_seconds(9) <= 60 for _ in range(50))

    def test_it_waits_as_long_as_it_may(self) -> None:
        assert [may_wait(n, 3) for n in range(4)] == [True, True, False, False]  # 1 + 2 s, then it gives up
        tries = next(n for n in range(100) if not may_wait(n, 900))
        assert sum(backoff_seconds(n, jitter=False) for n in range(tries)) >= 900, "15 minutes, not 7 s"

    def test_a_resource_error_is_of_the_family(self) -> None:
        assert isinstance(StoreFull("x"), ResourceUnavailable)
