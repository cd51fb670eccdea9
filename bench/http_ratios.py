"""The HTTP layer measured side by side: ``.venv/bin/python bench/http_ratios.py [ROUNDS]`` (``make bench`` runs it).

Everything runs on this machine, in one run, so each figure is a ratio of two
things measured in turn under the same load from the rest of the machine:

- each API route against a hello-world Flask app (``bench/hello_app.py``)
  under the same uWSGI command and configuration (the Dockerfile's, nginx in
  front): requests per second and p99 latency under ``wrk`` at 16 connections;
- the least a status read can do (``bench/floor_app.py``: Flask, the one
  indexed read, JSON) against the same hello-world app: the limit of a route
  that reads one record on this machine;
- a proxy's download on kept-alive connections against new connections
  (median latency, one connection at a time);
- the re-ingest of unchanged files against their first ingest (which renders),
  each of 40 pages from 8 clients at once, until every page is answered
  (re-ingest) or rendered (first ingest).

The service is real: a private Redis, a Celery worker, the web app under
uWSGI. Each round takes A and B in turn; the table gives the minimum, median
and maximum of each ratio over the rounds.
"""

import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import NamedTuple

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proxyservice.config import Settings  # noqa: E402
from tests.conftest import bearer  # noqa: E402
from tests.e2e.conftest import running_service  # noqa: E402
from tests.e2e.served import running_uwsgi  # noqa: E402
from tests.support import wait_until  # noqa: E402

SECONDS = 5
CONNECTIONS = 16
CLIENTS = 8
"""Clients at once for the first ingest and the re-ingest of the same pages."""
PAGES = 40
DOCS = Path("/usr/share/doc/python3.11/html/library")


class Load(NamedTuple):
    """What wrk measured."""

    per_second: float
    median_ms: float
    p99_ms: float


def wrk(url: str, *headers: str, script: Path | None = None, connections: int = CONNECTIONS) -> Load:
    """Load ``url`` with wrk for :data:`SECONDS`; its requests per second and latencies."""
    command = ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{SECONDS}s", "--latency"]
    for header in headers:
        command += ["-H", header]
    if script is not None:
        command += ["-s", str(script)]
    said = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in said:
        raise SystemExit(f"wrk met errors on {url}:\n{said}")

    def percentile(which: int) -> float:
        found = re.search(rf"^\s+{which}%\s+([\d.]+)(us|ms|s)\s*$", said, re.MULTILINE)
        if found is None:
            raise SystemExit(f"no {which}th percentile in wrk's output:\n{said}")
        value, unit = float(found.group(1)), found.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    per_second = re.search(r"Requests/sec:\s+([\d.]+)", said)
    assert per_second is not None, said
    return Load(float(per_second.group(1)), percentile(50), percentile(99))


def post_script(folder: Path, body: dict[str, object]) -> Path:
    script = folder / f"post-{len(list(folder.glob('post-*')))}.lua"
    script.write_text(f'wrk.method = "POST"\nwrk.body = {json.dumps(json.dumps(body))}\n'
                      'wrk.headers["Content-Type"] = "application/json"\n')
    return script


def ingest_all(url: str, token: str, pages: list[Path]) -> float:
    """Seconds to ingest ``pages`` by path from :data:`CLIENTS` clients at once, and see every task finished."""
    client = requests.Session()
    client.headers["Authorization"] = token
    client.mount("http://", requests.adapters.HTTPAdapter(pool_connections=CLIENTS, pool_maxsize=CLIENTS))

    def ingest(page: Path) -> list[str]:
        answer = client.post(f"{url}/ingest", json={"path": str(page)}, allow_redirects=False, timeout=30)
        assert answer.status_code in (202, 303), answer.text
        return [task["status_url"] for task in answer.json()["tasks"]] if answer.status_code == 202 else []

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as clients:
        statuses = [status for found in clients.map(ingest, pages) for status in found]
    for status in statuses:
        wait_until(lambda: client.get(f"{url}{status}", allow_redirects=False, timeout=30).status_code == 303,
                   120, status)
    return time.monotonic() - started


def spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory(prefix="proxyservice-bench-") as folder:
        measure(Path(folder), rounds)


