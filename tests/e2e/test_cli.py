"""The ``proxyservice`` command as a user types it, against a running service: a real worker and Redis."""

import hashlib
import json
import os
import pty
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from proxyservice.domain import TaskRecord, TaskState, file_identity
from proxyservice.services.task_records import TaskRecords
from tests.e2e.conftest import DOCS, Service, run_cli, running_service
from tests.samples import write_samples
from tests.support import Receiver, assert_not_blank, mean_difference, wait_until

SPHINX_PAGE = DOCS / "python3.11/html/library/os.html"


@pytest.fixture
def tree(service: Service, tmp_path: Path) -> Path:
    """A folder of mixed real files under the source root, with one broken and one unhandled file."""
    root = service.sources / f"tree-{tmp_path.name}"
    write_samples(root / "mixed")
    (root / "mixed" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)
    (root / "mixed" / "archive.bin").write_bytes(bytes(range(256)) * 4)
    return root


def run_cli_in_a_terminal(environment: dict[str, str], *arguments: str) -> tuple[int, str, str]:
    """Run the installed command with its stderr on a terminal, where its progress bars are drawn.

    Returns the exit code, stdout, and what the terminal showed.
    """
    controller, terminal = pty.openpty()
    with tempfile.TemporaryFile() as stdout:
        process = subprocess.Popen([str(Path(sys.executable).parent / "proxyservice"), *arguments],
                                   env={**os.environ, **environment}, stdout=stdout, stderr=terminal,
                                   stdin=subprocess.DEVNULL)
        os.close(terminal)
        shown = bytearray()
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the command has closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        os.close(controller)
        code = process.wait(timeout=300)
        stdout.seek(0)
        return code, stdout.read().decode(), shown.decode(errors="replace")


class TestTheCommandItself:
    """Help and plugins."""

    def test_help_lists_only_its_own_options(self) -> None:
        result = run_cli({}, "--help")
        assert result.returncode == 0
        options = result.stdout.split("Options:")[1].split("Commands:")[0]
        assert re.findall(r"^\s+(-[-\w, ]+?)(?:\s+TEXT)?\s{2,}", options, re.M) == ["--url", "--token", "-h, --help"]
        for flask_option in ("--app", "--env-file", "--debug"):
            assert flask_option not in result.stdout
        assert "Exit codes: 0 done, 1 failed or refused" in " ".join(result.stdout.split())

    def test_help_says_which_commands_take_url(self) -> None:
        said = " ".join(run_cli({}, "--help").stdout.split())
        assert "With --url and --token, add-file, ingest, status, show and delete use a service on another host" in said

    def test_every_command_has_help(self) -> None:
        for command in (["plugins", "list"], ["plugins", "enable"], ["plugins", "disable"], ["plugins", "check"],
                        ["add-file"], ["ingest"], ["status"], ["show"], ["delete"], ["token"]):
            result = run_cli({}, *command, "--help")
            assert result.returncode == 0 and "Usage:" in result.stdout, command
            assert "--app" not in result.stdout

    def test_list_as_json(self, service: Service) -> None:
        result = run_cli(service.environment, "plugins", "list", "--json")
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        enabled = {row["name"] for row in rows if row["enabled"]}
        assert enabled >= {"html_preview::HTMLPreview", "pdf_thumbnail::PDFThumbnail"}


