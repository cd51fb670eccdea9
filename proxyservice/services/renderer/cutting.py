"""Cutting a huge page down to what its preview shows, before the renderer lays it out.

A preview is the page's first screen, but wkhtmltoimage lays out the whole
document first: Node's ``api/all.html`` (8.4 MB) takes about 1 GB and 23 s.
So a page longer than the limit keeps its start (far more than one screen)
and its last part (where Sphinx and many generators put sidebars and
footers, which are drawn at the top), and loses the middle: the elements
open at the cut are closed there, and the document resumes at the end tag
of the outermost element around the cut whose remainder fits.

The page is scanned with a small linear tag scanner, not ``html.parser``:
only tag positions are needed, the scan runs in the worker on files written
by strangers, and Python 3.11's ``html.parser`` is quadratic on some
malformed input (CVE-2025-6069). A page whose tags are unbalanced still
renders: browsers close what is left open and ignore stray end tags.
"""

import re
from dataclasses import dataclass
from functools import cache

TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)[^>]*>|<!--|<!\[CDATA\[")
RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "noscript", "iframe", "noembed", "noframes"})
"""Elements whose content is not markup: a cut never falls inside them."""
CONTAINERS = frozenset({
    "html", "body", "div", "section", "article", "main", "aside", "nav", "header", "footer", "table",
    "ul", "ol", "dl", "blockquote", "form", "figure", "details", "fieldset", "pre", "span", "a", "em",
    "strong", "code", "h1", "h2", "h3", "h4", "h5", "h6",
})
"""Elements whose end tag is never left out: only these are tracked (p, li, td… may close implicitly)."""
TAIL_SHARE = 4
"""At most a quarter of what is kept comes from the end of the page."""


@dataclass
class _Open:
    name: str
    end: int | None = None
    """Where its end tag starts, once seen."""


def cut_page(page: bytes, limit: int) -> bytes | None:
    """``page`` cut to about ``limit`` bytes, or ``None`` when it is no longer than that.

    Parameters
    ----------
    page
        The page's bytes, in any ASCII-compatible encoding (tags are ASCII).
    limit
        The most bytes to keep: the start, and up to a quarter of it from the end.
    """
    if len(page) <= limit:
        return None
    text = page.decode("latin-1")  # one character per byte: positions in the text are positions in the page
    keep_start = limit - limit // TAIL_SHARE
    stack: list[_Open] = []
    at_cut: list[_Open] | None = None
    cut = len(text)
    position = 0
    while True:
        match = TAG.search(text, position)
        if match is None:
            break
        if at_cut is None and match.start() >= keep_start:
            cut, at_cut = match.start(), list(stack)
        position = match.end()
        if match.group(0) == "<!--":
            found = text.find("-->", position)
            position = len(text) if found < 0 else found + 3
            continue
        if match.group(0) == "<![CDATA[":
            found = text.find("]]>", position)
            position = len(text) if found < 0 else found + 3
            continue
        closing, name = match.group(1) == "/", match.group(2).lower()
        if not closing and name in RAW_TEXT:
            found = _find_end(text, name, position)
            closed = text.find(">", found) if found >= 0 else -1
            # Past its end tag too: a cut there would leave the element open over the rest.
            position = len(text) if closed < 0 else closed + 1
            continue
        if name not in CONTAINERS or match.group(0).endswith("/>"):
            continue
        if not closing:
            stack.append(_Open(name))
            continue
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth].name == name:
                for element in stack[depth:]:
                    element.end = match.start()
                del stack[depth:]
                break
    if at_cut is None:
        return None
    budget = limit // TAIL_SHARE
    resume = len(text)
    closed_here = at_cut
    for depth in range(len(at_cut) - 1, -1, -1):
        seen = at_cut[depth].end
        end = len(text) if seen is None else seen
        if len(text) - end <= budget:
            resume, closed_here = end, at_cut[depth + 1:]
            break
    closing_tags = "".join(f"</{element.name}>" for element in reversed(closed_here))
    return (text[:cut] + closing_tags + text[resume:]).encode("latin-1")


@cache
def _end_tag(name: str) -> "re.Pattern[str]":
    return re.compile(f"</{name}", re.IGNORECASE)


def _find_end(text: str, name: str, start: int) -> int:
    """Where the end tag of a raw-text element starts, in any letter case."""
    match = _end_tag(name).search(text, start)
    return match.start() if match else -1
