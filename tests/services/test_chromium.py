"""Chromium kept warm per process: reused while it is fit, replaced when it is not, and what a page is served."""

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from proxyservice.domain import ProxySize, SourceView
from proxyservice.services.renderer import ChromiumRenderer, RenderFailed, RenderTimedOut
from proxyservice.services.renderer.browser import BrowserSession
from proxyservice.services.renderer.served_view import ServedView
from proxyservice.services.sandbox import Sandbox, kept
from proxyservice.services.sources import SourceFiles
from tests.canary import SECRET_TEXT, plant_secrets, symlink
from tests.support import assert_not_blank

CHROMIUM = "/usr/lib/chromium/chromium"
needs_chromium = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed (install.sh)")


PAGE = "<body style='margin: 0'><div style='height: 300px; background: rgb(30, 60, 200)'></div><h1>warm</h1></body>"


@pytest.fixture
def page(tmp_path: Path) -> Path:
    (tmp_path / "root" / "html").mkdir(parents=True)
    page = tmp_path / "root" / "html" / "page.html"
    page.write_text(PAGE)
    return page


@pytest.fixture
def chromium() -> Iterator[ChromiumRenderer]:
    yield ChromiumRenderer(CHROMIUM, ProxySize(800, 600), 0, 1024, Sandbox())
    kept.close_all()


def draw(renderer: ChromiumRenderer, page: Path, html: str | None = None) -> Path:
    if html is not None:
        page.write_text(html)
    view = SourceFiles((page.parent.parent,), page.parent.parent / "uploads", 10**7).page_view(page, 0)
    out = page.with_suffix(".png")
    renderer.render(view.paths[0], out, 30, view)
    return out


def session() -> BrowserSession:
    [running] = [program for program in kept._RUNNING.values()
                 if isinstance(program, BrowserSession) and program.is_alive]
    return running


@needs_chromium
class TestKeptWarm:
    """One Chromium draws page after page, and a fresh one takes over when it cannot."""

    def test_the_same_chromium_draws_the_next_page(self, chromium: ChromiumRenderer, page: Path) -> None:
        assert_not_blank(draw(chromium, page))
        first = session().launcher_pid
        assert_not_blank(draw(chromium, page))
        assert session().launcher_pid == first

    @pytest.mark.parametrize("victim", ["chromium", "driver"])
    def test_one_killed_between_pages_is_replaced(self, chromium: ChromiumRenderer, page: Path, victim: str) -> None:
        draw(chromium, page)
        before = session()
        if victim == "chromium":
            assert before.launcher_pid is not None
            os.killpg(before.launcher_pid, signal.SIGKILL)
        else:
            drivers = subprocess.run(["pgrep", "-f", "-P", str(os.getpid()), "playwright/driver"],
                                     capture_output=True, text=True).stdout.split()
            for pid in drivers:
                os.kill(int(pid), signal.SIGKILL)
            assert drivers
        assert_not_blank(draw(chromium, page))
        assert session() is not before

    def test_a_page_past_the_memory_limit_fails_in_words_and_the_next_page_is_drawn(self, page: Path) -> None:
        greedy = ChromiumRenderer(CHROMIUM, ProxySize(800, 600), 0, 384, Sandbox())
        try:
            with pytest.raises(RenderFailed, match="RENDER_MEMORY_MB"):
                draw(greedy, page, "<script>var a=[]; while (true) a.push(new Array(1e6).fill(1.5));</script>")
            assert_not_blank(draw(greedy, page, PAGE))
        finally:
            kept.close_all()


