"""The ``text`` proxy: a file's text, whole up to MAX_TEXT_BYTES and cut there at a whole character, with a warning."""

from dataclasses import replace
from pathlib import Path

from proxyservice.config import Settings
from proxyservice.container import Services
from proxyservice.plugins.context import call_job
from proxyservice.plugins.text_thumbnail import make_text_thumbnail
from proxyservice.services.renderer.page_text import page_text


def text_of(services: Services, file_id: str) -> bytes:
    _, blob = services.store.get(file_id, "text")
    return Path(blob).read_bytes()


class TestTheCut:
    """A text longer than MAX_TEXT_BYTES."""

    def test_cut_at_a_whole_character_with_a_warning(self, settings: Settings, source_dir: Path) -> None:
        services = Services(replace(settings, MAX_TEXT_BYTES=10))
        notes = source_dir / "notes.txt"
        notes.write_text("Grüße aus Köln", encoding="utf-8")  # ü and ß are two bytes each: byte 10 is inside ö
        file_id = services.sources.describe(notes.resolve(), settings.default_proxy_size).file_id
        warnings = call_job(make_text_thumbnail, [file_id, str(notes.resolve()), 200, 150], services.job_context)
        assert warnings == ["the text proxy holds the first 10 bytes of the file's text (MAX_TEXT_BYTES)"]
        assert text_of(services, file_id).decode("utf-8") == "Grüße au"
        assert services.records.metadata_of(file_id)["text_thumbnail"]["text_characters"] == 8

    def test_a_text_that_fits_is_whole_and_says_nothing(self, settings: Settings, source_dir: Path) -> None:
        services = Services(replace(settings, MAX_TEXT_BYTES=14))
        notes = source_dir / "short.txt"
        notes.write_text("just fourteen!", encoding="utf-8")
        file_id = services.sources.describe(notes.resolve(), settings.default_proxy_size).file_id
        assert call_job(make_text_thumbnail, [file_id, str(notes.resolve()), 200, 150], services.job_context) == []
        assert text_of(services, file_id) == b"just fourteen!"


class TestPageText:
    """What a page shows, line by block."""

    def test_blocks_are_lines_and_what_is_not_shown_is_left_out(self) -> None:
        page = (b"<html><head><title>T</title><style>p{}</style></head><body><h1>Head  line</h1>"
                b"<p>One <b>bold</b>\n word.</p><script>var hidden = 1;</script><ul><li>a</li><li>b</li></ul>"
                b"<template><p>later</p></template>Tail</body></html>")
        assert page_text(page, 1000) == "Head line\nOne bold word.\na\nb\nTail"

    def test_it_stops_at_its_limit(self) -> None:
        assert len(page_text(b"<p>" + b"word " * 100_000, 50)) == 50
