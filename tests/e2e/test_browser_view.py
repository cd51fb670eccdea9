"""The browser view in a real browser: Playwright driving Debian's chromium, against uWSGI and a real worker.

A visitor pastes a token once, drops files on the page, and watches: the
preview appears on its card in the grid as the upload list says it succeeded,
a file that cannot be made into one shows why, several files go three at a
time with their progress, leaving warns while they go, the card opens on the
file's proxies and warnings, the search finds files by part of their name,
and a phone's 360 px hold it all. Nothing is mocked: the page calls the API
through nginx and uWSGI, and the worker renders. The docs' pictures of the
page are taken by bench/ui_screenshots.py.
"""

import base64
import io
import re
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


def card(page: "sync_api.Page", filename: str) -> "sync_api.Locator":
    """The grid's card of the file whose name holds ``filename``."""
    return page.locator("#files li", has=page.locator(".name", has_text=filename))


def upload_line(page: "sync_api.Page", filename: str) -> "sync_api.Locator":
    """The upload list's line of the file ``filename``."""
    return page.locator("#uploads li", has=page.locator(".name", has_text=filename))


def html_file(name: str, content: str) -> dict[str, object]:
    """A file as the page's file chooser hands it over."""
    return {"name": name, "mimeType": "text/html", "buffer": content.encode()}


def bomb() -> bytes:
    """A small PNG of more pixels than MAX_IMAGE_PIXELS allows."""
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")
    return out.getvalue()


