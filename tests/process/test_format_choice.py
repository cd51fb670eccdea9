"""Choosing a proxy's format: by name, or by the Accept header a browser or another client sends."""

import pytest

from proxyservice.domain import ImageFormat
from proxyservice.process.format_choice import FormatRefusal, accepted_format, named_format
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

BOTH = (ImageFormat.AVIF, ImageFormat.WEBP)
CHROMIUM_IMAGES = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8"
SAFARI_16_IMAGES = "image/webp,image/avif,video/*;q=0.8,image/png,image/svg+xml,image/*;q=0.8,*/*;q=0.5"
FIREFOX_2019_IMAGES = "image/webp,*/*"


def accept(header: str) -> list[tuple[str, float]]:
    return list(parse_accept_header(header, MIMEAccept))


class TestByAccept:
    """A request names no format: its Accept header chooses."""

    @pytest.mark.parametrize("header, original, chosen", [
        (CHROMIUM_IMAGES, "image/png", ImageFormat.AVIF),
        (SAFARI_16_IMAGES, "image/jpeg", ImageFormat.AVIF),  # both at q=1: the smaller format
        (FIREFOX_2019_IMAGES, "image/png", ImageFormat.WEBP),
        ("image/webp;q=0.9,image/avif;q=0.5,*/*;q=0.1", "image/png", ImageFormat.WEBP),
    ])
    def test_a_client_that_names_a_modern_format_gets_it(self, header: str, original: str,
                                                          chosen: ImageFormat) -> None:
        assert accepted_format(accept(header), original, BOTH) == chosen

    @pytest.mark.parametrize("header", ["*/*", "image/*", "", "image/png", "text/html,*/*;q=0.8",
                                        "image/webp;q=0.5,image/png", "image/avif;q=0,image/webp;q=0,*/*"])
    def test_a_client_that_does_not_is_served_the_original(self, header: str) -> None:
        assert accepted_format(accept(header), "image/png", BOTH) is None

    def test_a_format_this_service_cannot_write_is_never_chosen(self) -> None:
        assert accepted_format(accept(CHROMIUM_IMAGES), "image/png", (ImageFormat.WEBP,)) == ImageFormat.WEBP
        assert accepted_format(accept("image/avif,*/*"), "image/png", (ImageFormat.WEBP,)) is None


class TestByName:
    """A request names its format (``?format=webp``)."""

    def test_a_modern_format_in_any_case(self) -> None:
        assert named_format("WebP", BOTH) == ImageFormat.WEBP
        assert named_format("avif", BOTH) == ImageFormat.AVIF

    @pytest.mark.parametrize("name", ["gif", "png", "", "webp "])
    def test_anything_else_is_refused_with_the_choices(self, name: str) -> None:
        refusal = named_format(name, BOTH)
        assert refusal == FormatRefusal(f"format: {name!r} is not one of webp, avif")

    def test_one_this_pillow_cannot_write_says_so(self) -> None:
        refusal = named_format("avif", (ImageFormat.WEBP,))
        assert refusal == FormatRefusal("format: AVIF is not available on this service (its Pillow cannot write it)")
