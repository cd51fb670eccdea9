"""The whole stack against the raw render loop: ``.venv/bin/python bench/stack_ratio.py [ROUNDS] [PAGES]``.

The same real pages (Debian's Python documentation, with their stylesheets)
are rendered both ways, at the same concurrency (2), taken in turn each round:

- *raw*: wkhtmltoimage through the service's own renderer, with the service's
  options and sandbox, in two threads, writing the raw render and nothing
  else;
- *stack*: ``POST /ingest`` of each page by path into a service of its own (a
  private Redis, a real Celery worker with two processes, the records), and
  every task followed until its proxy is stored.

Prints pages per second each way and their ratio (stack / raw), with its
minimum, median and maximum over the rounds; ``make bench`` runs it.
"""

import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.worker_scaling import pages  # noqa: E402
from proxyservice.config import Settings  # noqa: E402
from proxyservice.services.renderer import HtmlRenderer  # noqa: E402
from proxyservice.services.sandbox import Sandbox  # noqa: E402
from tests.e2e.conftest import Service, running_service  # noqa: E402
from tests.support import render_page  # noqa: E402

CONCURRENCY = 2


def raw_per_second(batch: list[Path], tree: Path, work: Path) -> float:
    settings = Settings.from_environ()
    renderer = HtmlRenderer.from_settings(settings, Sandbox.from_settings(settings))

    def render(index: int) -> None:
        render_page(renderer, batch[index], work / f"raw-{index}.png", settings.RENDER_TIMEOUT, tree)

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        list(pool.map(render, range(len(batch))))
    return len(batch) / (time.monotonic() - started)


def stack_per_second(service: Service, batch: list[Path]) -> float:
    """Pages per second from the first ingest to the last task's end, as its record says (not when it was seen)."""
    started = time.time()
    locations = []
    for page in batch:
        answer = service.client.post("/ingest", json={"path": str(page), "force": True})
        assert answer.status_code == 202, answer.get_json()
        locations.append(answer.headers["Location"])
    ended = []
    for location in locations:
        finished = service.follow(location, timeout=600)
        assert finished.status_code == 303, finished.get_json()
        ended.append(datetime.fromisoformat(finished.get_json()["finished"]).timestamp())
    return len(batch) / (max(ended) - started)


def main(rounds: int, count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="proxyservice-bench-") as folder:
        work = Path(folder)
        tree = work / "tree"
        batch = pages(tree, count)
        (work / "raw").mkdir()
        raw: list[float] = []
        stack: list[float] = []
        with running_service(work / "service", concurrency=CONCURRENCY, SOURCE_ROOTS=str(tree)) as (service, _):
            raw_per_second(batch[:2], tree, work / "raw")  # the disk cache warmed for both
            for _ in range(rounds):
                raw.append(raw_per_second(batch, tree, work / "raw"))
                stack.append(stack_per_second(service, batch))
    ratios = [s / r for s, r in zip(stack, raw)]
    print(f"{count} pages, {CONCURRENCY} at a time, {rounds} rounds")
    print(f"  raw render loop   {statistics.median(raw):6.2f} pages/s (min {min(raw):.2f}, max {max(raw):.2f})")
    print(f"  whole stack       {statistics.median(stack):6.2f} pages/s (min {min(stack):.2f}, max {max(stack):.2f})")
    print(f"  stack / raw       {min(ratios):.2f} / {statistics.median(ratios):.2f} / {max(ratios):.2f} (min / median / max)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5, int(sys.argv[2]) if len(sys.argv) > 2 else 40)
