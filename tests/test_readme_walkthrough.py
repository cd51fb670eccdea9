"""The "Writing a plugin" walk-through of docs/plugins.md, followed as a reader would.

The plugin's code is taken from docs/plugins.md itself, so the walk-through cannot
drift from what works.
"""

import json
import re
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from tests.e2e.conftest import Service, run_cli, running_service
from tests.support import ROOT, assert_not_blank

NAME = "netpbm_thumbnail::NetpbmThumbnail"


def walkthrough_code() -> str:
    page = (ROOT / "docs" / "plugins.md").read_text()
    found = re.search(r"<!-- walkthrough-plugin -->\n```python\n(.*?)```", page, re.DOTALL)
    assert found, "docs/plugins.md has no walk-through plugin block"
    return found.group(1)


@pytest.fixture(scope="module")
def own_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    with running_service(tmp_path_factory.mktemp("walkthrough"), concurrency=1) as (service, _):
        yield service


def scan(folder: Path, name: str, colour: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (640, 480), colour)
    image.paste("white", (100, 100, 300, 300))
    image.save(folder / name)
    return folder / name


def test_template_check_enable_list_and_ingest(own_service: Service) -> None:
    environment = own_service.environment
    available = Path(environment["DATA_DIR"]) / "plugins" / "available"
    available.mkdir(parents=True)
    plugin_file = available / "netpbm_thumbnail.py"
    plugin_file.write_text(walkthrough_code())
    sample = scan(own_service.sources / "scans", "scan.ppm", "teal")

    # 2. Check it, running the async job here.
    checked = run_cli(environment, "plugins", "check", f"{plugin_file}::NetpbmThumbnail", str(sample), "--inline")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "❌" not in checked.stdout
    assert "✔ proxy 'thumbnail': 400x300 image/png" in checked.stdout
    assert f"❗ {NAME} is installed but not enabled" in checked.stdout

    # 3. Enable it, and see it listed.
    enabled = run_cli(environment, "plugins", "enable", NAME)
    assert enabled.returncode == 0 and enabled.stdout.strip() == f"{NAME} enabled"
    rows = {row["name"]: row for row in json.loads(run_cli(environment, "plugins", "list", "--json").stdout)}
    assert rows[NAME]["enabled"] is True and rows[NAME]["origin"] == str(plugin_file)
    assert rows["html_preview::HTMLPreview"]["enabled"] is True, "enabling one plugin keeps the built-ins"

    # 4. Ingest with it: one file, a tree, and over HTTP.
    added = run_cli(environment, "add-file", str(sample), "--wait", "--timeout", "60", "--json")
    assert added.returncode == 0, added.stderr
    [task] = json.loads(added.stdout)["tasks"]
    assert (task["plugin"], task["status"]) == (NAME, "succeeded")

    scan(own_service.sources / "scans", "second.ppm", "orange")
    tree = run_cli(environment, "ingest", str(own_service.sources / "scans"), "--include", "*.ppm",
                   "--wait", "--timeout", "60", "--json")
    summary = json.loads(tree.stdout)
    assert tree.returncode == 0, tree.stderr
    assert (summary["submitted"], summary["unchanged"], summary["failed"]) == (1, 1, {})

    upload = scan(own_service.sources / "uploads", "upload.ppm", "navy")
    accepted = own_service.client.post("/ingest", data={"file": (upload.open("rb"), "upload.ppm")},
                                       content_type="multipart/form-data")
    assert accepted.status_code == 202
    assert accepted.get_json()["tasks"][0]["plugin"] == NAME
    assert own_service.follow(accepted.headers["Location"]).status_code == 303
    proxy = own_service.client.get(f"/proxies/{accepted.get_json()['file_id']}/thumbnail")
    assert proxy.mimetype == "image/png" and assert_not_blank(proxy.data).size == (400, 300)

    # 5. A broken file fails with the plugin's own words (its InputInvalid), not retried.
    (own_service.sources / "scans" / "broken.ppm").write_bytes(b"\0\xff" * 1000)  # as the page says
    broken = run_cli(environment, "add-file", str(own_service.sources / "scans" / "broken.ppm"),
                     "--wait", "--timeout", "60", "--json")
    assert broken.stdout, broken.stderr
    [task] = json.loads(broken.stdout)["tasks"]
    assert (task["plugin"], task["status"], task["error"]) == (
        NAME, "failed", "not a Netpbm image: it does not begin with P1 to P6"), broken.stdout

    # And it can be disabled again.
    assert run_cli(environment, "plugins", "disable", NAME).returncode == 0
    again = own_service.client.post("/ingest", data={"file": (upload.open("rb"), "again.ppm")},
                                    content_type="multipart/form-data")
    assert again.status_code == 415