class TestAddFile:
    """One file: its full file id, its task ids and where its proxies are, in text and JSON."""

    def test_add_file_and_wait(self, service: Service, tmp_path: Path) -> None:
        path = service.sources / f"cli-{tmp_path.name}.png"
        Image.new("RGB", (900, 600), "purple").save(path)
        file_id = file_identity(hashlib.sha256(path.read_bytes()).hexdigest(), str(path.resolve()))
        result = run_cli(service.environment, "add-file", str(path), "--wait", "--timeout", "60", "--json")
        assert result.returncode == 0, result.stderr
        added = json.loads(result.stdout)
        assert (added["path"], added["file_id"], added["proxies_url"]) == (str(path), file_id, f"/proxies/{file_id}")
        [task] = added["tasks"]
        assert task["status"] == "succeeded" and task["plugin"] == "image_thumbnail::ImageThumbnail"
        assert task["status_url"] == f"/status/{task['task_id']}"
        listing = service.client.get(added["proxies_url"])
        assert listing.status_code == 200 and listing.get_json()["proxies"][0]["typeidentifier"] == "thumbnail"

        again = run_cli(service.environment, "add-file", str(path))
        assert again.returncode == 0, again.stderr
        assert again.stdout.splitlines() == [
            f"path: {path}",
            f"file_id: {file_id}",
            f"proxies_url: /proxies/{file_id}",
            f"task: {task['task_id']}  image_thumbnail::ImageThumbnail  succeeded  unchanged",
        ]

        status = run_cli(service.environment, "status", task["task_id"])
        assert status.returncode == 0, status.stderr
        assert "status: succeeded" in status.stdout.splitlines()
        assert f"proxies_url: /proxies/{file_id}" in status.stdout.splitlines()

    def test_a_reused_task_shows_its_warnings(self, service: Service, tmp_path: Path) -> None:
        """The same file again: the earlier task is reused, and what it warned of is said again."""
        page = service.sources / f"warns-{tmp_path.name}.html"
        page.write_text(f'<h1>Warns {tmp_path.name}</h1><img src="missing-{tmp_path.name}.png">')
        first = run_cli(service.environment, "add-file", str(page), "--wait", "--json")
        [warned] = json.loads(first.stdout)["tasks"]
        assert warned["status"] == "succeeded" and warned["warnings"], "the image it refers to is missing"
        again = run_cli(service.environment, "add-file", str(page), "--json")
        [reused] = json.loads(again.stdout)["tasks"]
        assert reused["reused"] and reused["warnings"] == warned["warnings"]

    def test_sizes_and_a_callback_as_post_ingest_takes_them(self, tmp_path: Path) -> None:
        """The command line hands the file to the same intake as the API: each size a task, each called back."""
        receiver = Receiver()
        try:
            with running_service(tmp_path, concurrency=1, WEBHOOK_ALLOWED_HOSTS=receiver.host,
                                 WEBHOOK_SECRET="w" * 40) as (service, _):
                path = service.sources / "sizes.png"
                Image.new("RGB", (1600, 1200), "olive").save(path)
                result = run_cli(service.environment, "add-file", str(path), "--sizes", "thumbnail,large",
                                 "--callback-url", receiver.url, "--wait", "--timeout", "60", "--json")
                assert result.returncode == 0, result.stderr
                added = json.loads(result.stdout)
                assert [task["status"] for task in added["tasks"]] == ["succeeded", "succeeded"]
                listing = service.client.get(added["proxies_url"]).get_json()["proxies"]
                boxes = {proxy["typeidentifier"]: (proxy["width"], proxy["height"]) for proxy in listing}
                assert boxes == {"thumbnail@thumbnail": (200, 150), "thumbnail@large": (1024, 768)}
                wait_until(lambda: len(receiver.received) >= 2, 30, "both callbacks")
        finally:
            receiver.server.shutdown()
        called = sorted(json.loads(body)["task_id"] for _, body in receiver.received)
        assert called == sorted(task["task_id"] for task in added["tasks"])

    def test_bad_input_is_a_one_line_error(self, service: Service) -> None:
        result = run_cli(service.environment, "add-file", "/etc/hostname")
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.splitlines() == [
            "Error: path: '/etc/hostname' is outside the allowed source folders (SOURCE_ROOTS here is "
            f"{service.environment['SOURCE_ROOTS']}; it must name the same folders as where the service and its "
            "workers run, which read the file by its path)"]
        missing = run_cli(service.environment, "add-file", "/no/such/file")
        assert missing.returncode == 2 and "does not exist" in missing.stderr
        unhandled = service.sources / "unhandled.bin"
        unhandled.write_bytes(bytes(range(256)) * 4)
        refused = run_cli(service.environment, "add-file", str(unhandled))
        assert refused.returncode == 1
        [line] = refused.stderr.strip().splitlines()
        assert re.fullmatch(r"Error: no enabled plugin makes proxies of \S+ files \(\.bin\)", line), line

    def test_a_task_that_fails_exits_1_and_says_why(self, service: Service, tmp_path: Path) -> None:
        broken = service.sources / f"broken-{tmp_path.name}.png"
        broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 20 + tmp_path.name.encode())
        result = run_cli(service.environment, "add-file", str(broken), "--wait", "--timeout", "60")
        assert result.returncode == 1, result.stdout + result.stderr
        [task_line] = [line for line in result.stdout.splitlines() if line.startswith("task: ")]
        assert "  failed  " in task_line and "not a readable image" in task_line
        task_id = task_line.split()[1]

        status = run_cli(service.environment, "status", task_id)
        assert status.returncode == 1, status.stdout + status.stderr
        assert "status: failed" in status.stdout.splitlines()
        assert any(line.startswith("error: ") and "not a readable image" in line for line in status.stdout.splitlines())
        assert json.loads(run_cli(service.environment, "status", task_id, "--json").stdout)["status"] == "failed"

    def test_waiting_past_the_timeout_exits_3(self, service: Service, tmp_path: Path) -> None:
        page = service.sources / f"slow-{tmp_path.name}.html"
        page.write_text(f"<html><body><h1>{tmp_path.name}</h1></body></html>")
        result = run_cli(service.environment, "add-file", str(page), "--wait", "--timeout", "0", "--json")
        assert result.returncode == 3, result.stdout + result.stderr
        [task] = json.loads(result.stdout)["tasks"]
        assert task["status"] in ("queued", "in_progress")