class TestBrowserView:
    """A visitor drops files and watches them in the grid, as in a file browser."""

    def test_a_dropped_page_shows_its_preview_when_it_arrives(self, page: "sync_api.Page", tmp_path: Path) -> None:
        name = f"dropped-{tmp_path.name}.html"
        drop(page, name, b"<h1 style='font-size:64px'>Dropped in a browser</h1><p>with a paragraph</p>", "text/html")
        shown = card(page, name)
        sync_api.expect(shown.locator(".state")).to_have_text("succeeded", timeout=WAIT_MS)
        # Drawn from one record in one go: once the card says so, the upload list already does.
        assert upload_line(page, name).locator(".said").text_content() == "succeeded"
        assert upload_line(page, name).get_attribute("data-state") == shown.get_attribute("data-state")
        assert shown.locator(".type").text_content() == "HTML page"
        preview = shown.locator("img")
        sync_api.expect(preview).to_be_visible(timeout=WAIT_MS)
        page.wait_for_function("(image) => image.complete && image.naturalWidth > 0", arg=preview.element_handle())
        natural = preview.evaluate("(image) => [image.naturalWidth, image.naturalHeight]")
        assert natural == [400, 300]  # the page's preview at PROXY_WIDTH x PROXY_HEIGHT
        assert preview.get_attribute("alt") == f"Preview of {name}"
        assert "signature=" in preview.get_attribute("src")  # a signed link: the picture needs no token
        # A large dark heading on white: the picture is the rendered page, not its source text.
        assert assert_not_blank(preview.screenshot()).convert("L").getextrema()[0] < 60

    def test_a_folder_is_sent_whole_and_its_page_drawn_with_its_stylesheet(
            self, page: "sync_api.Page", tmp_path: Path) -> None:
        """A page chosen with its folder is drawn as in place: its stylesheet and picture beside it load."""
        folder = tmp_path / f"site-{tmp_path.name}"
        (folder / "css").mkdir(parents=True)
        (folder / "css" / "site.css").write_text("body { background: rgb(20, 110, 60); margin: 0; }")
        Image.new("RGB", (200, 120), (230, 190, 20)).save(folder / "sun.png")
        (folder / "index.html").write_text('<link rel="stylesheet" href="css/site.css"><h1>In its folder</h1>'
                                           '<img src="sun.png" width="200" height="120">')
        page.set_input_files("#folder-input", folder)
        line = upload_line(page, f"{folder.name}/ (3 files)")
        sync_api.expect(line.locator(".said")).to_have_text("succeeded", timeout=WAIT_MS)
        line.locator(".name").click()
        preview = page.locator("#detail-image")
        sync_api.expect(preview).to_be_visible(timeout=WAIT_MS)
        page.wait_for_function("(image) => image.complete && image.naturalWidth > 0", arg=preview.element_handle())
        drawn = Image.open(io.BytesIO(preview.screenshot())).convert("RGB")
        colours = {colour for _, colour in drawn.getcolors(1 << 16) or ()}
        assert any(g > 90 and r < 60 for r, g, b in colours), "the folder's stylesheet was drawn"
        assert any(r > 200 and g > 160 and b < 80 for r, g, b in colours), "the picture beside it was drawn"

    def test_a_file_that_fails_shows_the_reason(self, page: "sync_api.Page", tmp_path: Path) -> None:
        name = f"bomb-{tmp_path.name}.png"
        drop(page, name, bomb(), "image/png")
        shown = card(page, name)
        sync_api.expect(shown.locator(".state")).to_have_text("failed", timeout=WAIT_MS)
        reason = "more pixels than the limit of 50000000 (MAX_IMAGE_PIXELS)"
        sync_api.expect(shown.locator(".reason")).to_contain_text("more pixels than the limit")
        assert upload_line(page, name).locator(".said").text_content() == "failed"
        assert shown.locator("img").is_hidden() and shown.locator(".kind").text_content() == "PNG"
        shown.locator(".card").click()
        sync_api.expect(page.locator("#detail .reasons li")).to_contain_text(reason)
        sync_api.expect(page.locator("#detail-no-proxies")).to_be_visible()

    def test_the_search_finds_files_by_part_of_their_name_in_any_case(
            self, page: "sync_api.Page", tmp_path: Path) -> None:
        tag = tmp_path.name.replace("_", "-")
        for kind in ("Apple", "banana"):
            page.set_input_files("#file-input", files=[html_file(f"{kind}-{tag}.html", f"<p>{kind}</p>")])
            sync_api.expect(card(page, f"{kind}-{tag}.html")).to_have_count(1, timeout=WAIT_MS)
        page.fill("#name", f"APPLE-{tag}")
        sync_api.expect(page.locator("#files li")).to_have_count(1, timeout=WAIT_MS)
        sync_api.expect(page.locator("#files .name")).to_have_text(f"Apple-{tag}.html")
        # The search is in the address: a reload or a link keeps it.
        sync_api.expect(page).to_have_url(re.compile(re.escape(f"name=APPLE-{tag}")), timeout=WAIT_MS)
        page.reload()
        sync_api.expect(page.locator("#token-state")).to_have_text("Token kept for this tab.")
        sync_api.expect(page.locator("#files li")).to_have_count(1, timeout=WAIT_MS)
        page.fill("#name", f"no such file {tag}")
        sync_api.expect(page.locator("#no-files")).to_be_visible(timeout=WAIT_MS)

    def test_a_strangers_file_name_is_shown_as_text(self, page: "sync_api.Page", service: Service, url: str,
                                                  token: str, tmp_path: Path) -> None:
        name = f"<img src=x onerror=document.title='owned'> {tmp_path.name}.html"
        (service.sources / name).write_text("<p>a page with a hostile name</p>")
        answer = requests.post(f"{url}/ingest", json={"path": str(service.sources / name)},
                               headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.status_code == 202
        sync_api.expect(card(page, tmp_path.name).locator(".name")).to_have_text(name, timeout=WAIT_MS)
        card(page, tmp_path.name).locator(".card").click()
        sync_api.expect(page.locator("#detail-name")).to_have_text(name)
        assert page.locator("#files .name img, #detail-name img").count() == 0 and page.title() == "proxyservice"

    def test_a_token_the_service_refuses_is_said_so(self, browser: "sync_api.Browser", url: str) -> None:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/ui")
        page.fill("#token", "not-a-token")
        page.click("#token-form button[type=submit]")
        sync_api.expect(page.locator("#message")).to_contain_text("The token was not accepted: invalid token")
        drop(page, "refused.html", b"<p>x</p>", "text/html")
        sync_api.expect(upload_line(page, "refused.html").locator(".said")).to_contain_text("refused (401)")
        context.close()


class TestUploads:
    """A visitor drops several files at once, and may try to leave before they are sent."""

    def test_four_files_all_arrive_three_sent_at_a_time_and_leaving_warns_meanwhile(
            self, page: "sync_api.Page", tmp_path: Path) -> None:
        names = [f"many-{number}-{tmp_path.name}.html" for number in range(4)]
        held: list["sync_api.Route"] = []
        releasing = False

        def hold(route: "sync_api.Route") -> None:  # the uploads wait at the browser's door until released
            if releasing:
                route.continue_()
            else:
                held.append(route)

        page.route("**/ingest", hold)
        page.set_input_files("#file-input", files=[html_file(name, f"<h1>{name}</h1>") for name in names])
        sync_api.expect(page.locator("#uploads li[data-state=sending]")).to_have_count(3)
        sync_api.expect(page.locator("#uploads li[data-state=waiting]")).to_have_count(1)
        assert page.evaluate("typeof window.onbeforeunload") == "function"
        asked_to_stay = "() => { const leaving = new Event('beforeunload', { cancelable: true });" \
                        " window.dispatchEvent(leaving); return leaving.defaultPrevented; }"
        assert page.evaluate(asked_to_stay) is True  # Chromium asks "Leave site?" before a reload or a close

        releasing = True
        for route in held:
            route.continue_()
        for name in names:
            sync_api.expect(card(page, name).locator(".state")).to_have_text("succeeded", timeout=WAIT_MS)
            sync_api.expect(upload_line(page, name).locator(".said")).to_have_text("succeeded")
        assert page.evaluate("window.onbeforeunload") is None and page.evaluate(asked_to_stay) is False

    def test_a_slow_upload_shows_its_progress(self, page: "sync_api.Page", tmp_path: Path) -> None:
        name = f"large-{tmp_path.name}.html"
        cdp = page.context.new_cdp_session(page)
        # About 640 KB at 200 KB/s: sent in about three seconds, its progress seen on the way.
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                      "uploadThroughput": 200 * 1024})
        page.set_input_files("#file-input", files=[html_file(name, "<h1>Large</h1>" + "<!-- padding -->" * 40_000)])
        line = upload_line(page, name)
        page.wait_for_function("(bar) => bar.value > 0 && bar.value < 1", arg=line.locator("progress").element_handle())
        sync_api.expect(line.locator(".said")).to_have_text(re.compile(r"sending [1-9][0-9]?%"))
        sync_api.expect(card(page, name).locator(".state")).to_have_text("succeeded", timeout=WAIT_MS)
        sync_api.expect(line.locator(".said")).to_have_text("succeeded")


