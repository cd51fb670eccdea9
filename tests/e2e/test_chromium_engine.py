"""The modern engine through a real worker: Chromium draws what wkhtmltoimage cannot, and never outlives its worker."""

import os
import signal
import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from tests.e2e.conftest import Service, running_service
from tests.support import wait_until

CHROMIUM = "/usr/lib/chromium/chromium"
BOTH_ENGINES = "html_preview::HTMLPreview,html_chromium::ChromiumPreview"
GRID_PAGE = """<!DOCTYPE html><html><head><style>
body { margin: 0; display: grid; grid-template-columns: 1fr 1fr; height: 100vh; }
.left { background: rgb(200, 30, 30); } .right { background: rgb(30, 60, 200); }
</style></head><body><div class="left">left</div><div class="right">right</div></body></html>"""
"""Two columns side by side in CSS grid: QtWebKit of 2012 knows no grid, and stacks them."""

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed (config/install.sh)")


def preview(service: Service, path: Path, plugins: list[str] | None = None,
            typeidentifier: str = "preview") -> tuple[str, Image.Image]:
    """The plugin that made the page's preview (or another proxy), and the picture, once its task succeeded."""
    body = {"path": str(path), **({"plugins": plugins} if plugins else {})}
    accepted = service.client.post("/ingest", json=body)
    assert accepted.status_code in (202, 303), accepted.get_json()
    for task in accepted.get_json()["tasks"]:
        finished = service.follow(task["status_url"], timeout=120)
        assert finished.status_code == 303, finished.get_json()
    file_id = accepted.get_json()["file_id"]
    [listed] = [p for p in service.client.get(f"/proxies/{file_id}").get_json()["proxies"]
                if p["typeidentifier"] == typeidentifier]
    picture = service.client.get(listed["url"])
    assert picture.status_code == 200
    return listed["plugin"], Image.open(BytesIO(picture.data)).convert("RGB")


def chromium_owners() -> set[int]:
    """The processes (worker children) whose Chromium runs now: the parent of each Playwright driver."""
    owners = set()
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            if command[0] == CHROMIUM.encode() and not any(part.startswith(b"--type=") for part in command):
                owners.add(pid_owning(int(pid)))
        except (OSError, ValueError):
            continue
    return owners


def pid_parent(pid: int) -> int | None:
    """The parent of process ``pid``; ``None`` once it has ended."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def pid_owning(pid: int) -> int:
    """The Python process above Chromium's chain (bubblewrap, the Playwright driver, which is node)."""
    while pid > 1:
        pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        if os.path.basename(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]).startswith(b"python"):
            return pid
    raise ValueError("no Python process above it")


class TestTheModernEngine:
    """Both engines enabled: HTML_ENGINE's draws the preview, and a client names the other to have it draw too."""

    def test_a_grid_page_is_drawn_as_a_browser_shows_it(self, tmp_path: Path) -> None:
        with running_service(tmp_path, concurrency=1, ENABLED_PLUGINS=BOTH_ENGINES) as (service, _):
            page = service.sources / "grid.html"
            page.write_text(GRID_PAGE)
            plugin, old = preview(service, page)
            assert plugin == "html_preview"
            assert old.getpixel((300, 40)) == old.getpixel((100, 40)), "wkhtmltoimage stacks the grid's columns"

            plugin, new = preview(service, page, ["html_chromium::ChromiumPreview"], "preview-chromium")
            assert plugin == "html_chromium" and new.size == (400, 300)
            left, right = new.getpixel((100, 150)), new.getpixel((300, 150))
            assert left[0] > 150 > left[2] and right[2] > 150 > right[0], (left, right)
            assert preview(service, page)[1].tobytes() == old.tobytes(), "the default preview is as it was"

    def test_enabling_the_other_engine_changes_nothing_already_drawn(self, tmp_path: Path) -> None:
        """A folder drawn, then the other engine enabled: ingesting it again submits nothing."""
        with running_service(tmp_path, concurrency=1) as (service, _):
            pages = [service.sources / f"page-{n}.html" for n in range(3)]
            for page in pages:
                page.write_text(f"<h1>Page {page.name}</h1>")
                assert preview(service, page)[0] == "html_preview"
        # The same folders (DATA_DIR, the sources) under the same root, with both engines now.
        with running_service(tmp_path, concurrency=1, ENABLED_PLUGINS=BOTH_ENGINES) as (again, _):
            for page in pages:
                answer = again.client.post("/ingest", json={"path": str(page)})
                assert answer.status_code == 303, answer.get_json()
                assert [task["plugin"] for task in answer.get_json()["tasks"]] == ["html_preview::HTMLPreview"]

    def test_chromium_as_the_engine_draws_the_preview(self, tmp_path: Path) -> None:
        with running_service(tmp_path, concurrency=1, HTML_ENGINE="chromium") as (service, _):
            page = service.sources / "grid.html"
            page.write_text(GRID_PAGE)
            plugin, picture = preview(service, page)
            assert plugin == "html_chromium" and picture.getpixel((100, 150))[0] > 150
            plugins = service.client.get("/plugins").get_json()
            assert plugins["html_engine"] == "chromium"
            assert "html_chromium::ChromiumPreview" in {plugin["name"] for plugin in plugins["plugins"]}


class TestChromiumLivesWithItsWorker:
    """Each worker child keeps one Chromium, which never outlives it."""

    def test_a_killed_worker_child_takes_its_chromium_and_the_next_child_starts_another(self, tmp_path: Path) -> None:
        with running_service(tmp_path, concurrency=1, HTML_ENGINE="chromium") as (service, _):
            before = chromium_owners()

            def draw(name: str) -> None:
                page = service.sources / name
                page.write_text(f"<h1>{name}</h1>" + GRID_PAGE)
                assert preview(service, page)[0] == "html_chromium"

            draw("one.html")
            [child] = chromium_owners() - before
            draw("two.html")
            assert chromium_owners() - before == {child}, "the same Chromium draws the next page"

            os.kill(child, signal.SIGKILL)
            wait_until(lambda: child not in chromium_owners(), 30, "its Chromium to end with it")
            draw("three.html")
            [replacement] = chromium_owners() - before
            assert replacement != child
        wait_until(lambda: not chromium_owners() - before, 30, "no Chromium to outlive the stopped worker")
        drivers = subprocess.run(["pgrep", "-f", "playwright/driver"], capture_output=True, text=True).stdout.split()
        # This test process's own driver (an earlier test drew in-process) is no worker's.
        left = [pid for pid in drivers if pid_parent(int(pid)) != os.getpid()]
        assert left == [], f"a Playwright driver outlived its worker: {left}"
