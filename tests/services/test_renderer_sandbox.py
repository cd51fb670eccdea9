"""Rendering pages written by strangers: no network, no files outside the page's tree, bounded memory.

Each test attacks the real wkhtmltoimage: a canary HTTP server on loopback
must receive nothing, and a canary image outside the page's folder must not
show in the render.
"""

import http.server
import os
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from proxyservice.domain import ProxySize
from proxyservice.services.renderer import HtmlRenderer, RenderFailed

VIEWPORT = ProxySize(1024, 768)
MAGENTA = (255, 0, 255)


class Canary:
    """A loopback HTTP server that records every request."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        canary = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canary.hits.append(self.path)
                if self.path.startswith("/to-file"):
                    self.send_response(302)
                    self.send_header("Location", self.path.split("?", 1)[1])
                    self.end_headers()
                    return
                if self.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", f"http://127.0.0.1:{canary.port}/after-redirect")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"x")

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.server.shutdown()


def every_kind_of_request(canary: Canary, host: str) -> str:
    u = lambda path: canary.url(path, host)  # noqa: E731
    return f"""<html><head>
<link rel="stylesheet" href="{u('/link.css')}"><script src="{u('/script.js')}"></script>
<style>body {{ background: url({u('/css-url.png')}) }} @import url({u('/import.css')});</style></head>
<body><img src="{u('/img.png')}"><iframe src="{u('/iframe.html')}"></iframe><iframe src="{u('/redirect')}"></iframe>
<script>var x = new XMLHttpRequest(); x.open("GET", "{u('/xhr')}"); x.send();</script></body></html>"""


def render(tmp_path: Path, html: str, **options: object) -> Path:
    page = tmp_path / "site" / "page.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(html)
    out = tmp_path / "out.png"
    HtmlRenderer("wkhtmltoimage", VIEWPORT, 200, **options).render(page, out, timeout=30)  # type: ignore[arg-type]
    return out


def magenta_pixels(png: Path) -> int:
    with Image.open(png) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 24) or []
        return sum(count for count, colour in colours if colour == MAGENTA)


class TestNoNetwork:
    """A page's requests to http(s) hosts are not made."""

    @pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
    def test_the_canary_receives_nothing(self, tmp_path: Path, canary: Canary, host: str) -> None:
        render(tmp_path, every_kind_of_request(canary, host))
        time.sleep(0.2)
        assert canary.hits == []

    def test_an_allowed_host_is_reached_and_no_other(self, tmp_path: Path, canary: Canary) -> None:
        render(tmp_path, every_kind_of_request(canary, "localhost"), allowed_hosts=("localhost",))
        time.sleep(0.2)
        assert {"/link.css", "/img.png", "/xhr", "/iframe.html", "/redirect"} <= set(canary.hits)
        assert "/after-redirect" not in canary.hits, "a redirect to another host stays blocked"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A magenta canary image outside the page's folder."""
    secret = tmp_path / "secret"
    secret.mkdir()
    Image.new("RGB", (600, 600), MAGENTA).save(secret / "canary.png")
    return secret / "canary.png"


