"""A page's text as a reader sees it: what its body shows, paragraphs on lines of their own, for search.

Read with the standard library's HTML parser (pure Python: no converter to
sandbox). Scripts, styles, templates and the head are left out; each block
(paragraph, heading, list item, table row) starts a line; whitespace is
made single. It stops once it has ``limit`` characters.
"""

from html.parser import HTMLParser

from .page_facts import decoded_page

UNSHOWN = frozenset({"head", "script", "style", "template", "noscript", "svg", "math", "iframe", "object"})
"""Elements whose content is no text of the page."""
BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "dt",
                    "dd", "section", "article", "header", "footer", "nav", "aside", "table", "ul", "ol", "dl",
                    "figure", "figcaption", "hr", "main", "title"})
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "source", "track",
                  "wbr"})


class _Text(HTMLParser):
    def __init__(self, limit: int) -> None:
        super().__init__(convert_charrefs=True)
        self.limit = limit
        self.lines: list[str] = []
        self.line: list[str] = []
        self.size = 0
        self.hidden = 0
        """How deep inside unshown elements the parser is."""

    @property
    def full(self) -> bool:
        return self.size >= self.limit

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSHOWN and tag not in VOID:
            self.hidden += 1
        elif tag in BLOCKS:
            self.end_line()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.end_line()

    def handle_endtag(self, tag: str) -> None:
        if tag in UNSHOWN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCKS:
            self.end_line()

    def handle_data(self, data: str) -> None:
        if not self.hidden and not self.full:
            self.line.append(data)

    def end_line(self) -> None:
        words = " ".join("".join(self.line).split())
        self.line = []
        if words and not self.full:
            self.lines.append(words)
            self.size += len(words) + 1


def page_text(page: bytes, limit: int) -> str:
    """The text the page shows, at most about ``limit`` characters (it stops reading past them)."""
    parser = _Text(limit)
    text = decoded_page(page)
    for start in range(0, len(text), 64 * 1024):
        parser.feed(text[start:start + 64 * 1024])
        if parser.full:
            break
    else:
        parser.close()
    parser.end_line()
    return "\n".join(parser.lines)[:limit]
