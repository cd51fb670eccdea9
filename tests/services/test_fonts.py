"""The fonts pages ask for by name, found by both engines in the real sandbox (config/fonts, config/install.sh).

Pages name Arial, Helvetica, Verdana, Segoe UI... which no Debian font is
called. Chromium asks fontconfig for a stand-in; QtWebKit (wkhtmltoimage)
takes only families it finds by name and drew every other in its serif
default, so a sans-serif page reflowed in a wider serif. Each name must draw
exactly as the font that stands in for it, in each engine, and the text must
take the same width in both engines.
"""

from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image, ImageChops

from proxyservice.domain import ProxySize
from proxyservice.services.renderer import ChromiumRenderer, HtmlRenderer, PageRenderer
from proxyservice.services.sandbox import Sandbox, kept
from proxyservice.services.sources import SourceFiles
from tests.support import mean_difference

CHROMIUM = "/usr/lib/chromium/chromium"
VIEWPORT = ProxySize(1024, 768)
ENGINES = [
    "wkhtmltoimage",
    pytest.param("chromium", marks=pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                                       reason="chromium is not installed (config/install.sh)")),
]
TEXT = "Hamburgefonstiv quick brown fox 0123456789"
STANDS_IN = [
    ("Arial", "Liberation Sans"),
    ("Helvetica", "Liberation Sans"),
    ("sans-serif", "Liberation Sans"),
    ("Times New Roman", "Liberation Serif"),
    ("Courier New", "Liberation Mono"),
    ("Verdana", "DejaVu Sans"),
    ("Segoe UI", "Noto Sans"),
    ("Georgia", "Noto Serif"),
]
"""A name pages ask for, and the font installed that draws it."""


@pytest.fixture(scope="module", autouse=True)
def no_chromium_left() -> Iterator[None]:
    yield
    kept.close_all()


def draw(tmp_path: Path, engine: str, family: str) -> Image.Image:
    """``TEXT`` in ``family`` (a CSS font-family value), drawn by ``engine`` in the sandbox."""
    folder = tmp_path / "pages"
    folder.mkdir(exist_ok=True)
    page = folder / f"{engine}-{abs(hash(family))}.html"
    page.write_text(f'<body style="margin:20px;background:#fff"><p style="font: 40px {family}">{TEXT}</p></body>')
    sources = SourceFiles((folder,), tmp_path / "uploads", 10**6)
    engine_renderer: PageRenderer = (ChromiumRenderer(CHROMIUM, VIEWPORT, 0, None, Sandbox()) if engine == "chromium"
                                     else HtmlRenderer("wkhtmltoimage", VIEWPORT, 0, None, Sandbox()))
    out = tmp_path / f"{page.stem}.png"
    engine_renderer.render(page, out, 30, sources.page_view(page, levels_up=0))
    return Image.open(out).convert("L")


def ink_width(picture: Image.Image) -> int:
    """The width of what is drawn (dark pixels), in pixels."""
    box = ImageChops.invert(picture).point(lambda level: 255 if level > 64 else 0).getbbox()
    assert box is not None, "nothing was drawn"
    return box[2] - box[0]


@pytest.mark.parametrize("engine", ENGINES)
class TestNamesPagesAskFor:
    @pytest.mark.parametrize(("asked", "installed"), STANDS_IN)
    def test_each_draws_as_the_font_that_stands_in_for_it(self, tmp_path: Path, engine: str, asked: str,
                                                          installed: str) -> None:
        family = asked if asked == "sans-serif" else f"'{asked}'"
        assert mean_difference(draw(tmp_path, engine, family), draw(tmp_path, engine, f"'{installed}'")) < 0.5

    def test_control_a_family_no_font_stands_in_for_is_drawn_otherwise(self, tmp_path: Path, engine: str) -> None:
        assert mean_difference(draw(tmp_path, engine, "'No Such Family'"),
                               draw(tmp_path, engine, "'Liberation Sans'")) > 2


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed (config/install.sh)")
@pytest.mark.parametrize("family", ["Arial", "Verdana", "'Segoe UI', sans-serif", "serif"])
def test_the_two_engines_give_text_the_same_width(tmp_path: Path, family: str) -> None:
    """Text that takes the same width wraps alike: the two engines' pages are laid out alike."""
    old, new = ink_width(draw(tmp_path, "wkhtmltoimage", family)), ink_width(draw(tmp_path, "chromium", family))
    assert abs(old - new) <= 0.02 * new, (old, new)
