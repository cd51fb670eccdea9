"""What the engines draw of huge script-built pages, and what their warnings name: both engines, real pages."""

from pathlib import Path

import pytest
from PIL import Image

from proxyservice.services.renderer import PageRenderer, RenderReport
from proxyservice.services.renderer.cutting import cut_page
from proxyservice.services.renderer.page_content import shows_something
from proxyservice.services.sandbox import Sandbox
from proxyservice.services.sources import SourceFiles
from tests.scripted_pages import single_file_wiki
from tests.services.test_renderer_sandbox import ENGINES, renderer
from tests.support import assert_not_blank, render_page

DOCS = Path("/usr/share/doc")
PAGE_BYTES = 1024 * 1024


def engine_with_cut(engine: str) -> PageRenderer:
    drawing = renderer(engine, Sandbox())
    drawing.page_bytes = PAGE_BYTES
    return drawing


def render_doc(engine: str, name: str, out: Path) -> RenderReport:
    """A page of Debian's documentation, as the plugin draws it with SOURCE_ROOTS=/usr/share/doc."""
    view = SourceFiles((DOCS,), out.parent / "uploads", 10**9).page_view(DOCS / name, 1)
    drawing = renderer(engine, Sandbox(hidden=(DOCS,)))
    drawing.page_bytes = PAGE_BYTES
    report: RenderReport = drawing.render(DOCS / name, out, 30, view)
    return report


class TestAScriptBuiltWiki:
    """A 1.3 MB single-file wiki whose script draws its story from the JSON store inside it (as TiddlyWiki)."""

    def test_it_is_kept_whole_where_a_cut_would_have_dropped_its_script(self, tmp_path: Path) -> None:
        page = single_file_wiki(tmp_path / "wiki.html").read_bytes()
        assert len(page) > PAGE_BYTES and cut_page(page, PAGE_BYTES) is None
        assert shows_something(page), "a script with an element to fill is something to show"

    @pytest.mark.parametrize("engine", ENGINES)
    def test_each_engine_draws_its_story(self, tmp_path: Path, engine: str) -> None:
        out = tmp_path / "out.png"
        report = render_page(engine_with_cut(engine), single_file_wiki(tmp_path / "wiki.html"), out)
        assert_not_blank(out)
        assert not report.cut and report.warnings == ()

    def test_a_store_hidden_in_the_page_keeps_it_whole_too(self) -> None:
        store = "".join(f"<div title='Note {i}'><pre>{'lorem ipsum ' * 40}</pre></div>" for i in range(3000))
        page = (f"<html><body><div id='story'></div><div id='storeArea' style='display:none'>{store}</div>"
                f"<script>/* draws the story from the store */</script></body></html>").encode()
        assert len(page) > PAGE_BYTES and cut_page(page, PAGE_BYTES) is None


class TestWhatWarningsName:
    """Warnings name the file the page could not load as the page names it, and the cut; never a worker's path."""

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize("name, named", [
        ("python3.11/html/library/os.html", "../_static/jquery.js, ../_static/underscore.js"),
        ("python3.11/html/index.html", "_static/jquery.js, _static/underscore.js"),
    ])
    def test_pythons_docs_name_the_links_out_of_their_tree(self, tmp_path: Path, engine: str, name: str,
                                                           named: str) -> None:
        # Debian links these two to /usr/share/javascript, outside the documentation's tree: refused, and said.
        report = render_doc(engine, name, tmp_path / "out.png")
        assert report.warnings == (f"the page refers to files that are missing or outside its folder: {named}; "
                                   "they were not loaded",)
        assert not any("/usr/" in warning or "/page/" in warning for warning in report.warnings)

    @pytest.mark.parametrize("engine", ENGINES)
    def test_many_missing_files_are_named_a_few_and_counted(self, tmp_path: Path, engine: str) -> None:
        page = tmp_path / "page.html"
        page.write_text("<h1>x</h1>" + "".join(f'<img src="img/missing-{i}.png">' for i in range(12))
                        + '<link rel="stylesheet" href="../../../etc/hosts.css">')
        report = render_page(renderer(engine, Sandbox()), page, tmp_path / "out.png")
        [said] = report.warnings
        assert said.startswith("the page refers to files that are missing or outside its folder: "
                               "img/missing-0.png, img/missing-1.png, img/missing-2.png, img/missing-3.png, "
                               "img/missing-4.png and 8 more; they were not loaded"), said
        assert str(tmp_path) not in said

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_cut_page_says_it_was_cut(self, tmp_path: Path, engine: str) -> None:
        report = render_doc(engine, "python3.11/html/contents.html", tmp_path / "out.png")
        assert report.cut
        assert report.warnings[0].startswith("the page is 2.4 MiB: it was drawn from its start and its end, ")
        assert report.warnings[0].endswith("without its middle (RENDER_PAGE_BYTES)")


