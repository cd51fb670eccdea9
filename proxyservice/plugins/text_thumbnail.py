"""The built-in text thumbnail plugin: the first lines of a text file, drawn."""

import logging

from PIL import Image, ImageDraw, ImageFont

from .api import JobContext, ProxySize, WorkerProxyPlugin, ingest_scaled
from .text_proxy import TEXT_SCHEMA, ingest_text, read_text

logger = logging.getLogger(__name__)

NAMESPACE = "text_thumbnail"
CANVAS = (800, 600)
"""Lines are drawn on a canvas this size, then scaled to the proxy box."""
FONT_NAME = "DejaVuSansMono.ttf"
FONT_SIZE = 15
MARGIN = 12
READ_BYTES = 64 * 1024
TAB = "    "
SHOWN_AS_DOCUMENTS = frozenset({"text/html", "text/markdown", "text/x-markdown", "text/rtf"})
"""Text that other plugins show as the page or document it stands for, not as lines."""


def _font() -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONT_NAME, FONT_SIZE)
    except OSError:  # Pillow looks in the system's font folders; fonts-dejavu-core has it
        logger.warning("font %s not found; using Pillow's default", FONT_NAME)
        return ImageFont.load_default(FONT_SIZE)


def first_lines(raw: bytes, count: int) -> list[str]:
    """The first ``count`` lines of a text, decoded, with tabs and control characters made safe."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("utf-8", "replace") if raw.count(b"\x00") == 0 else raw.decode("latin-1")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")[:count]
    return ["".join(c if c.isprintable() else " " for c in line.replace("\t", TAB)) for line in lines]


def make_text_thumbnail(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Draw the first lines of a text file into a ``thumbnail`` proxy, and store its ``text``; runs in a worker."""
    with context.snapshot(path, file_id) as text:
        with open(text, "rb") as stream:
            raw = stream.read(READ_BYTES)
        warnings = ingest_text(context, file_id, TextThumbnail, read_text(text, context.settings.MAX_TEXT_BYTES))
    font = _font()
    line_height = FONT_SIZE + 4
    canvas = Image.new("RGB", CANVAS, "white")
    draw = ImageDraw.Draw(canvas)
    for number, line in enumerate(first_lines(raw, (CANVAS[1] - 2 * MARGIN) // line_height)):
        draw.text((MARGIN, MARGIN + number * line_height), line[:200], fill=(20, 20, 20), font=font)
    with context.temporary_file(".png") as drawn:
        canvas.save(drawn, format="PNG")
        ingest_scaled(context, drawn, file_id, NAMESPACE, "thumbnail", ProxySize(width, height), palette=True)
    return warnings


class TextThumbnail(WorkerProxyPlugin):
    """Makes a ``thumbnail`` of plain text and source code: its first lines."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".txt", ".text", ".rst", ".csv", ".log", ".py", ".js", ".ts", ".c",
                            ".h", ".cpp", ".java", ".go", ".rs", ".rb", ".sh", ".json", ".yaml", ".yml",
                            ".toml", ".ini", ".cfg", ".xml", ".css", ".sql"})
    MIMETYPES = frozenset({"text/plain", "text/x-rst", "text/csv", "text/css",
                           "text/x-python", "text/x-script.python", "text/x-c", "text/x-c++",
                           "text/x-java", "text/x-shellscript", "text/x-ruby", "text/javascript",
                           "application/javascript", "application/json", "application/x-yaml",
                           "application/toml", "application/xml", "text/xml", "application/sql",
                           "text/x-go", "text/x-rust", "application/x-sh"})
    SCHEMA = [{"name": "thumbnail", "prompt": "The first lines", "value": {"datatype": "Proxy", "mimetype": "image/png"}},
              *TEXT_SCHEMA]
    job = staticmethod(make_text_thumbnail)

    def handles(self, ext: str | None = None, mimetype: str | None = None) -> bool:
        # Any text that is not shown as what it stands for (a page, a document): libmagic names many
        # kinds of source code.
        if mimetype and mimetype.startswith("text/") and mimetype not in SHOWN_AS_DOCUMENTS:
            return True
        return super().handles(ext, mimetype)