class TestDetail:
    """A visitor opens a file's card to see its proxies and what went wrong on the way."""

    def test_the_detail_lists_the_proxies_and_warnings_and_escape_closes_it(
            self, page: "sync_api.Page", tmp_path: Path) -> None:
        name = f"warns-{tmp_path.name}.html"
        page.set_input_files("#file-input", files=[html_file(
            name, '<title>A page that warns</title><h1>Warns</h1><img src="missing.png">')])
        shown = card(page, name)
        sync_api.expect(shown.locator(".state")).to_have_text("succeeded", timeout=WAIT_MS)
        shown.locator(".card").focus()  # a card is a button: the keyboard reaches and opens it
        page.keyboard.press("Enter")
        detail = page.locator("#detail")
        sync_api.expect(detail).to_be_visible()
        sync_api.expect(page.locator("#detail-name")).to_have_text(name)
        preview = detail.locator("#detail-proxies li", has=page.locator(".type", has_text=re.compile("^preview$")))
        sync_api.expect(preview.locator(".size")).to_contain_text("400 × 300 px")
        sync_api.expect(detail.locator("#detail-tasks .warnings li")).to_contain_text(
            "the page refers to a file that is missing")
        read = detail.locator("#detail-metadata section", has=page.locator("h4", has_text="html_preview"))
        title = read.locator("dt", has_text=re.compile("^title$")).locator("xpath=following-sibling::dd[1]")
        sync_api.expect(title).to_have_text("A page that warns")  # the page's <title>, as the plugin read it
        page.wait_for_function("() => [...document.querySelectorAll('#detail img')].every("
                               "(image) => image.complete && image.naturalWidth > 0)")
        alts = detail.locator("img").evaluate_all("(images) => images.map((image) => image.alt)")
        assert len(alts) >= 2 and all(alts) and alts[0] == f"Preview of {name}, 400 × 300"
        page.keyboard.press("Escape")
        sync_api.expect(detail).to_be_hidden()
        assert page.evaluate("document.activeElement.closest('li')?.dataset.fileId") == \
            shown.get_attribute("data-file-id")  # back where the visitor was


class TestNarrow:
    """A visitor on a phone, 360 px wide."""

    def test_the_page_fits_and_the_cards_make_one_column(self, page: "sync_api.Page", tmp_path: Path) -> None:
        page.set_viewport_size({"width": 360, "height": 740})
        for number in range(2):
            page.set_input_files("#file-input", files=[html_file(f"narrow-{number}-{tmp_path.name}.html",
                                                                 f"<h1>{number}</h1>")])
        for number in range(2):
            sync_api.expect(card(page, f"narrow-{number}-{tmp_path.name}")).to_have_count(1, timeout=WAIT_MS)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
        lefts = page.locator("#files .card").evaluate_all(
            "(cards) => cards.map((card) => card.getBoundingClientRect().left)")
        assert len(lefts) >= 2 and len(set(lefts)) == 1, "one column"
        card(page, f"narrow-0-{tmp_path.name}").locator(".card").click()
        sync_api.expect(page.locator("#detail-proxies li").first).to_be_visible(timeout=WAIT_MS)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
        width = page.locator("#detail").evaluate("(dialog) => dialog.getBoundingClientRect().width")
        assert width <= 360