class TestShow:
    """One file as the service knows it: by its path or its id, in text and JSON."""

    def test_by_path_and_by_id(self, service: Service, tmp_path: Path) -> None:
        path = service.sources / f"show-{tmp_path.name}.png"
        Image.new("RGB", (640, 480), "teal").save(path)
        added = run_cli(service.environment, "add-file", str(path), "--wait", "--timeout", "60", "--json")
        assert added.returncode == 0, added.stderr
        file_id = json.loads(added.stdout)["file_id"]

        shown = run_cli(service.environment, "show", str(path))
        assert shown.returncode == 0, shown.stderr
        lines = shown.stdout.splitlines()
        assert lines[:4] == [f"file_id: {file_id}", f"name: {path.name}", "mimetype: image/png", "metadata:"]
        assert "  image_thumbnail:" in lines and "    width: 640" in lines and "    height: 480" in lines
        assert f"    sha256: {hashlib.sha256(path.read_bytes()).hexdigest()}" in lines
        assert any(line.startswith("  thumbnail  image/") for line in lines), lines
        assert any(line.endswith("image_thumbnail::ImageThumbnail  succeeded") for line in lines)

        by_id = json.loads(run_cli(service.environment, "show", file_id, "--json").stdout)
        assert by_id["file_id"] == file_id and by_id["metadata"]["image_thumbnail"]["format"] == "PNG"
        assert by_id["metadata"]["file"]["size"] == path.stat().st_size
        assert [proxy["typeidentifier"] for proxy in by_id["proxies"]] == ["thumbnail"]

    def test_a_file_it_does_not_know(self, service: Service, tmp_path: Path) -> None:
        unknown = tmp_path / "never-ingested.txt"
        unknown.write_text("nobody sent me")
        for argument in (str(unknown), "0" * 64):
            result = run_cli(service.environment, "show", argument)
            assert result.returncode == 1 and result.stderr == (
                f"Error: the service knows nothing of {argument} (neither ingested nor uploaded)\n")


class TestStatus:
    """``status`` exits by the task's state: 0 succeeded, 1 failed, 3 not finished, 1 no such task."""

    def test_a_task_still_rendering_exits_3(self, service: Service, tmp_path: Path) -> None:
        records = TaskRecords(Path(service.environment["DATA_DIR"]) / "tasks.sqlite3")
        task_id = f"rendering-{tmp_path.name}"
        now = datetime.now(timezone.utc)
        records.put(TaskRecord(task_id, "0" * 64, "html_preview::HTMLPreview", TaskState.IN_PROGRESS, now, started=now))
        records.close()
        result = run_cli(service.environment, "status", task_id)
        assert result.returncode == 3, result.stdout + result.stderr
        assert "status: in_progress" in result.stdout.splitlines()

    def test_no_such_task(self, service: Service) -> None:
        unknown = run_cli(service.environment, "status", "no-such-task")
        assert unknown.returncode == 1 and unknown.stderr.strip() == "Error: no task 'no-such-task'"


