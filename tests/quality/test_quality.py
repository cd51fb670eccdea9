"""``make quality``: are the previews true to their files? Scored against an independent ground truth (minutes).

A seeded random sample of 60 HTML pages Debian ships under /usr/share/doc,
and its PDF and SVG files, go through a real worker: each page with the
default engine (its ``preview``) and with Chromium (named per request, its
``preview-chromium``). Each proxy is scored against a picture made without
the service:

- an HTML page or an SVG drawing: Debian's Chromium, outside any sandbox, at
  the render window (1024×768), screenshot of its first screen;
- a PDF: its first page by ``pdftoppm``;

each scaled into the proxy's box as the service scales (Pillow's
``ImageOps.contain``), both in grey, by structural similarity (SSIM,
scikit-image). A proxy is *true* at SSIM ≥ TRUE_SSIM, *blank* when one grey
covers nearly all of it while its ground truth is not blank. The table, the
ten worst and a montage of them (ground truth above, proxy below) are
printed; the goals of issue 20 are asserted: the default engine true on at
least 57 of 60 pages, Chromium on 60, and no blank proxy without a warning.
"""

import random
import subprocess
import tempfile
from io import BytesIO
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy
import pytest
from PIL import Image, ImageDraw, ImageOps, ImageStat
from playwright.sync_api import sync_playwright
from skimage.metrics import structural_similarity

from tests.e2e.conftest import DOCS, Service, running_service
from tests.e2e.test_corpus import corpus

pytestmark = pytest.mark.quality

SEED = 20
PAGES = 60
OTHERS = 10
"""Of each other kind (PDF, SVG), at most this many."""
TRUE_SSIM = 0.6
"""At or above this a proxy is as true as its ground truth allows (calibrated by eye: docs/testing.md)."""
BLANK_SPREAD = 4.0
"""A picture whose grey levels spread less than this (standard deviation) is blank."""
BOX = (400, 300)
LAYOUT = (100, 75)
"""The size proxies are compared at: a quarter of the box, where layout shows and glyph hinting does not."""
WINDOW = {"width": 1024, "height": 768}
CHROMIUM = "/usr/lib/chromium/chromium"
BOTH_ENGINES = "html_preview::HTMLPreview,html_chromium::ChromiumPreview"
OUT = Path(tempfile.gettempdir()) / "proxyservice-quality"


@dataclass
class Score:
    """One proxy against its ground truth."""

    path: Path
    engine: str
    ssim: float
    blank: bool
    truth_blank: bool
    warnings: list[str] = field(default_factory=list)
    picture: Image.Image | None = None
    truth: Image.Image | None = None

    @property
    def silent_blank(self) -> bool:
        return self.blank and not self.truth_blank and not any("blank" in w for w in self.warnings)


def sample() -> tuple[list[Path], list[Path], list[Path]]:
    """60 HTML pages, and up to 10 PDF and 10 SVG files, chosen at random with a fixed seed."""
    chooser = random.Random(SEED)
    pages = chooser.sample(corpus(), PAGES)
    pdfs = sorted(path for path in DOCS.rglob("*.pdf") if path.is_file())
    svgs = sorted(path for path in DOCS.rglob("*.svg") if path.is_file())
    return pages, chooser.sample(pdfs, min(OTHERS, len(pdfs))), chooser.sample(svgs, min(OTHERS, len(svgs)))


def boxed(picture: Image.Image) -> Image.Image:
    """Scaled into the proxy's box as the service scales, in grey, on white."""
    grey = ImageOps.contain(picture.convert("RGBA"), BOX, Image.Resampling.LANCZOS)
    canvas = Image.new("RGBA", grey.size, "white")
    return Image.alpha_composite(canvas, grey).convert("L")


def is_blank(picture: Image.Image) -> bool:
    return ImageStat.Stat(picture.convert("L")).stddev[0] < BLANK_SPREAD


