"""Choosing a media type from the content and the name."""

import pytest

from proxyservice.process.media_types import decide_mimetype


@pytest.mark.parametrize(
    "sniffed, guessed, expected",
    [
        ("text/html", "text/plain", "text/html"),                 # a .txt that is really HTML
        ("image/png", None, "image/png"),                         # no extension
        ("text/plain", "text/css", "text/css"),                   # plain text: the name is more precise
        ("text/plain", "image/png", "text/plain"),                # text named .png is still text
        ("application/octet-stream", "application/pdf", "application/pdf"),
        (None, None, "application/octet-stream"),
        ("image/jpeg", "image/png", "image/jpeg"),                # the content wins
    ],
)
def test_the_content_decides_unless_it_is_generic(sniffed: str | None, guessed: str | None, expected: str) -> None:
    assert decide_mimetype(sniffed, guessed) == expected