def measure(work: Path, rounds: int) -> None:
    rows: dict[str, list[float]] = {}
    figures: dict[str, list[str]] = {}

    def note(name: str, ratio: float, figure: str) -> None:
        rows.setdefault(name, []).append(ratio)
        figures.setdefault(name, []).append(figure)

    with running_service(work / "service") as (service, _), \
            running_uwsgi(service, work / "uwsgi.log") as url, \
            running_uwsgi(service, work / "hello.log", "bench.hello_app:application", "/") as hello, \
            running_uwsgi(service, work / "floor.log", "bench.floor_app:application", "/") as floor:
        token = bearer(Settings.from_environ(service.environment))
        auth = f"Authorization: {token}"
        page = service.sources / "page.html"
        page.write_text("<!DOCTYPE html><html><body><h1>A page</h1><p>Its text.</p></body></html>")
        ingest_all(url, token, [page])
        first = requests.post(f"{url}/ingest", json={"path": str(page)}, headers={"Authorization": token},
                              allow_redirects=False, timeout=30).json()
        task_url, file_id = f"{url}{first['tasks'][0]['status_url']}", first["file_id"]
        ingest, hello_post = post_script(work, {"path": str(page)}), post_script(work, {})
        download = f"{url}/proxies/{file_id}/preview"
        for round_ in range(rounds):
            base_get, status = wrk(f"{hello}/"), wrk(task_url, auth)
            note("GET /status/<id> vs hello-world GET: requests/s", status.per_second / base_get.per_second,
                 f"{status.per_second:.0f} vs {base_get.per_second:.0f}")
            note("GET /status/<id> vs hello-world GET: p99 (lower is better)", status.p99_ms / base_get.p99_ms,
                 f"{status.p99_ms:.1f} vs {base_get.p99_ms:.1f} ms")
            least = wrk(f"{floor}{first['tasks'][0]['status_url']}")
            note("one indexed read (floor app) vs hello-world GET: requests/s", least.per_second / base_get.per_second,
                 f"{least.per_second:.0f} vs {base_get.per_second:.0f}")
            note("GET /status/<id> vs one indexed read (floor app): requests/s", status.per_second / least.per_second,
                 f"{status.per_second:.0f} vs {least.per_second:.0f}")
            base_post, posted = wrk(f"{hello}/", script=hello_post), wrk(f"{url}/ingest", auth, script=ingest)
            note("POST /ingest (unchanged) vs hello-world POST: requests/s", posted.per_second / base_post.per_second,
                 f"{posted.per_second:.0f} vs {base_post.per_second:.0f}")
            note("POST /ingest (unchanged) vs hello-world POST: p99 (lower is better)",
                 posted.p99_ms / base_post.p99_ms, f"{posted.p99_ms:.1f} vs {base_post.p99_ms:.1f} ms")
            kept, new = wrk(download, auth, connections=1), wrk(download, auth, "Connection: close", connections=1)
            note("proxy download, kept-alive vs new connection: median latency", kept.median_ms / new.median_ms,
                 f"{kept.median_ms:.2f} vs {new.median_ms:.2f} ms")
            pages = []
            for index in range(PAGES):
                fresh = service.sources / f"round{round_}-{index}.html"
                fresh.write_text(f"<!DOCTYPE html><html><body><h1>Page {index} of round {round_}</h1></body></html>")
                pages.append(fresh)
            rendered, again = ingest_all(url, token, pages), ingest_all(url, token, pages)
            note(f"re-ingest of {PAGES} unchanged pages vs their first ingest: times faster", rendered / again,
                 f"{again * 1000 / PAGES:.1f} vs {rendered * 1000 / PAGES:.0f} ms a page")
            note("unchanged ingests/s under wrk vs first ingests/s: times faster", posted.per_second * rendered / PAGES,
                 f"{posted.per_second:.0f} vs {PAGES / rendered:.1f} a second")
    print(f"{rounds} rounds, wrk at {CONNECTIONS} connections for {SECONDS} s (downloads: one connection)")
    print(f"{'measure':<70} {'ratio min / median / max':>26}   last round")
    for name, ratios in rows.items():
        print(f"{name:<70} {spread(ratios):>26}   {figures[name][-1]}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
