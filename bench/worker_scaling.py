"""Renders per second with 1, 2 and 4 worker processes: ``make bench`` (or ``.venv/bin/python -m bench.worker_scaling``).

For each count, a service of its own (a private Redis, a real Celery worker
with that many processes, the web app, a fresh DATA_DIR) renders the same
real pages, Debian's Python documentation, ingested by path at once. The time
runs from the first ingest to the last task finished; the figures are
renders per second and their ratio to one process. A render is not all CPU:
it also waits (the page's JavaScript delay, the sandbox's start), so on a
machine of C cores the ratio keeps growing a little past C processes, until
the cores are busy.
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import running_service  # noqa: E402  (the tests' real parts: broker, worker, app)

DOCS = Path("/usr/share/doc/python3.11/html")


def pages(tree: Path, count: int) -> list[Path]:
    """``count`` real Sphinx pages, with their stylesheets, copied under ``tree``."""
    shutil.copytree(DOCS / "_static", tree / "_static")
    (tree / "library").mkdir(parents=True)
    chosen = sorted((DOCS / "library").glob("*.html"))[:count]
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} pages under {DOCS / 'library'} (install python3.11-doc)")
    for page in chosen:
        shutil.copy(page, tree / "library" / page.name)
    return [tree / "library" / page.name for page in chosen]


def renders_per_second(processes: int, count: int, work: Path) -> float:
    """Ingest ``count`` pages into a service with ``processes`` worker processes; renders per second."""
    root = work / f"workers-{processes}"
    tree = root / "tree"
    batch = pages(tree, count)
    with running_service(root, concurrency=processes, SOURCE_ROOTS=str(tree)) as (service, _):
        started = time.monotonic()
        locations = []
        for page in batch:
            response = service.client.post("/ingest", json={"path": str(page)})
            assert response.status_code == 202, response.get_json()
            locations.append(response.headers["Location"])
        for location in locations:
            finished = service.follow(location, timeout=600)
            assert finished.status_code == 303, finished.get_json()
        return count / (time.monotonic() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40, help="pages rendered for each count (default 40)")
    parser.add_argument("--workers", default="1,2,4", help="worker process counts (default 1,2,4)")
    arguments = parser.parse_args()
    counts = [int(n) for n in arguments.workers.split(",")]
    with tempfile.TemporaryDirectory(prefix="proxyservice-bench-") as work:
        rates = {n: renders_per_second(n, arguments.pages, Path(work)) for n in counts}
    print(f"{'worker processes':>16} {'renders/s':>10} {'ratio to 1':>11}")
    for n, rate in rates.items():
        print(f"{n:>16} {rate:>10.2f} {rate / rates[counts[0]]:>10.2f}x")


if __name__ == "__main__":
    main()
