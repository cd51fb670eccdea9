"""Whether a page has anything of its own to show: a blank picture of a page that has is a finding, of one that
has not (an empty ``<body>``) the truth.

Read from the markup, with a few linear regular expressions (no parser: the
page is a stranger's, up to MAX_SOURCE_BYTES). A page shows something when
its body holds text, a picture or other replaced element, or a script and an
element for it to fill (a page built by its script, as a single-file wiki is).
"""

import html
import re

COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)
UNSHOWN = re.compile(rb"<(head|script|style|title|template|noscript|textarea|select)\b[^>]*>.*?(?:</\1\s*>|$)",
                     re.DOTALL | re.IGNORECASE)
"""Elements whose content is not drawn as text of the page (a textarea's and a select's are replaced elements)."""
REPLACED = re.compile(rb"<(img|svg|canvas|video|picture|object|embed|iframe|input|button|select|textarea|math|meter"
                      rb"|progress)\b", re.IGNORECASE)
"""Elements drawn whatever text they hold."""
SCRIPT = re.compile(rb"<script\b", re.IGNORECASE)
BODY_ELEMENT = re.compile(rb"<(?!(?:html|head|body|meta|link|title|style|script|base|noscript|template)\b)[a-zA-Z]")
"""An element only a body holds: something a script may fill."""
TAG = re.compile(rb"<[^>]*>")


def shows_something(page: bytes) -> bool:
    """Whether the page's markup holds text, a replaced element, or a script with an element to fill."""
    markup = COMMENT.sub(b"", page)
    if REPLACED.search(markup):
        return True
    body = UNSHOWN.sub(b"", markup)
    if SCRIPT.search(markup) and BODY_ELEMENT.search(body):
        return True
    text = html.unescape(TAG.sub(b" ", body).decode("utf-8", "replace"))
    return any(not character.isspace() for character in text)
