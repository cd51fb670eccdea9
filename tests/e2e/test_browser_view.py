"""The browser view in a real browser: Playwright driving Debian's chromium, against uWSGI and a real worker.

A visitor pastes a token once, drops files on the page, and watches: the
preview appears in its row, a file that cannot be made into one shows why,
and the search finds files by part of their name. Nothing is mocked: the page
calls the API through nginx and uWSGI, and the worker renders.
"""

import base64
import io
import os
import shutil
from pathlib import Path
from typing import Iterator

import pytest
import requests
from PIL import Image

from proxyservice.config import Settings
from tests.conftest import bearer
from tests.e2e.conftest import Service
from tests.e2e.served import running_uwsgi
from tests.support import assert_not_blank

CHROMIUM = shutil.which("chromium")
SCREENSHOTS = Path(os.environ["UI_SCREENSHOTS"]) if os.environ.get("UI_SCREENSHOTS") else None
"""A folder to keep a picture of the page in, to look at it (UI_SCREENSHOTS=/tmp pytest …)."""
WAIT_MS = 60_000
"""How long a visitor waits for a preview or a failure to show, at most."""

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (config/install.sh installs it)")

# Imported after the mark: the tests are skipped, not broken, where Playwright is missing.
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def url(service: Service, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_uwsgi(service, tmp_path_factory.mktemp("browser") / "uwsgi.log") as served:
        yield served


@pytest.fixture(scope="module")
def token(service: Service) -> str:
    return bearer(Settings.from_environ(service.environment)).removeprefix("Bearer ")


@pytest.fixture(scope="module")
def browser() -> Iterator["sync_api.Browser"]:
    with sync_api.sync_playwright() as playwright:
        # As root, chromium runs only without its own sandbox; the page is this service's.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: "sync_api.Browser", url: str, token: str) -> Iterator["sync_api.Page"]:
    """The view in a new tab, its token pasted once."""
    context = browser.new_context()
    opened = context.new_page()
    opened.goto(f"{url}/ui")
    opened.fill("#token", token)
    opened.click("#token-form button[type=submit]")
    sync_api.expect(opened.locator("#token-state")).to_have_text("Token kept for this tab.")
    yield opened
    context.close()


def drop(page: "sync_api.Page", name: str, content: bytes, mimetype: str) -> None:
    """Drop one file on the page's drop zone, as a drag from the desktop does."""
    transfer = page.evaluate_handle(
        """([name, encoded, type]) => {
            const transfer = new DataTransfer();
            const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
            transfer.items.add(new File([bytes], name, { type }));
            return transfer;
        }""",
        [name, base64.b64encode(content).decode(), mimetype],
    )
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})


def row(page: "sync_api.Page", filename: str) -> "sync_api.Locator":
    return page.locator("#task-rows tr", has=page.locator("td.filename", has_text=filename))


def bomb() -> bytes:
    """A small PNG of more pixels than MAX_IMAGE_PIXELS allows."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    return out.getvalue()


class TestBrowserView:
    def test_a_dropped_page_shows_its_preview_when_it_arrives(self, page: "sync_api.Page", tmp_path: Path) -> None:
        name = f"dropped-{tmp_path.name}.html"
        drop(page, name, b"<h1 style='font-size:64px'>Dropped in a browser</h1><p>with a paragraph</p>", "text/html")
        sync_api.expect(page.locator("#uploads li").first).to_have_text(f"{name}: queued")
        preview = row(page, name).locator("img")
        sync_api.expect(row(page, name).locator("td.state")).to_have_text("succeeded", timeout=WAIT_MS)
        sync_api.expect(preview).to_be_visible(timeout=WAIT_MS)
        page.wait_for_function("(image) => image.complete && image.naturalWidth > 0", arg=preview.element_handle())
        natural = preview.evaluate("(image) => [image.naturalWidth, image.naturalHeight]")
        assert natural == [400, 300]  # the page's preview at PROXY_WIDTH x PROXY_HEIGHT
        assert "signature=" in row(page, name).locator(".preview a").get_attribute("href")  # opens it, token-free
        shown = assert_not_blank(preview.screenshot())
        # A large dark heading on white: the picture is the rendered page, not its source text.
        assert shown.convert("L").getextrema()[0] < 60

    def test_a_file_that_fails_shows_the_reason(self, page: "sync_api.Page", tmp_path: Path) -> None:
        name = f"bomb-{tmp_path.name}.png"
        drop(page, name, bomb(), "image/png")
        sync_api.expect(row(page, name).locator("td.state")).to_have_text("failed", timeout=WAIT_MS)
        sync_api.expect(row(page, name).locator("td.reason")).to_contain_text(
            "more pixels than the limit of 50000000 (MAX_IMAGE_PIXELS)")
        assert row(page, name).locator(".preview a").is_hidden()
        if SCREENSHOTS:
            page.screenshot(path=SCREENSHOTS / "browser-view.png", full_page=True)

    def test_the_search_finds_files_by_part_of_their_name_in_any_case(
            self, page: "sync_api.Page", tmp_path: Path) -> None:
        tag = tmp_path.name.replace("_", "-")
        for kind in ("Apple", "banana"):
            page.set_input_files("#file-input", files=[{"name": f"{kind}-{tag}.html", "mimeType": "text/html",
                                                       "buffer": f"<p>{kind}</p>".encode()}])
            sync_api.expect(row(page, f"{kind}-{tag}.html")).to_have_count(1, timeout=WAIT_MS)
        page.fill("#name", f"APPLE-{tag}")
        sync_api.expect(page.locator("#task-rows tr")).to_have_count(1, timeout=WAIT_MS)
        sync_api.expect(page.locator("#task-rows td.filename")).to_have_text(f"Apple-{tag}.html")
        assert f"name=APPLE-{tag}" in page.url  # the search is in the address: a reload or a link keeps it
        page.reload()
        sync_api.expect(page.locator("#token-state")).to_have_text("Token kept for this tab.")
        sync_api.expect(page.locator("#task-rows tr")).to_have_count(1, timeout=WAIT_MS)
        page.fill("#name", f"no such file {tag}")
        sync_api.expect(page.locator("#no-tasks")).to_be_visible(timeout=WAIT_MS)

    def test_a_strangers_file_name_is_shown_as_text(self, page: "sync_api.Page", service: Service, url: str,
                                                  token: str, tmp_path: Path) -> None:
        name = f"<img src=x onerror=document.title='owned'> {tmp_path.name}.html"
        (service.sources / name).write_text("<p>a page with a hostile name</p>")
        answer = requests.post(f"{url}/ingest", json={"path": str(service.sources / name)},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.status_code == 202
        sync_api.expect(row(page, tmp_path.name).locator("td.filename")).to_have_text(name, timeout=WAIT_MS)
        assert row(page, tmp_path.name).locator("td.filename img").count() == 0 and page.title() == "proxyservice"

    def test_a_token_the_service_refuses_is_said_so(self, browser: "sync_api.Browser", url: str) -> None:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/ui")
        page.fill("#token", "not-a-token")
        page.click("#token-form button[type=submit]")
        sync_api.expect(page.locator("#message")).to_contain_text("The token was not accepted: invalid token")
        drop(page, "refused.html", b"<p>x</p>", "text/html")
        sync_api.expect(page.locator("#uploads li").first).to_contain_text("refused.html: refused (401)")
        context.close()
