"""The ``proxyservice`` command when the service cannot take work, or is asked for what it cannot do."""

import shutil
from pathlib import Path

from tests.conftest import FIXTURES, UNREACHABLE_REDIS
from tests.e2e.conftest import run_cli


def environment(tmp_path: Path) -> dict[str, str]:
    """Settings of a service whose broker is not there, with a source root of pages."""
    shutil.copytree(FIXTURES, tmp_path / "sources")
    return {"REDIS_URL": UNREACHABLE_REDIS, "DATA_DIR": str(tmp_path / "data"),
            "SOURCE_ROOTS": str(tmp_path / "sources"), "BROKER_TIMEOUT": "0.5"}


class TestBrokerDown:
    """The broker does not answer: one line, exit 1, and a tree walk stops at the first file."""

    def test_add_file(self, tmp_path: Path) -> None:
        result = run_cli(environment(tmp_path), "add-file", str(tmp_path / "sources" / "plain.html"))
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.splitlines() == [
            "Error: the task queue's broker (BROKER_URL) is unreachable; nothing was queued: try again shortly"]

    def test_ingest_stops_with_its_summary(self, tmp_path: Path) -> None:
        result = run_cli(environment(tmp_path), "ingest", str(tmp_path / "sources"), "--wait")
        assert result.returncode == 1, result.stderr
        assert result.stdout.splitlines()[:2] == [
            "Stopped: the task queue's broker (BROKER_URL) is unreachable; nothing was queued: try again shortly. "
            "What was submitted stays submitted; run the same command again to go on.",
            "  submitted:             0"]
        assert "Rendering" not in result.stderr


class TestDiskFull:
    """The proxy store's disk has less room than STORE_MIN_FREE_MB: as POST /ingest, nothing is queued."""

    def test_add_file_and_ingest(self, tmp_path: Path) -> None:
        full = {**environment(tmp_path), "STORE_MIN_FREE_MB": str(2**40)}
        added = run_cli(full, "add-file", str(tmp_path / "sources" / "plain.html"))
        assert added.returncode == 1 and added.stdout == ""
        [line] = added.stderr.splitlines()
        assert line.startswith("Error: the proxy store's disk is full (") and "STORE_MIN_FREE_MB" in line
        walked = run_cli(full, "ingest", str(tmp_path / "sources"))
        assert walked.returncode == 1
        assert walked.stdout.startswith("Stopped: the proxy store's disk is full (")


class TestRefusedBeforeWalking:
    """Input that no file of the tree could pass is refused once, before any file is read."""

    def test_a_plugin_that_is_not_enabled(self, tmp_path: Path) -> None:
        result = run_cli(environment(tmp_path), "ingest", str(tmp_path / "sources"), "--plugins", "nope::Nope")
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.splitlines() == [
            "Error: plugins: 'nope::Nope' is not an enabled plugin (see proxyservice plugins list)"]

    def test_a_folder_outside_the_roots(self, tmp_path: Path) -> None:
        result = run_cli(environment(tmp_path), "ingest", str(tmp_path))
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.splitlines() == [
            f"Error: {tmp_path} is outside SOURCE_ROOTS: nothing was ingested; name a folder under them, "
            f"or add it to SOURCE_ROOTS (SOURCE_ROOTS here is {tmp_path / 'sources'}; it must name the same folders as "
            "where the service and its workers run, which read the file by its path)"]
