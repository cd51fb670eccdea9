"""Cutting a huge page down to what its preview shows, before the renderer lays it out.

A preview is the page's first screen, but wkhtmltoimage lays out the whole
document first: Node's ``api/all.html`` (8.4 MB) takes about 1 GB and 23 s.
So a page longer than the limit keeps its start (far more than one screen)
and its last part (where Sphinx and many generators put sidebars and
footers, which are drawn at the top), and loses the middle: the elements
open at the cut are closed there, and the document resumes at the end tag
of the outermost element around the cut whose remainder fits.

A page is cut only when its first screen is drawn from its own markup: the
start it keeps shows at least :data:`MIN_SHOWN_TEXT` characters of text of
its body (outside scripts, styles and elements hidden by ``hidden`` or an
inline ``display: none``). A page built by its script from data inside the
file (a single-file wiki such as TiddlyWiki, an app with its state inline)
shows next to nothing of its own: its first screen depends on all of it, so
it is kept whole, and rendered within RENDER_MEMORY_MB and RENDER_TIMEOUT.

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
MIN_SHOWN_TEXT = 2000
"""Characters of visible body text the kept start must hold for the page to be cut: about a first screen's worth
(a 1024×768 window holds some 4,000 characters of 16 px text). Sphinx and Node.js pages hold hundreds of
thousands; a script-built page a heading or a "needs JavaScript" line."""
HIDDEN = re.compile(r"""\shidden(?:[\s=/>]|$)|display\s*:\s*none""", re.IGNORECASE)
"""An opening tag whose element is not drawn: its text is data, not what the first screen shows."""
HEAD_ELEMENTS = frozenset({"html", "head", "meta", "link", "title", "style", "script", "base", "noscript", "template"})
WORD = re.compile(r"\S+")


CUT = ("the page is {size}: it was drawn from its start and its end, {kept} in all, without its middle "
       "(RENDER_PAGE_BYTES)")
"""Said of every page drawn cut."""


def cut_warning(size: int, kept: int) -> str:
    """The warning that a page of ``size`` bytes was drawn from ``kept`` of them."""
    return CUT.format(size=_bytes(size), kept=_bytes(kept))


def _bytes(count: int) -> str:
    return f"{count / (1024 * 1024):.1f} MiB" if count >= 1024 * 1024 else f"{count // 1024} KiB"


@dataclass
class _Open:
    name: str
    end: int | None = None
    """Where its end tag starts, once seen."""
    hidden: bool = False
    """Whether it is not drawn (``hidden``, ``display: none``), nor anything in it."""


def cut_page(page: bytes, limit: int) -> bytes | None:
    """``page`` cut to about ``limit`` bytes, or ``None`` when it is no longer than that.

    Parameters
    ----------
    page
        The page's bytes, in any ASCII-compatible encoding (tags are ASCII).
    limit
        The most bytes to keep: the start, and up to a quarter of it from the end.

    Returns
    -------
    bytes or None
        ``None`` also when the page must be drawn whole: its kept start shows too little of its own
        (see the module's docstring).
    """
    if len(page) <= limit:
        return None
    text = page.decode("latin-1")  # one character per byte: positions in the text are positions in the page
    keep_start = limit - limit // TAIL_SHARE
    stack: list[_Open] = []
    at_cut: list[_Open] | None = None
    cut = len(text)
    position = 0
    in_body = False
    shown = 0
    while True:
        match = TAG.search(text, position)
        if match is None:
            break
        if at_cut is None and in_body and shown < MIN_SHOWN_TEXT and not any(open_.hidden for open_ in stack):
            shown += sum(len(word) for word in WORD.findall(text, position, match.start()))
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
        counting = at_cut is None and shown < MIN_SHOWN_TEXT
        if counting and not in_body:
            # The body starts at its tag, at the end of the head, or at the first element only a body holds.
            in_body = name == "body" or (closing and name == "head") or name not in HEAD_ELEMENTS
        if not closing and name in RAW_TEXT:
            found = _find_end(text, name, position)
            closed = text.find(">", found) if found >= 0 else -1
            # Past its end tag too: a cut there would leave the element open over the rest.
            position = len(text) if closed < 0 else closed + 1
            continue
        if name not in CONTAINERS or match.group(0).endswith("/>"):
            continue
        if not closing:
            stack.append(_Open(name, hidden=counting and bool(HIDDEN.search(match.group(0)))))
            continue
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth].name == name:
                for element in stack[depth:]:
                    element.end = match.start()
                del stack[depth:]
                break
    if at_cut is None or shown < MIN_SHOWN_TEXT:
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
