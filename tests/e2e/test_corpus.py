"""Real pages nobody here wrote: every HTML file Debian ships under /usr/share/doc gets its page preview.

Through a real worker with the default limits. The default suite renders a
sample (every 25th page, and the ones that broke before); the whole corpus
runs with ``-m slow`` (docs/testing.md), and prints its figures.
"""

import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.e2e.conftest import Service, running_service
from tests.support import pictures

DOCS = Path("/usr/share/doc")
SUFFIXES = (".html", ".htm", ".xhtml")
KNOWN_HARD = (
    "nodejs/api/all.html",                    # 8.4 MB: needed 1 GB and 23 s whole
    "python3.11/html/contents.html",          # 2.5 MB
    "python3.11/html/search.html",            # libmagic: application/javascript
    "python3.11/html/library/ctypes.html",    # libmagic: application/javascript
    "python3.11/html/genindex-_.html",        # libmagic: application/javascript
    "python3/index.html",                     # a symbolic link
)
SAMPLE_EVERY = 25


def corpus() -> list[Path]:
    """Every page under /usr/share/doc, in a stable order."""
    return sorted(path for path in DOCS.rglob("*") if path.suffix.lower() in SUFFIXES and path.is_file())


def sample() -> list[Path]:
    pages = corpus()
    chosen = pages[::SAMPLE_EVERY] + [DOCS / name for name in KNOWN_HARD if (DOCS / name).is_file()]
    return list(dict.fromkeys(chosen))


@pytest.fixture(scope="module")
def defaults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A service with the default render limits (the session's has short ones)."""
    with running_service(tmp_path_factory.mktemp("corpus"), RENDER_TIMEOUT="30", RENDER_ALLOWED_HOSTS="") as (
            service, _):
        yield service


def render_all(service: Service, pages: list[Path]) -> dict[Path, dict[str, Any]]:
    """Ingest every page, then wait for each; return each page's finished task."""
    pending: dict[Path, str] = {}
    finished: dict[Path, dict[str, Any]] = {}
    for page in pages:
        response = service.client.post("/ingest", json={"path": str(page)})
        body = response.get_json()
        if response.status_code not in (202, 303):
            finished[page] = {"status": f"refused {response.status_code}", "error": body.get("message")}
            continue
        [task] = body["tasks"]
        finished[page] = {"plugin": task["plugin"], "status": task["status"], "file_id": body["file_id"]}
        pending[page] = task["status_url"]
    deadline = time.monotonic() + 60 + 30 * len(pending)
    while pending and time.monotonic() < deadline:
        for page, url in list(pending.items()):
            response = service.client.get(url)
            body = response.get_json()
            if body["status"] not in ("queued", "in_progress"):
                finished[page].update(status=body["status"], error=body["error"], started=body["started"],
                                      ended=body["finished"])
                del pending[page]
        time.sleep(0.2)
    for page in pending:
        finished[page]["status"] = "still pending"
    return finished


def check(service: Service, results: dict[Path, dict[str, Any]]) -> None:
    wrong = {str(page): result for page, result in results.items()
             if result["status"] != "succeeded" or not result["plugin"].startswith("html_preview::")}
    assert wrong == {}, f"{len(wrong)} of {len(results)} pages got no page preview"
    for page, result in list(results.items())[:: max(1, len(results) // 10)]:
        [proxy] = pictures(service.client.get(f"/proxies/{result['file_id']}").get_json()["proxies"])
        assert proxy["typeidentifier"] == "preview" and proxy["mimetype"] == "image/png", page


def test_a_sample_of_the_corpus(defaults: Service) -> None:
    check(defaults, render_all(defaults, sample()))


@pytest.mark.slow
def test_the_whole_corpus(defaults: Service) -> None:
    from datetime import datetime

    pages = corpus()
    started = time.monotonic()
    results = render_all(defaults, pages)
    seconds = time.monotonic() - started
    durations = sorted(
        (datetime.fromisoformat(r["ended"]) - datetime.fromisoformat(r["started"])).total_seconds()
        for r in results.values() if r.get("ended") and r.get("started"))
    if durations:
        print(f"\ncorpus: {len(pages)} pages in {seconds:.0f} s with 2 worker processes; per render "
              f"median {durations[len(durations) // 2]:.2f} s, p95 {durations[int(len(durations) * 0.95)]:.2f} s, "
              f"max {durations[-1]:.2f} s")
    check(defaults, results)
