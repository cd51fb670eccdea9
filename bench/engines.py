"""The two HTML engines side by side: ``.venv/bin/python bench/engines.py [ROUNDS] [--previews FOLDER]``.

Renders a sample of the real corpus (every Nth HTML page Debian ships under
/usr/share/doc, as the corpus test samples it) with wkhtmltoimage (the
default) and with Chromium kept warm (``html_chromium``), each in the
sandbox with the service's limits and the page's tree, one page with one
engine then the same page with the other. Prints, per engine, the seconds
per page (minimum / median / maximum over every page and round) and the
pages it could not draw, and the ratio of the medians in each round.

With ``--previews FOLDER``, it also writes a few of those pages as the two
engines draw them, side by side (``docs/engines/``, shown in docs/plugins.md).
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proxyservice.config import Settings  # noqa: E402
from proxyservice.services.renderer import ChromiumRenderer, HtmlRenderer, PageRenderer, RenderError  # noqa: E402
from proxyservice.services.sandbox import Sandbox, kept  # noqa: E402
from proxyservice.services.sources import SourceFiles  # noqa: E402
from tests.e2e.test_corpus import DOCS, corpus  # noqa: E402

SAMPLE_EVERY = 40
PREVIEWS = {
    "sphinx.png": DOCS / "python3.11/html/library/os.html",
    "nodejs.png": DOCS / "nodejs/api/fs.html",
    "grid.png": None,  # made here: a page laid out with CSS grid and flexbox
}
MODERN_PAGE = """<!DOCTYPE html><html><head><style>
body { margin: 0; font: 18px sans-serif; display: grid; grid-template-columns: 220px 1fr; min-height: 100vh; }
nav { background: #1f4e8c; color: white; padding: 16px; display: flex; flex-direction: column; gap: 12px; }
main { padding: 24px; display: grid; grid-template-columns: repeat(3, 1fr); gap: 16px; align-content: start; }
.card { background: #eef2f7; border-radius: 12px; padding: 16px; aspect-ratio: 4 / 3; }
h1 { grid-column: 1 / -1; margin: 0; }
</style></head><body><nav><b>Files</b><span>Recent</span><span>Shared</span></nav>
<main><h1>A page built on grid and flexbox</h1>
<div class="card">one</div><div class="card">two</div><div class="card">three</div>
<div class="card">four</div><div class="card">five</div><div class="card">six</div></main></body></html>"""


def engines(settings: Settings) -> dict[str, PageRenderer]:
    sandbox = Sandbox.from_settings(settings)
    return {"wkhtmltoimage": HtmlRenderer.from_settings(settings, sandbox),
            "chromium": ChromiumRenderer.from_settings(settings, sandbox)}


def render(renderer: PageRenderer, sources: SourceFiles, page: Path, out: Path) -> float | None:
    """Seconds to render ``page`` as the plugin does; ``None`` when it could not."""
    view = sources.page_view(page, 1)
    started = time.monotonic()
    try:
        renderer.render(view.paths[0], out, 30, view)
    except RenderError:
        return None
    return time.monotonic() - started


def side_by_side(pictures: dict[str, Path], out: Path) -> None:
    """The engines' first screens, each scaled to 480 px wide, with its name above."""
    tiles = []
    for name, path in pictures.items():
        with Image.open(path) as picture:
            tile = picture.convert("RGB")
            tile.thumbnail((480, 360))
        labelled = Image.new("RGB", (480, tile.height + 24), "white")
        labelled.paste(tile, (0, 24))
        ImageDraw.Draw(labelled).text((6, 6), name, fill="black")
        tiles.append(labelled)
    both = Image.new("RGB", (sum(tile.width for tile in tiles) + 8, max(tile.height for tile in tiles)), "white")
    for index, tile in enumerate(tiles):
        both.paste(tile, (index * (480 + 8), 0))
    both.quantize(256).save(out, optimize=True)  # screenshots: a palette keeps them small in the repository


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rounds", nargs="?", type=int, default=3)
    parser.add_argument("--previews", type=Path, help="write side-by-side previews in this folder")
    arguments = parser.parse_args()
    pages = corpus()[::SAMPLE_EVERY]
    with tempfile.TemporaryDirectory(prefix="bench-engines-") as folder:
        work = Path(folder)
        settings = Settings.from_environ({"DATA_DIR": str(work / "data"), "SOURCE_ROOTS": f"{DOCS}:{work}"})
        sources = SourceFiles.from_settings(settings)
        renderers = engines(settings)
        out = work / "out.png"
        for renderer in renderers.values():  # each starts once (Chromium stays warm) before the clock runs
            render(renderer, sources, pages[0], out)
        times: dict[str, list[float]] = {name: [] for name in renderers}
        failed: dict[str, set[Path]] = {name: set() for name in renderers}
        ratios = []
        for _ in range(arguments.rounds):
            this_round: dict[str, list[float]] = {name: [] for name in renderers}
            for page in pages:
                for name, renderer in renderers.items():
                    seconds = render(renderer, sources, page, out)
                    if seconds is None:
                        failed[name].add(page)
                    else:
                        this_round[name].append(seconds)
            for name in renderers:
                times[name] += this_round[name]
            ratios.append(statistics.median(this_round["chromium"]) / statistics.median(this_round["wkhtmltoimage"]))
        print(f"{len(pages)} real pages (every {SAMPLE_EVERY}th under {DOCS}), {arguments.rounds} rounds, "
              "each page with one engine then the other")
        print(f"{'engine':<15} {'min':>6} {'median':>7} {'max':>6}  pages not drawn")
        for name, seconds in times.items():
            print(f"{name:<15} {min(seconds):6.3f} {statistics.median(seconds):7.3f} {max(seconds):6.3f}  "
                  f"{len(failed[name])} of {len(pages)}")
        print("chromium / wkhtmltoimage, median seconds per page, by round: "
              + " / ".join(f"{ratio:.2f}" for ratio in ratios))
        if arguments.previews:
            arguments.previews.mkdir(parents=True, exist_ok=True)
            (work / "modern").mkdir()
            for file_name, page in PREVIEWS.items():
                if page is None:
                    page = work / "modern" / "grid.html"
                    page.write_text(MODERN_PAGE)
                drawn = {}
                for name, renderer in renderers.items():
                    drawn[name] = work / f"{name}.png"
                    render(renderer, sources, page, drawn[name])
                side_by_side(drawn, arguments.previews / file_name)
            print(f"previews written in {arguments.previews}")
    kept.close_all()


if __name__ == "__main__":
    main()
