"""The chaos suite's fixtures (a stack of real parts per fault) and its table, printed at the session's end."""

import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Callable, Iterator

import boto3
import pytest

from tests.chaos.faults import Relay
from tests.chaos.harness import Stack, chaos_stack
from tests.chaos.tally import Tally, table
from tests.conftest import S3_CREDENTIALS

TALLIES: list[Tally] = []
"""Each scenario's row, in the order they ran."""

StackMaker = Callable[..., AbstractContextManager[Stack]]


@pytest.fixture
def make_stack(tmp_path: Path, postgres_databases: Callable[[], str], s3_endpoint: str,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[StackMaker]:
    """Makes the test's stack (a context manager): a database, a bucket and a relay to the S3 server of its own.

    Its arguments: the two workers' data folders (in the test's temp folder
    when not given), and ``broker_kind``. The web app in this process reaches
    the bucket through the relay, as the workers do.
    """
    host, _, port = s3_endpoint.removeprefix("http://").partition(":")
    storage = Relay((host, int(port))).join()
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_REGION"):
        monkeypatch.delenv(name, raising=False)
    for name, value in {**S3_CREDENTIALS, "AWS_ENDPOINT_URL": s3_endpoint}.items():
        monkeypatch.setenv(name, value)
    bucket = f"chaos-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=bucket)
    monkeypatch.setenv("AWS_ENDPOINT_URL", storage.url)

    def make(worker_data: tuple[Path, Path] | None = None, broker_kind: str = "redis") -> AbstractContextManager[Stack]:
        data = worker_data or (tmp_path / "worker-1-data", tmp_path / "worker-2-data")
        return chaos_stack(tmp_path, postgres_databases(), storage, bucket, data, broker_kind)

    try:
        yield make
    finally:
        storage.cut()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """The suite's table: one row per fault, whatever its test's outcome."""
    if TALLIES:
        terminalreporter.write_sep("=", "chaos: what became of the files sent across each fault")
        for line in table(TALLIES):
            terminalreporter.write_line(line)