def ssim(first: Image.Image, second: Image.Image) -> float:
    """SSIM as Wang et al. define it (Gaussian window, σ 1.5), at LAYOUT: what a person sees of a preview at a glance.

    At the box's full size, SSIM scores how each glyph is drawn: the same text
    in the same place, hinted by another engine, scored 0.4. At a quarter of it,
    it scores where text, pictures and blocks are, and what they look like.
    """
    first, second = (ImageOps.contain(picture, LAYOUT, Image.Resampling.LANCZOS) for picture in (first, second))
    if first.size != second.size:
        second = second.resize(first.size, Image.Resampling.LANCZOS)
    return float(structural_similarity(numpy.asarray(first), numpy.asarray(second), data_range=255,
                                       gaussian_weights=True, sigma=1.5, use_sample_covariance=False))


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A service as deployed by default (its limits), with both engines enabled."""
    with running_service(tmp_path_factory.mktemp("quality"), concurrency=2, RENDER_TIMEOUT="30",
                         RENDER_ALLOWED_HOSTS="", ENABLED_PLUGINS=BOTH_ENGINES
                         + ",pdf_thumbnail::PDFThumbnail,svg_thumbnail::SVGThumbnail") as (service, _):
        yield service


def screenshots(paths: list[Path]) -> dict[Path, Image.Image]:
    """Each page's first screen in Chromium, outside the service; a drawing whole, at its own proportions."""
    shots: dict[Path, Image.Image] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport=WINDOW)
        for path in paths:
            try:
                page.set_viewport_size(WINDOW)
                page.goto(path.as_uri(), wait_until="load", timeout=30_000)
                if path.suffix == ".svg":
                    # The whole drawing, as a proxy of a drawing is: a window of its proportions, drawn to fit.
                    width, height = page.evaluate("() => { const box = document.documentElement"
                                                  ".getBoundingClientRect(); return [box.width, box.height]; }")
                    scale = min(WINDOW["width"] / width, WINDOW["height"] / height)
                    page.set_viewport_size({"width": max(1, round(width * scale)), "height": max(1, round(height * scale))})
                    frame = OUT / "truth" / "drawing.html"
                    frame.parent.mkdir(parents=True, exist_ok=True)
                    frame.write_text(f'<body style="margin:0"><img src="{path.as_uri()}" '
                                     'style="width:100vw;height:100vh;object-fit:contain"></body>')
                    page.goto(frame.as_uri(), wait_until="load", timeout=30_000)
                page.wait_for_timeout(300)
                shot = OUT / "truth" / f"{len(shots)}.png"
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot))
                shots[path] = Image.open(shot)
            except Exception as e:  # the ground truth could not be made: the page is left out, and said
                print(f"no ground truth for {path}: {e}")
        browser.close()
    return shots


def first_page(pdf: Path) -> Image.Image | None:
    out = OUT / "truth" / pdf.stem
    out.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "72", "-png", "-singlefile", str(pdf), str(out)],
                          capture_output=True, timeout=60)
    return Image.open(f"{out}.png") if done.returncode == 0 else None


def proxies(service: Service, files: list[Path], plugins: list[str] | None,
            typeidentifier: str) -> dict[Path, tuple[Image.Image | None, list[str]]]:
    """Each file's proxy of that type (``None`` when its task failed), and its task's warnings."""
    pending: dict[Path, Any] = {}
    for path in files:
        body = {"path": str(path), **({"plugins": plugins} if plugins else {})}
        answer = service.client.post("/ingest", json=body)
        if answer.status_code in (200, 202, 303):
            pending[path] = answer.get_json()
    made: dict[Path, tuple[Image.Image | None, list[str]]] = {}
    for path, ingested in pending.items():
        warnings: list[str] = []
        for task in ingested["tasks"]:
            finished = service.follow(task["status_url"], timeout=300).get_json()
            warnings += finished.get("warnings") or []
        listing = service.client.get(f"/proxies/{ingested['file_id']}").get_json().get("proxies", [])
        urls = {proxy["typeidentifier"]: proxy["url"] for proxy in listing}
        picture = None
        if typeidentifier in urls:
            fetched = service.client.get(urls[typeidentifier])
            if fetched.status_code == 200:
                picture = Image.open(BytesIO(fetched.data))
        made[path] = (picture, warnings)
    return made


