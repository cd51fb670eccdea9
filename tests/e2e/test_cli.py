"""The ``proxyservice`` command against a running service: a real worker and Redis."""

import json
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.conftest import Service, run_cli
from tests.samples import write_samples


@pytest.fixture
def tree(service: Service, tmp_path: Path) -> Path:
    """A folder of mixed real files under the source root, with one broken and one unhandled file."""
    root = service.sources / f"tree-{tmp_path.name}"
    write_samples(root / "mixed")
    (root / "mixed" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    (root / "mixed" / "archive.bin").write_bytes(bytes(range(256)) * 4)
    return root


class TestPlugins:
    """Listing plugins."""

    def test_list_as_json(self, service: Service) -> None:
        result = run_cli(service.environment, "plugins", "list", "--json")
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        assert {row["name"] for row in rows if row["enabled"]} >= {"html_preview::HTMLPreview", "pdf_thumbnail::PDFThumbnail"}


class TestAddFile:
    """One file."""

    def test_add_file_and_wait(self, service: Service, tmp_path: Path) -> None:
        path = service.sources / f"cli-{tmp_path.name}.png"
        Image.new("RGB", (900, 600), "purple").save(path)
        result = run_cli(service.environment, "add-file", str(path), "--wait", "--timeout", "60", "--json")
        assert result.returncode == 0, result.stderr
        [task] = json.loads(result.stdout)["tasks"]
        assert task["status"] == "succeeded" and task["plugin"] == "image_thumbnail::ImageThumbnail"
        status = run_cli(service.environment, "status", task["task_id"], "--json")
        assert json.loads(status.stdout)["status"] == "succeeded"

    def test_bad_input_is_a_one_line_error(self, service: Service) -> None:
        result = run_cli(service.environment, "add-file", "/etc/hostname")
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == ["Error: path: '/etc/hostname' is outside the allowed source folders"]
        unknown = run_cli(service.environment, "status", "no-such-task")
        assert unknown.returncode == 1 and unknown.stderr.strip() == "Error: no task 'no-such-task'"
        missing = run_cli(service.environment, "add-file", "/no/such/file")
        assert missing.returncode == 2 and "does not exist" in missing.stderr

    def test_every_command_has_help(self, service: Service) -> None:
        for command in (["plugins", "list"], ["plugins", "enable"], ["plugins", "disable"], ["plugins", "check"],
                        ["add-file"], ["ingest"], ["status"]):
            result = run_cli(service.environment, *command, "--help")
            assert result.returncode == 0 and "Usage:" in result.stdout, command


class TestIngestTree:
    """A folder of mixed real files."""

    def test_every_file_gets_its_proxy_and_the_summary_is_true(self, service: Service, tree: Path) -> None:
        result = run_cli(service.environment, "ingest", str(tree), "--wait", "--timeout", "60", "--json")
        summary = json.loads(result.stdout)
        assert result.returncode == 1, "one file fails"
        assert "Ingesting" in result.stderr, "a progress bar is shown"
        # Every file but the unhandled one and the broken one; two have the same bytes
        # (drawing.png and no-extension), which share one task.
        handled = len(list((tree / "mixed").iterdir())) - 2
        assert summary["unsupported"] == 1 and summary["files"]["unsupported"][0].endswith("archive.bin")
        assert list(summary["failed"]) == [str(tree / "mixed" / "broken.png")]
        assert "not a readable image" in summary["failed"][str(tree / "mixed" / "broken.png")]
        assert summary["submitted"] + summary["unchanged"] == handled + 1  # the broken file was submitted too
        for path in summary["files"]["submitted"]:
            if not path.endswith("broken.png"):
                accepted = service.client.post("/ingest", json={"path": path})
                assert accepted.status_code == 303, (path, accepted.get_json())

        again = json.loads(run_cli(service.environment, "ingest", str(tree), "--json").stdout)
        assert again["unchanged"] == handled, "nothing unchanged is rendered again"
        assert again["submitted"] == 1  # the broken file is tried again

    def test_include_and_exclude(self, service: Service, tree: Path) -> None:
        result = run_cli(service.environment, "ingest", str(tree), "--include", "*.png,*.pdf",
                         "--exclude", "broken*", "--json")
        summary = json.loads(result.stdout)
        assert result.returncode == 0, result.stderr
        names = sorted(Path(p).name for p in summary["files"]["submitted"] + summary["files"]["unchanged"])
        assert names == ["drawing.png", "report.pdf", "transparent.png"]

    def test_a_human_summary(self, service: Service, tree: Path) -> None:
        result = run_cli(service.environment, "ingest", str(tree), "--include", "*.txt")
        assert result.returncode == 0, result.stderr
        assert "Done." in result.stdout and "skipped as unchanged:" in result.stdout
