"""The HTML renderer with the real wkhtmltoimage."""

import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from proxyservice.domain import ProxySize
from proxyservice.services.renderer import HtmlRenderer, RenderFailed, RendererMissing, RenderTimedOut
from proxyservice.services.sandbox import Sandbox
from tests.support import assert_not_blank, render_page

VIEWPORT = ProxySize(1024, 768)


@pytest.fixture
def renderer() -> HtmlRenderer:
    return HtmlRenderer("wkhtmltoimage", VIEWPORT, javascript_delay_ms=200)


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def processes_rendering(name: str) -> list[str]:
    found = subprocess.run(["pgrep", "-f", name], capture_output=True, text=True).stdout
    return found.split()


class TestRender:
    """Pages that render."""

    def test_a_page_with_its_stylesheet_beside_it(self, renderer: HtmlRenderer, source_dir: Path, tmp_path: Path) -> None:
        out = tmp_path / "out.png"
        report = render_page(renderer, source_dir / "styled.html", out, timeout=30)
        image = assert_not_blank(out)
        assert image.size == (1024, 768)
        # styled.css paints the body #1f4e8c: the stylesheet beside the page was read.
        assert image.convert("RGB").getpixel((5, 760)) == (0x1F, 0x4E, 0x8C)
        assert report.warnings == ()

    def test_unreachable_web_fonts_are_warnings_not_failures(self, renderer: HtmlRenderer, source_dir: Path, tmp_path: Path) -> None:
        out = tmp_path / "out.png"
        report = render_page(renderer, source_dir / "webfont.html", out, timeout=30)
        assert_not_blank(out)
        assert any("fonts.googleapis.com" in w for w in report.warnings)
        assert not any("[=" in w or "Loading page" in w for w in report.warnings), "progress noise is dropped"

    def test_imgkit_meta_tags_in_the_page_choose_no_options(self, renderer: HtmlRenderer, tmp_path: Path) -> None:
        page = tmp_path / "meta.html"
        page.write_text('<html><head><meta name="imgkit-width" content="99">'
                        '<meta name="imgkit-format" content="jpg"></head><body><h1>x</h1></body></html>')
        render_page(renderer, page, tmp_path / "out.png", timeout=30)
        with Image.open(tmp_path / "out.png") as image:
            assert (image.format, image.size) == ("BMP", (1024, 768)), "the page chose neither format nor width"


    def test_a_page_wider_than_the_window_is_cropped_to_it(self, renderer: HtmlRenderer, tmp_path: Path) -> None:
        page = tmp_path / "wide.html"
        page.write_text("<h1 style='font-size:50px'>" + "unbreakable" * 40 + "</h1>")
        render_page(renderer, page, tmp_path / "out.png", timeout=30)
        with Image.open(tmp_path / "out.png") as image:
            assert image.size == (1024, 768)


class TestFailures:
    """Pages that do not render, and renders that take too long."""

    def test_a_missing_page_fails_with_the_renderers_words(self, renderer: HtmlRenderer, tmp_path: Path) -> None:
        with pytest.raises(RenderFailed, match="made no image"):
            render_page(renderer, tmp_path / "absent.html", tmp_path / "out.png", timeout=30)

    def test_a_page_that_never_loads_is_killed_at_the_limit(self, tmp_path: Path, silent_server: int) -> None:
        renderer = HtmlRenderer("wkhtmltoimage", VIEWPORT, 200, sandbox=Sandbox(allowed_hosts=(f"127.0.0.1:{silent_server}",)))
        page = tmp_path / "never-loads-7f3a.html"
        page.write_text(f'<html><body><img src="http://127.0.0.1:{silent_server}/hang.png"></body></html>')
        started = time.monotonic()
        with pytest.raises(RenderTimedOut, match="took longer than 1 s"):
            render_page(renderer, page, tmp_path / "out.png", timeout=1)
        assert time.monotonic() - started < 10
        assert processes_rendering(page.name) == [], "no renderer process is left behind"

    def test_a_missing_binary_is_reported(self, tmp_path: Path) -> None:
        missing = HtmlRenderer("no-such-wkhtmltoimage", VIEWPORT, 0)
        with pytest.raises(RendererMissing):
            render_page(missing, tmp_path / "a.html", tmp_path / "out.png", timeout=5)
        with pytest.raises(RendererMissing):
            missing.version()


class TestVersion:
    """What the readiness check reports."""

    def test_the_installed_version(self, renderer: HtmlRenderer) -> None:
        assert renderer.version().startswith("0.12")


DOCS = Path("/usr/share/doc")


def render_real(page: Path, out: Path, page_bytes: int | None, memory_mb: int = 1024) -> None:
    from proxyservice.services.sources import SourceFiles

    view = SourceFiles((DOCS,), out.parent / "uploads", 10**9).page_view(page, 1)
    HtmlRenderer("wkhtmltoimage", VIEWPORT, 200, memory_mb=memory_mb, sandbox=Sandbox(hidden=(DOCS,)),
                 page_bytes=page_bytes).render(page, out, 30, view)