class TestWhatDidNotLoadIsNotDrawn:
    """An image the page may not load keeps its place, without the engine's broken-image icon."""

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize("source", ["missing.png", "../../outside.png", "http://refused.invalid/x.png"])
    def test_no_broken_image_icon(self, tmp_path: Path, engine: str, source: str) -> None:
        page = tmp_path / "site" / "html" / "page.html"
        page.parent.mkdir(parents=True)
        Image.new("RGB", (300, 200), (200, 30, 30)).save(tmp_path / "outside.png")  # there, but not the page's
        page.write_text(f'<body style="margin:0;background:#fff"><img src="{source}" alt="a picture" '
                        'width="300" height="200" style="margin:40px"><p style="margin:40px">After it</p></body>')
        out = tmp_path / "out.png"
        report = render_page(renderer(engine, Sandbox()), page, out, tree=tmp_path / "site")
        with Image.open(out) as drawn:
            picture = drawn.convert("L").crop((40, 40, 340, 240))
        assert picture.getextrema() == (255, 255), "the image's place is white: no icon, no frame, no alt text"
        assert report.warnings, "the warnings say what did not load"

    @pytest.mark.parametrize("engine", ENGINES)
    def test_an_unsized_one_takes_the_place_of_its_alt_text(self, tmp_path: Path, engine: str) -> None:
        """libxslt's pages: a missing logo in a column of 120 px, its alt text longer than that on one line."""
        page = tmp_path / "page.html"
        page.write_text('<body style="margin:0;background:#fff"><table cellspacing="0" cellpadding="0" width="100%">'
                        '<tr><td width="120"><img src="missing.png" alt="Action against software patents"></td>'
                        '<td style="background:#000">&nbsp;</td></tr></table></body>')
        out = tmp_path / "out.png"
        render_page(renderer(engine, Sandbox()), page, out)
        with Image.open(out) as drawn:
            grey = drawn.convert("L")
            assert grey.getpixel((160, 5)) == 0, "the column keeps its width: the alt text wraps in it"
            assert grey.crop((0, 0, 110, 40)).getextrema() == (255, 255), "the alt text is not drawn"

    @pytest.mark.parametrize("engine", ENGINES)
    def test_control_an_image_that_loads_is_drawn(self, tmp_path: Path, engine: str) -> None:
        page = tmp_path / "page.html"
        Image.new("RGB", (300, 200), (200, 30, 30)).save(tmp_path / "red.png")
        page.write_text('<body style="margin:0;background:#fff"><img src="red.png" width="300" height="200" '
                        'style="margin:40px"></body>')
        out = tmp_path / "out.png"
        render_page(renderer(engine, Sandbox()), page, out)
        with Image.open(out) as drawn:
            assert drawn.convert("RGB").getpixel((190, 140)) == (200, 30, 30)


def black_run(picture: Image.Image, row: int) -> int:
    """How many pixels of ``row`` are black: the width of what the page drew black there."""
    grey = picture.convert("L")
    return sum(grey.getpixel((x, row)) < 60 for x in range(grey.width))


