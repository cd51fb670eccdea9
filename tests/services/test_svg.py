"""SVG drawings with the real rsvg-convert in the real sandbox, and drawings written to attack it."""

import base64
import io
import time
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from proxyservice.services.svg import SvgInvalid, SvgRasterizer, SvgTimedOut, SvgToolMissing
from tests.canary import MAGENTA, Canary, magenta_pixels
from tests.samples import SVG
from tests.support import assert_not_blank

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE svg [
<!ENTITY a "lollollollollollollollollollol">
""" + "".join(f'<!ENTITY {b} "{("&" + a + ";") * 10}">\n' for a, b in zip("abcdefgh", "bcdefghi")) + """]>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100"><text x="0" y="50">&i;</text></svg>
"""


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


def magenta_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 200), MAGENTA).save(out, "PNG")
    return out.getvalue()


def referring(href: str) -> str:
    """A drawing of one image, from ``href``, over its whole area."""
    return ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="200" '
            f'height="200"><rect width="200" height="200" fill="white"/><image href="{href}" xlink:href="{href}" '
            'x="0" y="0" width="200" height="200"/></svg>')


def draw(tmp_path: Path, text: str, timeout: float = 30) -> Path:
    (tmp_path / "in").mkdir(exist_ok=True)
    source = tmp_path / "in" / "drawing.svg"
    source.write_text(text)
    return SvgRasterizer().draw(source, tmp_path / "drawing.png", 400, 300, timeout)


class TestDrawing:
    """Drawings are drawn to fit the box, on white."""

    def test_a_drawing_fits_the_box_with_its_aspect(self, tmp_path: Path) -> None:
        image = assert_not_blank(draw(tmp_path, SVG))
        assert image.size == (400, 267)
        assert image.convert("RGB").getpixel((200, 133)) == (221, 51, 51), "the circle, in its own colour"

    def test_an_image_inside_the_drawing_is_drawn(self, tmp_path: Path) -> None:
        # The control of the tests below: what the drawing holds itself is shown, and seen by magenta_pixels.
        inline = "data:image/png;base64," + base64.b64encode(magenta_png()).decode()
        assert magenta_pixels(draw(tmp_path, referring(inline))) > 10_000


class TestNothingOutsideIsLoaded:
    """A drawing that refers to what is not in it: the network, a file beside it, a file elsewhere."""

    def test_a_url_is_never_fetched(self, tmp_path: Path, canary: Canary) -> None:
        for host in ("127.0.0.1", "[::1]"):
            drawn = draw(tmp_path, referring(canary.url("/canary.png", host)))
            assert magenta_pixels(drawn) == 0
        assert canary.settle() == []

    @pytest.mark.parametrize("href", ["canary.png", "./canary.png", "file://{folder}/canary.png",
                                      "{folder}/canary.png"])
    def test_a_file_beside_it_or_by_its_full_path_is_not_read(self, tmp_path: Path, href: str) -> None:
        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "canary.png").write_bytes(magenta_png())
        drawn = draw(tmp_path, referring(href.format(folder=tmp_path / "in")))
        assert magenta_pixels(drawn) == 0

    def test_a_text_file_is_not_included(self, tmp_path: Path) -> None:
        (tmp_path / "in").mkdir()
        (tmp_path / "in" / "secret.txt").write_text("X" * 400)
        text = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xi="http://www.w3.org/2001/XInclude" width="400" '
                'height="100"><rect width="400" height="100" fill="white"/><text x="0" y="80" font-size="90" '
                f'fill="magenta"><xi:include href="{tmp_path / "in" / "secret.txt"}" parse="text"/></text></svg>')
        assert magenta_pixels(draw(tmp_path, text)) == 0


class TestHostileDrawings:
    """Drawings made to exhaust the converter fail quickly, with a reason a user can read."""

    def test_a_billion_laughs_stops_at_the_parser(self, tmp_path: Path) -> None:
        started = time.monotonic()
        with pytest.raises(SvgInvalid, match="drawing.svg cannot be drawn: .*entity"):
            draw(tmp_path, BILLION_LAUGHS)
        assert time.monotonic() - started < 30

    def test_not_a_drawing(self, tmp_path: Path) -> None:
        with pytest.raises(SvgInvalid, match="drawing.svg cannot be drawn"):
            draw(tmp_path, "just words, not XML")

    def test_a_drawing_slower_than_its_limit_is_stopped(self, tmp_path: Path) -> None:
        # Thousands of blurred shapes: seconds of work, against a limit of a fraction of one.
        shapes = "".join(f'<circle cx="{i % 400}" cy="{i % 300}" r="300" fill="#{i % 255:02x}8888" '
                         'filter="url(#b)"/>' for i in range(3000))
        text = ('<svg xmlns="http://www.w3.org/2000/svg" width="4000" height="3000"><filter id="b">'
                f'<feGaussianBlur stdDeviation="80"/></filter>{shapes}</svg>')
        with pytest.raises(SvgTimedOut, match="took longer than 0.2 s"):
            draw(tmp_path, text, timeout=0.2)

    def test_no_rsvg_convert(self, tmp_path: Path) -> None:
        (tmp_path / "d.svg").write_text(SVG)
        with pytest.raises(SvgToolMissing, match="install librsvg2-bin"):
            SvgRasterizer("no-such-rsvg").draw(tmp_path / "d.svg", tmp_path / "o.png", 10, 10, 5)