class TestHugePages:
    """A page far longer than its first screen is laid out from its start and its end only."""

    @pytest.mark.parametrize("name", ["python3.11/html/contents.html", "python3.11/html/genindex-all.html"])
    def test_the_preview_of_the_cut_page_is_the_whole_pages(self, tmp_path: Path, name: str) -> None:
        from tests.support import mean_difference

        render_real(DOCS / name, tmp_path / "whole.png", page_bytes=None)
        render_real(DOCS / name, tmp_path / "cut.png", page_bytes=1024 * 1024)
        whole, cut = assert_not_blank(tmp_path / "whole.png"), assert_not_blank(tmp_path / "cut.png")
        assert mean_difference(whole, cut) < 1.0, "the first screen, sidebar included, is the same"

    def test_nodes_all_html_renders_in_a_quarter_of_the_memory_it_needed(self, tmp_path: Path) -> None:
        """8.4 MB: whole, it needs about 1 GB and 23 s; cut, it renders under 256 MiB."""
        render_real(DOCS / "nodejs/api/all.html", tmp_path / "cut.png", page_bytes=1024 * 1024, memory_mb=256)
        assert_not_blank(tmp_path / "cut.png")
        with pytest.raises(RenderFailed, match="needed more than 256 MiB"):
            render_real(DOCS / "nodejs/api/all.html", tmp_path / "whole.png", page_bytes=None, memory_mb=256)


class TestCutting:
    """Where a huge page is cut."""

    def test_the_start_and_the_sidebar_after_the_content_stay(self) -> None:
        from proxyservice.services.renderer.cutting import cut_page

        filler = "".join(f"<section><h2>Part {i}</h2><p>{'words ' * 200}</p></section>" for i in range(2000))
        page = (f"<html><head><style>body {{ margin: 0 }}</style></head><body><div class='document'>"
                f"<div class='body'>{filler}</div><div class='sidebar'>SIDEBAR</div></div>"
                f"<script>var s = '</div><div>';</script><footer>FOOTER</footer></body></html>").encode()
        cut = cut_page(page, 100_000)
        assert cut is not None and len(cut) < 100_000 < len(page)
        text = cut.decode()
        assert text.startswith("<html><head><style>") and "Part 0" in text and "Part 1999" not in text
        assert text.index("</div><div class='sidebar'>SIDEBAR") > text.index("Part 1")
        assert text.endswith("<footer>FOOTER</footer></body></html>")

    def test_a_page_under_the_limit_is_left_whole(self) -> None:
        from proxyservice.services.renderer.cutting import cut_page

        assert cut_page(b"<p>short</p>", 1024) is None

    def test_scripts_and_comments_are_never_cut_through(self) -> None:
        from proxyservice.services.renderer.cutting import cut_page

        page = ("<html><body><div>" + "<p>x</p>" * 2000 + "<script>" + "var a = '<div>';" * 5000
                + "</script><!--" + "<div>" * 5000 + "--></div></body></html>").encode()
        cut = cut_page(page, 30_000)
        assert cut is not None
        text = cut.decode()
        assert text.count("<script>") == text.count("</script>")
        assert text.count("<!--") == text.count("-->")


class TestWhatARenderSays:
    """Warnings a user can read; pages that navigate away still get their preview."""

    def test_two_thousand_broken_links_say_so_in_a_few_lines(self, renderer: HtmlRenderer, tmp_path: Path) -> None:
        from proxyservice.services.renderer.load_warnings import MAX_WARNINGS

        page = tmp_path / "broken.html"
        page.write_text("<h1>broken</h1>" + "".join(f'<img src="http://h{i}.invalid/{i}.png">' for i in range(2000)))
        report = render_page(renderer, page, tmp_path / "out.png", timeout=30)
        assert len(report.warnings) == MAX_WARNINGS + 1
        assert report.warnings[-1].startswith("… and ") and report.warnings[-1].endswith(" more")
        assert sum(len(w) for w in report.warnings) < 20_000

    @pytest.mark.parametrize("leaving", [
        '<meta http-equiv="refresh" content="0; url=http://127.0.0.1:9/">',
        "<script>location.href = 'http://127.0.0.1:9/';</script>",
        '<form id="f" action="http://127.0.0.1:9/"></form><script>document.getElementById("f").submit();</script>',
    ])
    def test_a_page_that_navigates_away_is_drawn_as_it_was(self, renderer: HtmlRenderer, tmp_path: Path,
                                                           leaving: str) -> None:
        page = tmp_path / "leaving.html"
        page.write_text(f"<html><body style='background:#1f4e8c'><h1 style='color:white'>Staying</h1>{leaving}</body></html>")
        render_page(renderer, page, tmp_path / "out.png", timeout=30)
        assert_not_blank(tmp_path / "out.png")