class TestLaidOutAsChromium:
    """What QtWebKit laid out otherwise, reflowing Python's documentation (issue 20): both engines lay it out alike."""

    @pytest.mark.parametrize("engine", ENGINES)
    @pytest.mark.parametrize("field, width", [
        # Chromium counts 20 characters of "0" for Lucida Grande (here DejaVu Sans), its OS/2 average for others.
        ('<input type="text" style="font: 12px \'Lucida Grande\', Arial, sans-serif">', 153),
        ('<input style="font: 16px Arial">', 206),
        ('<input type="text" size="10" style="font: 16px \'DejaVu Sans Mono\'">', 108),
    ])
    def test_a_text_field_without_a_width_is_as_wide_as_chromiums(self, tmp_path: Path, engine: str, field: str,
                                                                   width: int) -> None:
        """Python's search box: 159 px in Chromium, 123 in QtWebKit, which moved the document beside it."""
        page = tmp_path / "page.html"
        styled = field.replace('style="', 'style="padding:0;border:0;background:#000;-webkit-appearance:none;')
        page.write_text(f'<body style="margin:0;background:#fff">{styled}</body>')
        out = tmp_path / "out.png"
        render_page(renderer(engine, Sandbox()), page, out)
        with Image.open(out) as drawn:
            assert abs(black_run(drawn, 5) - width) <= 3

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_field_whose_width_the_page_sets_keeps_it(self, tmp_path: Path, engine: str) -> None:
        page = tmp_path / "page.html"
        page.write_text('<body style="margin:0;background:#fff"><input type="text" style="width:90px;padding:0;'
                        'border:0;background:#000;-webkit-appearance:none;font:12px Arial"></body>')
        out = tmp_path / "out.png"
        render_page(renderer(engine, Sandbox()), page, out)
        with Image.open(out) as drawn:
            assert black_run(drawn, 5) == 90

    @pytest.mark.parametrize("engine", ENGINES)
    def test_text_of_a_fractional_size_is_as_long(self, tmp_path: Path, engine: str) -> None:
        """Python's navigation bar, at 0.9em of 16 px: QtWebKit drew it at 14 px, 2.3 % shorter, so it wrapped elsewhere."""
        page = tmp_path / "page.html"
        text = "Python Frequently Asked Questions \u00bb The quick brown fox jumps"
        black = "white-space:nowrap;background:#000;color:#000"
        page.write_text(f'<body style="margin:0;background:#fff"><div style="font:14.4px \'DejaVu Sans\'">'
                        f'<span style="{black}">{text} {text}</span><p style="font-size:16px;margin:0">'
                        f'<span style="{black}">{text}</span></p></div></body>', encoding="utf-8")
        out = tmp_path / "out.png"
        render_page(renderer(engine, Sandbox()), page, out)
        with Image.open(out) as drawn:
            assert abs(black_run(drawn, 8) - 957) <= 5, "as in Chromium: 14.4 px of DejaVu Sans, not 14"
            assert abs(black_run(drawn, 26) - 529) <= 5, "what it holds at 16 px is spaced as it was"

    @pytest.mark.parametrize("engine", ENGINES)
    def test_a_sphinx_field_list_is_two_columns(self, tmp_path: Path, engine: str) -> None:
        """Sphinx's "Author: ..." is a grid of two columns, which QtWebKit has not: the value was a line lower."""
        page = tmp_path / "page.html"
        page.write_text('<style>dl.field-list { display: grid; grid-template-columns: fit-content(30%) auto; margin: 0 }'
                        ' dt, dd { margin: 0; font: 16px/20px Arial } dd { background: #000; color: #000 }</style>'
                        '<body style="margin:0;background:#fff"><dl class="field-list"><dt>Author:</dt>'
                        '<dd>A. M. Kuchling</dd><dt>Release:</dt><dd>3.11</dd></dl></body>')
        out = tmp_path / "out.png"
        render_page(renderer(engine, Sandbox()), page, out)
        with Image.open(out) as drawn:
            grey = drawn.convert("L")
            assert grey.getpixel((300, 10)) < 60 and grey.getpixel((300, 30)) < 60, "each value beside its name"
            assert grey.getpixel((20, 10)) > 60, "the names in a column of their own"
