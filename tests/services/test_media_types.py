"""Choosing a media type as a browser would: the name, checked against the content."""

import pytest

from proxyservice.services.sources.media_types import decide_mimetype


@pytest.mark.parametrize(
    "sniffed, guessed, expected",
    [
        ("text/xml", "application/xhtml+xml", "application/xhtml+xml"),  # XHTML that starts with <?xml
        ("text/xml", "text/html", "text/html"),                  # HTML that starts with <?xml
        ("application/javascript", "text/html", "text/html"),    # a page that is mostly script
        ("text/html", "text/plain", "text/plain"),               # a .txt holding markup is shown as text
        ("text/plain", "text/css", "text/css"),                  # plain text: the name is more precise
        ("image/svg+xml", "image/svg+xml", "image/svg+xml"),
        ("text/xml", "image/svg+xml", "image/svg+xml"),          # an SVG libmagic calls XML
        ("image/png", None, "image/png"),                        # no extension: the content
        ("text/html", None, "text/html"),
        ("text/plain", "image/png", "text/plain"),               # text named .png is text
        ("image/png", "text/html", "image/png"),                 # a PNG named .html is a PNG
        ("application/octet-stream", "application/pdf", "application/pdf"),
        (None, None, "application/octet-stream"),
        ("image/jpeg", "image/png", "image/jpeg"),               # between binary types the content wins
    ],
)
def test_the_name_checked_by_the_content(sniffed: str | None, guessed: str | None, expected: str) -> None:
    assert decide_mimetype(sniffed, guessed) == expected


@pytest.mark.parametrize(
    "sniffed, guessed, encoding, expected",
    [
        ("application/gzip", "image/svg+xml", "gzip", "image/svg+xml"),    # a .svgz, as librsvg reads it
        ("application/x-gzip", "image/svg+xml", "gzip", "image/svg+xml"),
        ("application/gzip", "text/plain", "gzip", "application/gzip"),    # a .txt.gz: no converter unpacks it
        ("image/png", "image/svg+xml", "gzip", "image/png"),               # named .svgz, but not compressed
    ],
)
def test_a_compressed_drawing_is_the_drawing(sniffed: str, guessed: str, encoding: str, expected: str) -> None:
    assert decide_mimetype(sniffed, guessed, encoding) == expected