class TestServedView:
    """What a page is served of its tree, by URL: its files, and nothing else however it is named."""

    @pytest.fixture
    def served(self, tmp_path: Path) -> ServedView:
        tree = tmp_path / "tree"
        (tree / "_static").mkdir(parents=True)
        (tree / "_static" / "style.css").write_text("h1 {}")
        (tree / "page.html").write_text("<h1>page</h1>")
        secrets = plant_secrets(tmp_path / "outside")
        symlink(secrets["text"], tree / "_static" / "linked.css")
        os.mkfifo(tree / "_static" / "fifo.css")
        return ServedView(SourceView(tree, (tree / "page.html", tree / "_static")), b"<h1>the checked copy</h1>")

    def test_the_page_is_its_checked_copy_and_its_assets_are_served(self, served: ServedView) -> None:
        assert served.read(served.url) == b"<h1>the checked copy</h1>"
        assert served.read("http://page.invalid/_static/style.css?v=1#top") == b"h1 {}"

    @pytest.mark.parametrize("url", [
        "http://page.invalid/_static/linked.css", "http://page.invalid/_static/fifo.css",
        "http://page.invalid/_static/../../outside/secret.txt", "http://page.invalid/%2e%2e/outside/secret.txt",
        "http://page.invalid/_static/%2e%2e%2f%2e%2e%2foutside%2fsecret.txt", "http://page.invalid/..%5coutside",
        "http://page.invalid//etc/passwd", "http://page.invalid/_static", "http://other.invalid/_static/style.css",
        "http://page.invalid.example/_static/style.css", "file:///etc/passwd",
    ])
    def test_nothing_outside_is_served(self, served: ServedView, url: str) -> None:
        body = served.read(url)
        assert body is None and SECRET_TEXT.encode() not in (body or b"")

    def test_a_page_is_served_no_more_than_its_budget_however_it_asks(self, tmp_path: Path) -> None:
        from proxyservice.services.renderer.served_view import MAX_ASSET_BYTES, MAX_SERVED_BYTES

        tree = tmp_path / "budget"
        tree.mkdir()
        (tree / "page.html").write_text("<h1>asks for the same file again and again</h1>")
        (tree / "big.bin").write_bytes(b"x" * (4 * 1024 * 1024))
        (tree / "huge.bin").write_bytes(b"x" * (MAX_ASSET_BYTES + 1))
        served = ServedView(SourceView(tree, (tree / "page.html", tree / "big.bin", tree / "huge.bin")), b"<h1>p</h1>")
        assert served.read("http://page.invalid/huge.bin") is None
        answered = [served.read(f"http://page.invalid/big.bin?{n}") is not None for n in range(40)]
        assert answered.count(True) == MAX_SERVED_BYTES // (4 * 1024 * 1024)
        assert not any(answered[answered.index(False):]), "once spent, the budget stays spent"


@needs_chromium
class TestWhatAnAttackerFound:
    """Pages a helper wrote to break the engine (each failed a render, or held the worker, before its fix)."""

    @pytest.mark.parametrize("html", [
        "<h1>popup</h1><script>window.open('/html/missing.html')</script>",
        "<h1>popup</h1><script>window.open('http://example.com/x')</script>",
        "<h1>nul</h1><img src='/html/x%00.png'>",
    ])
    def test_a_popup_or_a_nul_in_a_url_still_draws_the_page(self, chromium: ChromiumRenderer, page: Path,
                                                            html: str) -> None:
        draw(chromium, page, PAGE)
        before = session().launcher_pid
        assert_not_blank(draw(chromium, page, PAGE + html))
        assert session().launcher_pid == before, "the same Chromium drew it: nothing was restarted"

    def test_thousands_of_refused_hosts_are_said_in_a_few_lines(self, chromium: ChromiumRenderer, page: Path) -> None:
        page.write_text(PAGE + "<script>for (let i = 0; i < 3000; i++) "
                        "fetch('http://h' + i + '.example/' + 'A'.repeat(150)).catch(() => {})</script>")
        view = SourceFiles((page.parent.parent,), page.parent.parent / "uploads", 10**7).page_view(page, 0)
        warnings = chromium.render(view.paths[0], page.with_suffix(".png"), 30, view).warnings
        assert len(warnings) <= 51 and warnings[-1].startswith("… and "), warnings[-3:]

    def test_a_flood_of_requests_ends_near_the_time_limit(self, chromium: ChromiumRenderer, page: Path) -> None:
        page.write_text(PAGE + "<script>let k = 0; function go() { for (let i = 0; i < 20000; i++) "
                        "new Image().src = 'style.css?' + (k++) } go(); setInterval(go, 100)</script>")
        (page.parent / "style.css").write_text("h1 { color: red }")
        view = SourceFiles((page.parent.parent,), page.parent.parent / "uploads", 10**7).page_view(page, 0)
        started = time.monotonic()
        try:
            chromium.render(view.paths[0], page.with_suffix(".png"), 8, view)
        except RenderTimedOut:
            pass
        assert time.monotonic() - started < 16, "the worker answered requests long past the limit"


class TestErrorsNameNoHostPath:
    """An unexpected error's words reach the client without the worker's paths."""

    def test_a_link_that_loops_beside_a_page_leaves_its_view_and_its_words(self, tmp_path: Path) -> None:
        from proxyservice.worker.jobs import without_paths

        (tmp_path / "html").mkdir()
        (tmp_path / "html" / "page.html").write_text("<h1>x</h1>")
        (tmp_path / "html" / "loop.css").symlink_to("loop.css")
        view = SourceFiles((tmp_path,), tmp_path / "uploads", 10**7).page_view(tmp_path / "html" / "page.html", 0)
        assert view.paths == ((tmp_path / "html" / "page.html").resolve(),)
        assert without_paths(f"Symlink loop from '{tmp_path}/html/loop.css'") == "Symlink loop from '…/loop.css'"