class TestLocalFiles:
    """Only the page's own tree is readable; the canary image never shows."""

    def test_the_canary_shows_when_allowed(self, tmp_path: Path, outside: Path) -> None:
        """The check can fail: with the canary's folder readable, it shows."""
        page = tmp_path / "site" / "page.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<img src="file://{outside}">')
        HtmlRenderer("wkhtmltoimage", VIEWPORT, 200).render(page, tmp_path / "out.png", 30, readable=tmp_path)
        assert magenta_pixels(tmp_path / "out.png") > 10000

    @pytest.mark.parametrize(
        "reference",
        ["file://{canary}", "FILE://{canary}", "File://{canary}", "../secret/canary.png",
         "./../secret/canary.png", "link/canary.png", "linked-canary.png"],
    )
    def test_references_out_of_the_tree_show_nothing(self, tmp_path: Path, outside: Path, reference: str) -> None:
        site = tmp_path / "site"
        site.mkdir()
        os.symlink(outside.parent, site / "link")
        os.symlink(outside, site / "linked-canary.png")
        html = (f'<img src="{reference.format(canary=outside)}">'
                f'<div style="width:600px;height:600px;background:url({reference.format(canary=outside)})"></div>')
        assert magenta_pixels(render(tmp_path, html)) == 0

    def test_a_redirect_to_a_file_shows_nothing(self, tmp_path: Path, outside: Path, canary: Canary) -> None:
        html = f'<img src="{canary.url("/to-file?file://" + str(outside))}"><iframe src="{canary.url("/to-file?file://" + str(outside))}"></iframe>'
        out = render(tmp_path, html, allowed_hosts=("127.0.0.1",))
        assert any(hit.startswith("/to-file") for hit in canary.hits), "the redirect was served"
        assert magenta_pixels(out) == 0


class TestLimits:
    """Pages built to exhaust the renderer end within the limits."""

    def test_a_page_200000_px_tall_is_clipped_to_the_window(self, tmp_path: Path) -> None:
        started = time.monotonic()
        out = render(tmp_path, '<div style="height:200000px;background:linear-gradient(red,blue)">tall</div>')
        with Image.open(out) as image:
            assert image.size == (1024, 768)
        assert time.monotonic() - started < 20

    def test_a_page_that_allocates_without_end_is_stopped_by_the_memory_limit(self, tmp_path: Path) -> None:
        greedy = ("<script>var a=[]; for (var i=0;i<400;i++){ a.push(new Array(1024*1024).join('xxxxxxxx') + i); }"
                  "document.body.innerHTML='done '+a.length;</script>")
        started = time.monotonic()
        try:
            render(tmp_path, f"<html><body>{greedy}</body></html>", memory_mb=256)
        except RenderFailed:
            pass  # no image at all is as good an end as a partial one
        assert time.monotonic() - started < 15, "without the limit it takes 3 GB and about 20 s"

    def test_an_endless_stylesheet_ends_within_the_time_limit(self, tmp_path: Path) -> None:
        """A stylesheet from an allowed host that never stops coming."""
        from proxyservice.services.renderer import RenderTimedOut

        class Endless(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.end_headers()
                try:
                    while True:
                        self.wfile.write(b"body { color: red; }\n" * 100)
                        time.sleep(0.01)
                except OSError:
                    pass

            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endless)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        page = tmp_path / "site" / "endless-css-5e2b.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<link rel="stylesheet" href="http://127.0.0.1:{server.server_address[1]}/endless.css"><h1>x</h1>')
        started = time.monotonic()
        try:
            with pytest.raises(RenderTimedOut):
                HtmlRenderer("wkhtmltoimage", VIEWPORT, 200, allowed_hosts=("127.0.0.1",)).render(
                    page, tmp_path / "out.png", timeout=3)
        finally:
            server.shutdown()
        assert time.monotonic() - started < 6
        import subprocess

        assert subprocess.run(["pgrep", "-f", page.name], capture_output=True).stdout == b""

    def test_an_endless_script_ends_within_the_time_limit(self, tmp_path: Path) -> None:
        from proxyservice.services.renderer import RenderTimedOut

        page = tmp_path / "site" / "spin-0c1d.html"
        page.parent.mkdir(parents=True)
        page.write_text("<html><body><h1>spin</h1><script>while (true) {}</script></body></html>")
        started = time.monotonic()
        try:
            HtmlRenderer("wkhtmltoimage", VIEWPORT, 200).render(page, tmp_path / "out.png", timeout=5)
        except (RenderTimedOut, RenderFailed):
            pass
        assert time.monotonic() - started < 8
        import subprocess

        assert subprocess.run(["pgrep", "-f", page.name], capture_output=True).stdout == b""
