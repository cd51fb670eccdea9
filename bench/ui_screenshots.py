"""Pictures of the browser view for the docs: ``.venv/bin/python bench/ui_screenshots.py [FOLDER]``.

Starts a service of its own (a broker, a worker, uWSGI as the Dockerfile runs
it), uploads a few files through the page in Debian's chromium, as a visitor
would, and keeps three pictures in FOLDER (``docs/ui/`` by default, shown in
the README): the grid (``grid.png``), one file's detail (``detail.png``) and
the page on a phone, 360 px wide (``narrow.png``).
"""

import io
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from proxyservice.config import Settings  # noqa: E402
from tests.conftest import FIXTURES, bearer  # noqa: E402
from tests.e2e.conftest import running_service  # noqa: E402
from tests.e2e.served import running_uwsgi  # noqa: E402

DOCS = Path("/usr/share/doc")
WAIT_MS = 120_000


def picture() -> bytes:
    """A photo-like PNG: a sky, a sun and hills."""
    image = Image.new("RGB", (1200, 800))
    draw = ImageDraw.Draw(image)
    for y in range(800):
        draw.line([(0, y), (1200, y)], fill=(70 + y // 8, 140 + y // 10, 220 - y // 12))
    draw.ellipse((820, 120, 980, 280), fill=(255, 214, 90))
    draw.polygon([(0, 800), (0, 520), (300, 380), (650, 560), (1200, 420), (1200, 800)], fill=(46, 125, 70))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def bomb() -> bytes:
    """A PNG of more pixels than MAX_IMAGE_PIXELS allows: it fails, and says why."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    return out.getvalue()


def uploads() -> list[dict[str, object]]:
    """The files a visitor drops: pages, documents, an image, and one that cannot be opened."""
    files = [
        ("quarterly-report.html", (FIXTURES / "styled.html").read_bytes(), "text/html"),  # its stylesheet not sent
        ("release-notes.html", (FIXTURES / "plain.html").read_bytes(), "text/html"),
        ("holiday.png", picture(), "image/png"),
        ("poster-scan.png", bomb(), "image/png"),
    ]
    for name, path in (("pip-manual.html", "python3-pip/html/index.html"), ("node-fs-api.html", "nodejs/api/fs.html"),
                       ("python-os-module.html", "python3.11/html/library/os.html")):
        if (DOCS / path).is_file():
            files.append((name, (DOCS / path).read_bytes(), "text/html"))
    return [{"name": name, "mimeType": mimetype, "buffer": content} for name, content, mimetype in files]


def settled(page: Page, count: int) -> None:
    """Wait until ``count`` cards show, none of them still waiting, every finished one with its picture loaded."""
    expect(page.locator("#files .card")).to_have_count(count, timeout=WAIT_MS)
    page.wait_for_function(
        """() => [...document.querySelectorAll('#files li')].every((card) =>
             ['succeeded', 'failed', 'skipped'].includes(card.dataset.state)
             && (card.dataset.state !== 'succeeded'
                 || [...card.querySelectorAll('img')].some((image) => image.complete && image.naturalWidth > 0)))""",
        timeout=WAIT_MS)


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium")
    with tempfile.TemporaryDirectory() as root, running_service(Path(root)) as (service, _), \
            running_uwsgi(service, Path(root) / "uwsgi.log") as url, sync_playwright() as playwright:
        token = bearer(Settings.from_environ(service.environment)).removeprefix("Bearer ")
        browser = playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"{url}/ui")
        page.fill("#token", token)
        page.click("#token-form button[type=submit]")
        files = uploads()
        page.set_input_files("#file-input", files=files)  # type: ignore[arg-type]  # Playwright's FilePayload
        settled(page, len(files))
        page.screenshot(path=folder / "grid.png")

        page.locator("#files .card", has_text="quarterly-report").click()
        expect(page.locator("#detail-tasks .warnings li").first).to_be_visible(timeout=WAIT_MS)
        page.wait_for_function("() => document.querySelectorAll('#detail img').length > 1 && "
                               "[...document.querySelectorAll('#detail img')].every((i) => i.naturalWidth > 0)")
        page.screenshot(path=folder / "detail.png")
        page.keyboard.press("Escape")
        page.click("#clear-uploads")

        page.set_viewport_size({"width": 360, "height": 740})
        page.screenshot(path=folder / "narrow.png")
        browser.close()
    print("\n".join(str(folder / name) for name in ("grid.png", "detail.png", "narrow.png")))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "ui")
