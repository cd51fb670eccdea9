"""The ``text`` proxy: a file's text as plain UTF-8, for a search index, and its length as a field.

Each built-in that reads a kind of document (a page, a PDF, Markdown, a book,
plain text) stores it beside its picture, in the same job: the text comes
from what the job already holds, and a file has one task, not two.
"""

from pathlib import Path
from typing import Any

from ..domain import ProxyPlugin
from .contract import JobContext
from .helpers import Metadata, Proxy

TEXT = "text"
TEXT_MIMETYPE = "text/plain; charset=utf-8"
TEXT_SCHEMA: list[dict[str, Any]] = [
    {"name": TEXT, "prompt": "The file's text, for search (plain UTF-8, at most MAX_TEXT_BYTES)",
     "value": {"datatype": "Proxy", "mimetype": TEXT_MIMETYPE}},
    {"name": "text_characters", "prompt": "Characters in the text proxy", "value": {"datatype": "Integer"},
     "searchable": True},
]
"""What a plugin that stores a ``text`` proxy declares."""
CUT = "the text proxy holds the first %d bytes of the file's text (MAX_TEXT_BYTES)"


def ingest_text(context: JobContext, file_id: str, plugin: type[ProxyPlugin], text: str) -> list[str]:
    """Store ``text`` as the file's ``text`` proxy, and its length; return a warning when it was cut.

    It is cut at MAX_TEXT_BYTES, at a whole character.
    """
    limit = context.settings.MAX_TEXT_BYTES
    encoded = text.encode("utf-8", "replace")
    kept = encoded[:limit].decode("utf-8", "ignore")  # "ignore": half a character at the cut is dropped
    with context.temporary_file(".txt") as out:
        out.write_bytes(kept.encode("utf-8"))
        Proxy(file_id, plugin(), context).ingest(out, TEXT, "text.txt", TEXT_MIMETYPE)
    Metadata(file_id, plugin, context).ingest({"text_characters": len(kept)})
    return [CUT % limit] if len(encoded) > limit else []


def read_text(path: Path, limit: int) -> str:
    """The first ``limit`` bytes of a text file and one more (so that a cut is seen), decoded as UTF-8 (bytes that
    are none replaced)."""
    with path.open("rb") as stream:
        raw = stream.read(limit + 1)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start >= len(raw) - 3:  # the read ended inside a character
            return raw[:e.start].decode("utf-8", "replace")
        return raw.decode("utf-8", "replace")