class TestIngestTree:
    """A folder of mixed real files."""

    def test_every_file_gets_its_proxy_and_the_summary_is_true(self, service: Service, tree: Path) -> None:
        result = run_cli(service.environment, "ingest", str(tree), "--wait", "--timeout", "60", "--json")
        summary = json.loads(result.stdout)
        assert result.returncode == 1, "one file fails"
        assert result.stderr.splitlines() == ["Submitting", "Rendering"], "a bar for each phase"
        # Every file but the unhandled one and the broken one; two have the same bytes
        # (drawing.png and no-extension), which share one task.
        handled = len(list((tree / "mixed").iterdir())) - 2
        assert summary["unsupported"] == 1 and summary["files"]["unsupported"][0].endswith("archive.bin")
        assert list(summary["failed"]) == [str(tree / "mixed" / "broken.png")]
        assert "not a readable image" in summary["failed"][str(tree / "mixed" / "broken.png")]
        assert summary["submitted"] + summary["unchanged"] == handled + 1  # the broken file was submitted too
        rendering = summary["rendering"]
        assert rendering["failed"] == 1 and rendering["unfinished"] == 0 and summary["unfinished"] == []
        assert rendering["succeeded"] == rendering["tasks"] - 1
        for path in summary["files"]["submitted"]:
            if not path.endswith("broken.png"):
                accepted = service.client.post("/ingest", json={"path": path})
                assert accepted.status_code == 303, (path, accepted.get_json())

        again = json.loads(run_cli(service.environment, "ingest", str(tree), "--json").stdout)
        assert again["unchanged"] == handled, "nothing unchanged is rendered again"
        assert again["submitted"] == 1  # the broken file is tried again

    def test_in_a_terminal_a_second_bar_follows_the_rendering(self, service: Service, tree: Path) -> None:
        code, stdout, shown = run_cli_in_a_terminal(service.environment, "ingest", str(tree / "mixed"), "--force",
                                                    "--include", "*.png,*.pdf,*.txt", "--wait", "--timeout", "60")
        assert code == 1, stdout + shown
        assert "Submitting" in shown and "Rendering" in shown
        counts = re.findall(r"Rendering .*?(\d+)/(\d+)\s+(?:[\d:]+\s+)?(\d+) failed", shown)
        assert counts, shown
        done, total, failed = counts[-1]
        assert done == total and failed == "1", "the bar ends at every task, the broken one counted as failed"
        lines = stdout.splitlines()
        assert lines[0] == "Done."
        assert f"  rendered:              {int(total) - 1} of {total} tasks (1 failed, 0 not finished)" in lines
        assert "  failed:                1" in lines
        assert any(line.startswith(f"    {tree / 'mixed' / 'broken.png'}: ") for line in lines)

    def test_a_folder_outside_the_roots_is_one_line_before_walking(self, service: Service) -> None:
        started = time.monotonic()
        result = run_cli(service.environment, "ingest", "/etc")
        assert result.returncode == 1 and result.stdout == ""
        roots = service.environment["SOURCE_ROOTS"]
        assert result.stderr.splitlines() == [
            f"Error: /etc is outside SOURCE_ROOTS: nothing was ingested; name a folder under them, "
            f"or add it to SOURCE_ROOTS (SOURCE_ROOTS here is {roots}; it must name the same folders as "
            "where the service and its workers run, which read the file by its path)"]
        assert time.monotonic() - started < 30

    def test_a_full_queue_is_waited_for_and_ctrl_c_stops_with_the_summary(self, service: Service, tree: Path) -> None:
        command = [str(Path(sys.executable).parent / "proxyservice"), "ingest", str(tree), "--include", "*.png"]
        environment = {**os.environ, **service.environment, "MAX_QUEUE_LENGTH": "0"}
        with subprocess.Popen(command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) as process:
            assert process.stderr is not None and process.stdout is not None
            told = ""
            while "waiting for room" not in told:
                told = process.stderr.readline()
                assert told, "the command ended without saying it waits"
            assert told.strip() == ("0 tasks are waiting, more than the service takes (MAX_QUEUE_LENGTH); "
                                    "waiting for room (Ctrl-C stops, nothing submitted is lost)")
            process.send_signal(signal.SIGINT)
            stdout = process.stdout.read()
            assert process.wait(timeout=30) == 130
        assert stdout.splitlines()[:2] == [
            "Interrupted: what was submitted stays submitted; run the same command again to go on.",
            "  submitted:             0"]

    def test_include_and_exclude(self, service: Service, tree: Path) -> None:
        result = run_cli(service.environment, "ingest", str(tree), "--include", "*.png,*.pdf",
                         "--exclude", "broken*", "--json")
        summary = json.loads(result.stdout)
        assert result.returncode == 0, result.stderr
        names = sorted(Path(p).name for p in summary["files"]["submitted"] + summary["files"]["unchanged"])
        assert names == ["drawing.png", "report.pdf", "transparent.png"]

    def test_a_human_summary(self, service: Service, tree: Path) -> None:
        result = run_cli(service.environment, "ingest", str(tree), "--include", "*.txt", "--wait", "--timeout", "60")
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0] == "Done." and "  failed:                0" in lines
        assert any(line.startswith("  skipped as unchanged:  ") for line in lines)
        assert any(re.fullmatch(r"  rendered:              (\d+) of \1 tasks \(0 failed, 0 not finished\)", line)
                   for line in lines), lines


