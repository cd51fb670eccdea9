"""A page's preview drawn blank where the page is not: drawn again the ways that can fix it, else said or failed.

Through the plugins' real jobs, the real engines and a real store: the picture kept is the one a user sees.
"""

import dataclasses
import io
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from proxyservice.config import Settings
from proxyservice.container import Services
from proxyservice.plugins.blank_preview import PreviewBlank
from proxyservice.plugins.context import JobContext, call_job
from proxyservice.plugins.html_preview import render_html_preview
from proxyservice.plugins.markdown_preview import render_markdown_preview
from proxyservice.services.sandbox import kept
from tests.scripted_pages import single_file_wiki
from tests.support import assert_not_blank, pictures


@pytest.fixture(scope="module", autouse=True)
def no_chromium_left() -> Iterator[None]:
    """The Chromium a job keeps warm (the other engine, tried on a blank page) is stopped after the last test."""
    yield
    kept.close_all()


def preview(settings: Settings, page: Path, job: object = render_html_preview) -> tuple[list[str], Image.Image]:
    """Run the plugin's job on ``page``; its warnings and the stored preview."""
    context: JobContext = Services(settings).job_context
    file_id = context.sources.describe(page.resolve(), settings.default_proxy_size).file_id
    warnings: list[str] = call_job(job, [file_id, str(page.resolve()), 400, 300], context)  # type: ignore[arg-type]
    [proxy] = pictures(context.store.list(file_id))
    with context.store.local_file(context.store.get(file_id, proxy.typeidentifier)[1]) as stored:
        image = Image.open(stored)
        image.load()
    return warnings, image


def is_blank(image: Image.Image) -> bool:
    colours = image.convert("RGB").getcolors(maxcolors=8)
    return colours is not None and len(colours) == 1


class TestScriptBuiltPages:
    """A 1.3 MB single-file wiki, drawn by its script from the JSON store inside it."""

    def test_it_is_drawn_whole_and_shows_its_story(self, settings: Settings, source_dir: Path) -> None:
        warnings, image = preview(settings, single_file_wiki(source_dir / "wiki.html"))
        assert_not_blank(_png(image))
        assert not any("blank" in warning or "RENDER_PAGE_BYTES" in warning for warning in warnings), warnings

    def test_one_that_only_the_other_engine_can_draw_is_drawn_by_it_when_enabled(
            self, settings: Settings, source_dir: Path) -> None:
        both = dataclasses.replace(settings, ENABLED_PLUGINS=("html_preview::HTMLPreview",
                                                              "html_chromium::ChromiumPreview"))
        warnings, image = preview(both, single_file_wiki(source_dir / "modern.html", modern=True))
        assert_not_blank(_png(image))
        assert any("drawn by chromium: wkhtmltoimage drew it blank" in warning for warning in warnings), warnings

    def test_one_no_engine_draws_succeeds_with_a_warning_that_says_so(
            self, settings: Settings, source_dir: Path) -> None:
        warnings, image = preview(settings, single_file_wiki(source_dir / "modern.html", modern=True))
        assert is_blank(image)
        [said] = [warning for warning in warnings if "blank" in warning]
        assert said.startswith("the preview is blank (one colour), though the page has text, pictures or scripts")
        assert "no other HTML engine is enabled" in said and "BLANK_PROXY=fail" in said

    def test_and_fails_when_blank_proxy_says_fail(self, settings: Settings, source_dir: Path) -> None:
        failing = dataclasses.replace(settings, BLANK_PROXY="fail")
        with pytest.raises(PreviewBlank, match=r"the preview is blank .* \(BLANK_PROXY=fail\)$"):
            preview(failing, single_file_wiki(source_dir / "modern.html", modern=True))


class TestPagesThatAreBlank:
    """A page with nothing of its own draws blank, and that is the truth: no warning."""

    @pytest.mark.parametrize("markup", [
        "<!doctype html><html><head><title>Nothing</title><style>body { background: #eee }</style></head>"
        "<body></body></html>",
        "<html><body>  <!-- nothing yet -->  </body></html>",
    ])
    def test_an_empty_body_draws_blank_without_a_warning(self, settings: Settings, source_dir: Path,
                                                         markup: str) -> None:
        page = source_dir / "empty.html"
        page.write_text(markup)
        warnings, image = preview(dataclasses.replace(settings, BLANK_PROXY="fail"), page)
        assert is_blank(image) and warnings == []

    def test_text_hidden_from_the_first_screen_is_said(self, settings: Settings, source_dir: Path) -> None:
        page = source_dir / "hidden.html"
        page.write_text("<html><body><p style='margin-top: 2000px'>Far below</p></body></html>")
        warnings, image = preview(settings, page)
        assert is_blank(image)
        assert any(warning.startswith("the preview is blank") for warning in warnings)


class TestMarkdown:
    """Markdown wider than the window fits it."""

    def test_a_wide_table_is_seen_to_its_right_edge(self, settings: Settings, source_dir: Path) -> None:
        columns = 16
        page = source_dir / "wide.md"
        page.write_text("# Measurements\n\n| " + " | ".join(f"Column {i}" for i in range(columns)) + " |\n"
                        + "|---" * columns + "|\n| " + " | ".join(["x"] * (columns - 1)) + " | **LAST** |\n")
        warnings, image = preview(settings, page, render_markdown_preview)
        rgb = image.convert("RGB")
        # The table's right border, drawn grey (#d0d7de), lies inside the picture: nothing was cut at the edge.
        width, height = rgb.size
        borders = [x for x in range(width) for y in range(0, height // 3, 2) if rgb.getpixel((x, y))[2] < 235
                   and rgb.getpixel((x, y))[0] > 150]
        assert borders and max(borders) < width - 2, "the table ends inside the window"
        assert warnings == []


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