def score(path: Path, engine: str, truth: Image.Image, made: tuple[Image.Image | None, list[str]]) -> Score:
    picture, warnings = made
    ground = boxed(truth)
    if picture is None:
        return Score(path, engine, 0.0, True, is_blank(ground), warnings, None, ground)
    proxy = boxed(picture)
    return Score(path, engine, ssim(ground, proxy), is_blank(proxy), is_blank(ground), warnings, proxy, ground)


def montage(scores: list[Score], out: Path) -> None:
    """The ten worst: ground truth above, proxy below, with the engine, SSIM and file name."""
    width, height = BOX
    sheet = Image.new("L", (width * 5 + 40, (height * 2 + 40) * 2), 255)
    draw = ImageDraw.Draw(sheet)
    for index, item in enumerate(scores[:10]):
        x, y = (index % 5) * (width + 8), (index // 5) * (height * 2 + 40)
        if item.truth is not None:
            sheet.paste(item.truth, (x, y))
        if item.picture is not None:
            sheet.paste(item.picture, (x, y + height + 4))
        draw.text((x, y + height * 2 + 8), f"{item.engine} {item.ssim:.2f} {item.path.name[:40]}", fill=0)
    out.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(out)


def test_previews_are_true_to_their_files(service: Service) -> None:
    pages, pdfs, svgs = sample()
    truths = screenshots(pages + svgs)
    for pdf in pdfs:
        page = first_page(pdf)
        if page is not None:
            truths[pdf] = page
    scores: list[Score] = []
    runs = [("wkhtmltoimage", pages, None, "preview"),
            ("chromium", pages, ["html_chromium::ChromiumPreview"], "preview-chromium"),
            ("pdf", pdfs, None, "page"), ("svg", svgs, None, "thumbnail")]
    for engine, files, plugins, typeidentifier in runs:
        files = [path for path in files if path in truths]
        made = proxies(service, files, plugins, typeidentifier)
        scores += [score(path, engine, truths[path], made[path]) for path in files if path in made]

    print(f"\n{'engine':<14}{'files':>6}{'true':>6}{'degraded':>10}{'blank':>7}{'silent blank':>14}{'median SSIM':>13}")
    for engine in ("wkhtmltoimage", "chromium", "pdf", "svg"):
        mine = [s for s in scores if s.engine == engine]
        if not mine:
            continue
        true = sum(s.ssim >= TRUE_SSIM for s in mine)
        print(f"{engine:<14}{len(mine):>6}{true:>6}{len(mine) - true:>10}{sum(s.blank for s in mine):>7}"
              f"{sum(s.silent_blank for s in mine):>14}{sorted(s.ssim for s in mine)[len(mine) // 2]:>13.3f}")
    worst = sorted(scores, key=lambda s: s.ssim)
    print("\nthe ten worst:")
    for item in worst[:10]:
        print(f"  {item.ssim:.3f}  {item.engine:<14} {item.path}{'  (blank)' if item.blank else ''}")
    montage(worst, OUT / "worst.png")
    print(f"montage: {OUT / 'worst.png'}")

    html = {engine: [s for s in scores if s.engine == engine] for engine in ("wkhtmltoimage", "chromium")}
    assert sum(s.ssim >= TRUE_SSIM for s in html["wkhtmltoimage"]) >= 57 * len(html["wkhtmltoimage"]) / PAGES
    assert all(s.ssim >= TRUE_SSIM for s in html["chromium"]), [str(s.path) for s in html["chromium"]
                                                                  if s.ssim < TRUE_SSIM]
    assert not [s for s in scores if s.silent_blank], [str(s.path) for s in scores if s.silent_blank]
