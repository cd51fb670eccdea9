"""Faults against a stack of real parts while files arrive: every file gets its proxy, once, and no 5xx but 503.

Each test starts a stack of its own (:mod:`tests.chaos.harness`), sends
distinct files by path and by upload at an even pace across one fault, and
follows every task. The goal, for each fault: nothing lost, stuck, failed or
duplicated, and no 5xx but a 503 with Retry-After. Each row of the table
printed at the end says what became of the files (``make chaos``).
"""

import os
from pathlib import Path

import pytest

from tests.chaos.conftest import TALLIES, StackMaker
from tests.chaos.faults import BrokerKilled, DatabaseStorm, DiskFull, StorageCut, WorkerKilled
from tests.chaos.harness import make_files, run_scenario
from tests.chaos.tally import Tally
from tests.e2e.conftest import BROKERS
from tests.e2e.test_durability import renderer_children
from tests.support import small_disk

pytestmark = pytest.mark.chaos


def kept(tally: Tally) -> Tally:
    """The tally, kept for the table; then held to the goal."""
    TALLIES.append(tally)
    assert tally.clean, "\n".join(
        [f"lost {tally.lost}, stuck {tally.stuck}, failed {tally.failed}, duplicated {tally.duplicated}, "
         f"5xx {tally.server_errors}", *tally.notes])
    return tally


class TestDatabaseStorm:
    """Every backend of the records' PostgreSQL database is terminated every 0.1 s for 25 s while files arrive."""

    def test_every_file_gets_one_proxy(self, make_stack: StackMaker) -> None:
        with make_stack() as stack:
            storm = DatabaseStorm(stack.database_url, duration=25)
            tally = run_scenario(stack, storm, make_files(stack.service.sources / "storm", 30, seed=1))
        assert storm.terminated >= 25, "the storm hit the stack's connections (at least once a second)"
        kept(tally)


class TestStorageCut:
    """The object storage (proxies and uploads) is out of reach for 20 s, then back."""

    def test_every_file_gets_one_proxy(self, make_stack: StackMaker) -> None:
        with make_stack() as stack:
            tally = run_scenario(stack, StorageCut(stack.storage, duration=20),
                                 make_files(stack.service.sources / "cut", 30, seed=2))
        kept(tally)


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
class TestDiskFull:
    """One worker's disk (its data folder, where proxies are made) is full for 60 s; the other's is not."""

    def test_every_file_gets_one_proxy(self, make_stack: StackMaker, tmp_path: Path) -> None:
        with small_disk(24) as disk, make_stack(worker_data=(disk / "data", tmp_path / "worker-2-data")) as stack:
            tally = run_scenario(stack, DiskFull(disk, duration=60),
                                 make_files(stack.service.sources / "full", 40, seed=3))
        kept(tally)


class TestBrokerKilled:
    """The broker is SIGKILLed and back 10 s later: a Redis that keeps nothing on disk, a RabbitMQ node that does."""

    @pytest.mark.parametrize("broker_kind", BROKERS)
    def test_every_file_gets_one_proxy(self, make_stack: StackMaker, broker_kind: str) -> None:
        with make_stack(broker_kind=broker_kind) as stack:
            tally = run_scenario(stack, BrokerKilled(stack.broker, duration=10, name=f"broker ({broker_kind}) killed"),
                                 make_files(stack.service.sources / "broker", 24, seed=4))
        kept(tally)


class TestWorkerKilled:
    """One of the two workers is SIGKILLed mid-render; a new one takes its place 5 s later."""

    def test_every_file_gets_one_proxy(self, make_stack: StackMaker, tmp_path: Path) -> None:
        with make_stack() as stack:
            fault = WorkerKilled(stack.workers[0], renderer_children,
                                 lambda: stack.another_worker(tmp_path / "worker-3-data"), duration=5)
            tally = run_scenario(stack, fault, make_files(stack.service.sources / "killed", 24, seed=5))
        kept(tally)
