"""A page's title, language and description, read from its head as a browser would name the tab."""

import html
import re
from pathlib import Path

import pytest

from proxyservice.services.renderer.page_facts import page_facts
from tests.e2e.conftest import DOCS


class TestHead:
    """Pages that say what they are, and pages that do not."""

    def test_title_language_and_description(self) -> None:
        page = (b'<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>\n  \xc3\x9cberblick &amp; '
                b'Index </title><meta name="Description" content="Alles  auf einen Blick"></head><body>x</body>')
        assert page_facts(page) == {"title": "Überblick & Index", "language": "de",
                                    "description": "Alles auf einen Blick"}

    def test_a_page_that_says_nothing(self) -> None:
        assert page_facts(b"<p>only a paragraph") == {"title": None, "language": None, "description": None}

    def test_a_latin_1_page_is_read_in_its_charset(self) -> None:
        page = b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">' \
               b'<title>Caf\xe9</title></head></html>'
        assert page_facts(page)["title"] == "Café"

    def test_a_title_in_the_body_is_not_the_pages(self) -> None:
        assert page_facts(b"<html><body><svg><title>icon</title></svg></body></html>")["title"] is None

    def test_a_huge_title_is_cut(self) -> None:
        title = page_facts(b"<title>" + b"word " * 100_000 + b"</title>")["title"]
        assert title is not None and len(title) == 2000


@pytest.mark.parametrize("page", sorted(DOCS.rglob("*.html"))[::150], ids=lambda p: p.name)
def test_real_pages_titles_equal_what_the_markup_says(page: Path) -> None:
    """Debian's pages (UTF-8 or ASCII, one <title> each) against the <title> element's text, unescaped."""
    markup = page.read_text("utf-8", "replace")
    found = re.search(r"<title[^>]*>(.*?)</title>", markup, re.DOTALL | re.IGNORECASE)
    expected = " ".join(html.unescape(found.group(1)).split()) if found else ""
    assert page_facts(page.read_bytes())["title"] == (expected or None)
