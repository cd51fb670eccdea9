"""Render time and proxy size of real pages: ``.venv/bin/python bench/render_pages.py [ROUNDS]``.

Renders each page with the service's own renderer and scaler (as a worker
does, without the queue) and prints the median and worst time and the
proxy's size. Pages: the test fixtures and Debian's Node.js and Python docs.
"""

import statistics
import sys
import tempfile
import time
from pathlib import Path

from proxyservice.domain import ProxySize
from proxyservice.services.imaging import ImageScaler
from proxyservice.services.renderer import HtmlRenderer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import render_page  # noqa: E402  (as the HTML plugin renders: the page and its tree's assets)

PAGES = [
    ROOT / "tests/fixtures/plain.html",
    ROOT / "tests/fixtures/styled.html",
    ROOT / "tests/fixtures/webfont.html",
    Path("/usr/share/doc/nodejs/api/fs.html"),
    Path("/usr/share/doc/python3.11/html/library/os.html"),
]


def main(rounds: int) -> None:
    renderer = HtmlRenderer("wkhtmltoimage", ProxySize(1024, 768), javascript_delay_ms=200)
    scaler = ImageScaler()
    print(f"{'page':<14} {'median s':>9} {'worst s':>8} {'raw KB':>7} {'proxy KB':>9}")
    with tempfile.TemporaryDirectory() as work:
        raw, proxy = Path(work) / "raw.png", Path(work) / "proxy.png"
        for page in PAGES:
            if not page.is_file():
                print(f"{page.name:<14} missing")
                continue
            times = []
            for _ in range(rounds):
                started = time.monotonic()
                render_page(renderer, page, raw, timeout=60, tree=page.parent.parent)
                scaler.fit(raw, proxy, ProxySize(400, 300), palette=True)
                times.append(time.monotonic() - started)
            print(f"{page.name:<14} {statistics.median(times):9.2f} {max(times):8.2f} "
                  f"{raw.stat().st_size / 1024:7.0f} {proxy.stat().st_size / 1024:9.1f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
