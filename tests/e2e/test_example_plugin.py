"""The example third-party plugin (examples/csv_table), as its author and a user would take it.

Its wheel is built from its own pyproject.toml, installed into a folder of its
own (put on PYTHONPATH, as a site's packages are) rather than into the
service's environment, enabled by name, and used through a real worker: the
service finds it by its entry point, as it finds the built-ins.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Service, run_cli, running_service
from tests.support import ROOT, assert_not_blank

NAME = "csv_table::CSVTable"
COLUMNS = "csv_columns::CSVColumns"
TABLE = (b"name,country,population,area km2\n"
         b"Paris,France,2102650,105.4\n"
         b"Lyon,France,522250,47.87\n"
         b'"Saint-\xc3\x89tienne",France,"172,565",79.97\n')
RAGGED = b"name,country,population\nParis,France,2102650\nLyon,France\n"


def pip(*arguments: str) -> None:
    done = subprocess.run([sys.executable, "-m", "pip", "--quiet", *arguments], capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example built into its wheel (pip gets setuptools from the configured index) and installed in a folder."""
    work = tmp_path_factory.mktemp("example")
    shutil.copytree(ROOT / "examples" / "csv_table", work / "csv_table")  # the build writes beside its sources
    pip("wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(work / "csv_table"))
    [wheel] = (work / "dist").glob("proxyservice_csv_table-1.1.0-*.whl")
    pip("install", "--no-deps", "--target", str(work / "site"), str(wheel))
    return work / "site"


def ingest(service: Service, name: str, data: bytes) -> tuple[str, Any]:
    """Upload a file and follow the example plugin's task to its end: the file's id, and the task's last answer."""
    path = service.sources / name
    path.write_bytes(data)
    accepted = service.client.post("/ingest", data={"file": (path.open("rb"), name)},
                                   content_type="multipart/form-data")
    assert accepted.status_code == 202, accepted.get_json()
    [task] = [task for task in accepted.get_json()["tasks"] if task["plugin"] == NAME]
    return accepted.get_json()["file_id"], service.follow(f"/status/{task['task_id']}", timeout=60)


def test_built_installed_enabled_and_used_through_a_worker(site: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(site))  # the web app, in this process, has it installed too
    path = os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))
    with running_service(tmp_path, concurrency=1, PYTHONPATH=path) as (service, _):
        environment = service.environment
        # Installed: listed with its distribution, and not enabled until asked.
        rows = {row["name"]: row for row in json.loads(run_cli(environment, "plugins", "list", "--json").stdout)}
        assert rows[NAME]["origin"] == "entry point (proxyservice-csv-table)"
        assert (rows[NAME]["enabled"], rows[NAME]["error"]) == (False, None)
        for name in (NAME, COLUMNS):
            enabled = run_cli(environment, "plugins", "enable", name)
            assert enabled.returncode == 0, enabled.stderr
        listed = service.client.get("/plugins").get_json()
        assert {"name": NAME, "api_version": "1.1"}.items() <= next(
            plugin for plugin in listed["plugins"] if plugin["name"] == NAME).items()

        # A table: its proxy shows the rows, at the requested size.
        file_id, done = ingest(service, "cities.csv", TABLE)
        assert done.status_code == 303, done.get_json()  # succeeded: see its proxies
        proxy = service.client.get(f"/proxies/{file_id}/table")
        assert proxy.status_code == 200 and proxy.mimetype == "image/png"
        assert assert_not_blank(proxy.data).size == (400, 300)
        # Its metadata plugin read the columns at ingest, as its schema declares them.
        fields = service.client.get(f"/files/{file_id}").get_json()["metadata"]["csv_columns"]
        assert fields == {"columns": 4, "header": ["name", "country", "population", "area km2"]}

        # A file that is no table fails with the plugin's own words (its InputInvalid), and is not retried.
        _, failed = ingest(service, "ragged.csv", RAGGED)
        assert (failed.status_code, failed.get_json()["status"], failed.get_json()["error"]) == (
            200, "failed", "not a CSV table: line 3 has 2 fields, and the first line has 3"), failed.get_json()
