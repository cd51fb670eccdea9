"""What a page says of itself in its ``<head>``: its title, language and description.

Read with the standard library's HTML parser (pure Python: no converter to
sandbox), from the first :data:`HEAD_AT_MOST` bytes only, and stopped at the
``<body>``: a stranger's 50 MB page costs what its head does.
"""

import codecs
import re
from html.parser import HTMLParser
from typing import Any

HEAD_AT_MOST = 256 * 1024
TEXT_AT_MOST = 2_000
"""The most characters kept of a title or a description."""
CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class _Head(HTMLParser):
    """Collects the title, the ``lang`` of ``<html>`` and the description, until the body starts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: list[str] = []
        self.language: str | None = None
        self.description: str | None = None
        self.in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:  # the rest of a line fed whole
            return
        found = {name: value or "" for name, value in attrs}
        if tag == "html":
            self.language = self.language or found.get("lang") or found.get("xml:lang") or None
        elif tag == "title" and not self.title:
            self.in_title = True
        elif tag == "meta" and found.get("name", "").lower() == "description":
            self.description = self.description or found.get("content") or None
        elif tag == "body":
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False

    def handle_data(self, data: str) -> None:
        if self.in_title and not self.done:
            self.title.append(data)


def page_facts(page: bytes) -> dict[str, Any]:
    """The page's ``title``, ``language`` and ``description`` (``None`` where it says nothing)."""
    head = page[:HEAD_AT_MOST]
    parser = _Head()
    for line in decoded_page(head).splitlines(keepends=True):
        parser.feed(line)
        if parser.done:
            break
    return {"title": _cleaned("".join(parser.title)), "language": _cleaned(parser.language, 35),
            "description": _cleaned(parser.description)}


def decoded_page(head: bytes) -> str:
    """The head as text: in the charset it declares (a BOM first), else UTF-8, never failing."""
    if head.startswith(codecs.BOM_UTF8):
        return head[3:].decode("utf-8", "replace")
    declared = CHARSET.search(head[:4096])
    name = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return head.decode(codecs.lookup(name).name, "replace")
    except LookupError:
        return head.decode("utf-8", "replace")


def _cleaned(text: str | None, limit: int = TEXT_AT_MOST) -> str | None:
    """Whitespace runs made one space, cut to ``limit``; ``None`` for nothing."""
    words = " ".join((text or "").split())
    return words[:limit] or None
