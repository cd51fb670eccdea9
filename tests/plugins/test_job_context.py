"""A plugin's job runs in the context handed to it: no Flask app, the same on any host."""

from pathlib import Path

import pytest
from PIL import Image

from proxyservice.config import Settings
from proxyservice.container import Services
from proxyservice.plugins.api import Metadata, Proxy, WorkerProxyPlugin, generate_temp_filename
from proxyservice.plugins.context import NO_CONTEXT, call_job
from proxyservice.plugins.image_thumbnail import make_image_thumbnail

FILE_ID = "cd" * 32


def legacy_job(file_id: str, path: str) -> list[str]:
    """A PixStor-style job: no context argument, only the API's helpers."""
    out = generate_temp_filename(".png")
    Image.new("RGB", (30, 20), "teal").save(out)
    Proxy(file_id, "legacy").ingest(out, "thumbnail", "thumbnail.png", "image/png")
    return ["made by a legacy job"]


class Exif(WorkerProxyPlugin):
    """A plugin whose job reads fields of a file."""

    NAMESPACE = "exif"
    SCHEMA = [{"name": "camera", "prompt": "Camera", "value": {"datatype": "String"}, "searchable": True},
              {"name": "iso", "prompt": "ISO", "value": {"datatype": "Integer"}}]


def exif_job(file_id: str, path: str) -> list[str]:
    """Stores one field that fits and one that does not, and says nothing of the refusal itself."""
    Metadata(file_id, Exif).ingest({"camera": "Pentax K-1", "iso": "fast"})
    return []


class TestJobContext:
    """Jobs see the settings, the store, the sources and the sandbox through their context."""

    def test_a_built_in_job_runs_with_no_flask_app(self, settings: Settings, source_dir: Path) -> None:
        picture = source_dir / "photo.png"
        Image.new("RGB", (800, 600), "tomato").save(picture)
        context = Services(settings).job_context
        file_id = context.sources.describe(picture.resolve(), settings.default_proxy_size).file_id
        assert call_job(make_image_thumbnail, [file_id, str(picture.resolve()), 200, 150], context) == []
        [proxy] = context.store.list(file_id)
        assert (proxy.plugin, proxy.width, proxy.height) == ("image_thumbnail", 200, 150)

    def test_a_job_without_a_context_argument_uses_the_one_it_runs_in(self, settings: Settings) -> None:
        context = Services(settings).job_context
        assert call_job(legacy_job, [FILE_ID, "unused"], context) == ["made by a legacy job"]
        assert [p.plugin for p in context.store.list(FILE_ID)] == ["legacy"]

    def test_the_helpers_outside_any_job_say_what_is_missing(self) -> None:
        with pytest.raises(RuntimeError, match="no job context"):
            generate_temp_filename(".png")
        assert "plugins check" in NO_CONTEXT


class TestMetadataFromAJob:
    """A job stores fields it read of a file; what breaks the schema is refused, and the task says so."""

    def test_kept_in_the_records_and_refusals_join_the_warnings(self, settings: Settings) -> None:
        services = Services(settings)
        warnings = call_job(exif_job, [FILE_ID, "unused"], services.job_context)
        assert warnings == ["metadata field exif.iso refused: 'fast' is not an Integer"]
        assert services.records.metadata_of(FILE_ID) == {"exif": {"camera": "Pentax K-1"}}