@pytest.fixture(scope="module")
def docs_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A service of its own (SOURCE_ROOTS with /usr/share/doc): the session's must render its pages first itself."""
    with running_service(tmp_path_factory.mktemp("docs"), concurrency=1) as (service, _):
        yield service


def service_preview(service: Service, page: Path) -> Image.Image:
    """The preview the service makes of a page by path, through its worker."""
    accepted = service.client.post("/ingest", json={"path": str(page)})
    assert accepted.status_code in (202, 303), accepted.get_json()
    if accepted.status_code == 202:
        assert service.follow(accepted.headers["Location"]).status_code == 303
    preview = service.client.get(f"/proxies/{accepted.get_json()['file_id']}/preview")
    assert preview.status_code == 200 and preview.mimetype == "image/png"
    return assert_not_blank(preview.data)


def checked_preview(environment: dict[str, str], page: Path) -> tuple[list[str], Image.Image]:
    """``plugins check`` of the HTML plugin on a page, run inline: its lines and the proxy it kept."""
    result = run_cli(environment, "plugins", "check", "html_preview::HTMLPreview", str(page), "--inline",
                     "--keep-proxies")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    [kept] = [Path(line.removeprefix("kept: ")) for line in lines if line.startswith("kept: ")]
    try:
        with Image.open(kept) as image:
            image.load()
            return lines, image
    finally:
        shutil.rmtree(kept.parent.parent)


class TestPluginsCheckDrawsWhatTheServiceDraws:
    """``plugins check`` renders a page with the service's roots and settings, through the same sandboxed view."""

    def test_a_sphinx_page_is_styled_as_the_service_draws_it(self, docs_service: Service) -> None:
        assert SPHINX_PAGE.is_file(), f"{SPHINX_PAGE} is missing: run config/install.sh"
        served = service_preview(docs_service, SPHINX_PAGE)
        lines, checked = checked_preview(docs_service.environment, SPHINX_PAGE)
        assert not any("outside SOURCE_ROOTS" in line for line in lines), lines
        assert "✔ proxy 'preview': 400x300 image/png" in "\n".join(lines)
        assert checked.size == served.size
        assert mean_difference(checked, served) < 2.0, "the check draws what the service draws"

    def test_a_file_outside_the_roots_still_checks_in_its_own_folder(self, docs_service: Service) -> None:
        served = service_preview(docs_service, SPHINX_PAGE)
        elsewhere = {**docs_service.environment, "SOURCE_ROOTS": str(docs_service.sources)}
        lines, checked = checked_preview(elsewhere, SPHINX_PAGE)
        said = [line for line in lines if "outside SOURCE_ROOTS" in line]
        assert said == [f"❗ {SPHINX_PAGE} is outside SOURCE_ROOTS, so the service would not read it by path: "
                        f"checked with its own folder {SPHINX_PAGE.parent} as the root"]
        assert checked.size == served.size
        # Its folder holds no stylesheet: drawn unstyled, and so unlike the service's preview.
        assert mean_difference(checked, served) > 10.0
