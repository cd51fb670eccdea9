"""Deciding a file's media type as a browser would: by its name, checked against its content.

A file store serves a file with the type its extension names, and that is
what a browser shows: a ``.html`` page is a page even when libmagic, reading
its first bytes, calls it XML or JavaScript, and a ``.txt`` file is text even
when it holds markup. The content decides when the name says nothing, only
says "some bytes", or contradicts it outright (text named ``.png``, a PNG
named ``.html``): then the name is wrong.
"""

GENERIC = frozenset({"application/octet-stream", "application/x-empty", "inode/x-empty"})
OCTET_STREAM = "application/octet-stream"
GZIP = frozenset({"application/gzip", "application/x-gzip"})
READ_COMPRESSED = frozenset({"image/svg+xml"})
"""Types whose converter reads them gzip-compressed as they are (librsvg a ``.svgz``); a ``.txt.gz`` stays gzip."""
TEXTUAL_APPLICATION_TYPES = frozenset({
    "application/xml", "application/json", "application/javascript", "application/x-javascript",
    "application/ecmascript", "application/x-sh", "application/x-shellscript", "application/x-perl",
    "application/x-python", "application/sql", "application/x-tex", "application/toml", "application/yaml",
    "application/x-yaml", "application/xhtml+xml",
})


def is_textual(mimetype: str) -> bool:
    """Whether files of this type are text (markup, code, data), whatever their kind."""
    return (mimetype.startswith("text/") or mimetype.endswith(("+xml", "+json"))
            or mimetype in TEXTUAL_APPLICATION_TYPES)


def decide_mimetype(sniffed: str | None, guessed: str | None, encoding: str | None = None) -> str:
    """The media type to give plugins.

    Parameters
    ----------
    sniffed
        What libmagic read in the content.
    guessed
        What the file name's extension names.
    encoding
        The compression the name says (``gzip`` for ``.svgz``, ``.svg.gz``).
    """
    if not sniffed or sniffed in GENERIC:
        return guessed or OCTET_STREAM
    if guessed in READ_COMPRESSED and encoding == "gzip" and sniffed in GZIP:
        # The content is what the name says it is, compressed as the name says: a .svgz drawing.
        return guessed
    if guessed and is_textual(guessed) and is_textual(sniffed):
        # Content sniffing only guesses among kinds of text: the name is what the file says it is.
        return guessed
    return sniffed
