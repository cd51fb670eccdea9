"""A proxyservice plugin distribution of its own: the first rows of a CSV file, drawn as a table (``CSVTable``),
and its columns read as metadata (``CSVColumns``).

It uses only plugin API v1.1 (``proxyservice.plugins.api``): the base the
built-ins use, ``ingest_scaled``, the job's context, ``MetadataPlugin`` for
fields read at ingest, and ``InputInvalid`` to say that a file is not a table.
"""

import csv
import io
import logging
import math

from PIL import Image, ImageDraw, ImageFont

from proxyservice.plugins.api import (FileInfo, InputInvalid, JobContext, MetadataPlugin, ProxySize, WorkerProxyPlugin,
                                      ingest_scaled)

API_VERSION = "1.1"
"""The plugin API this plugin is written for."""

logger = logging.getLogger(__name__)

NAMESPACE = "csv_table"
CANVAS = (800, 600)
"""The table is drawn on a canvas this size, then scaled into the proxy box."""
READ_BYTES = 256 * 1024
"""Only the start of the file is read: the rows that are shown."""
SHOWN_ROWS = 24
FONT_SIZE = 14
ROW_HEIGHT = FONT_SIZE + 10
PADDING = 6
COLUMN_WIDTHS = (48, 220)
"""The narrowest and widest a column is drawn, in pixels."""
DELIMITERS = ",;\t|"


def read_rows(raw: bytes, whole: bool) -> list[list[str]]:
    """The first rows of a CSV file, checked to be a table.

    Parameters
    ----------
    raw
        The start of the file.
    whole
        Whether ``raw`` is the whole file (else its last, cut line is left out).

    Raises
    ------
    InputInvalid
        It is not UTF-8 text, a quote is left open, or its rows are of different lengths.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        if whole or e.start < len(raw) - 4:  # not a character cut at the end of what was read
            raise InputInvalid(f"not a CSV table: byte {e.start} is not UTF-8 text") from e
        text = raw[:e.start].decode("utf-8-sig")
    if "\x00" in text:
        raise InputInvalid("not a CSV table: it holds binary data")
    if not whole:
        text = text[:text.rfind("\n") + 1]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:8192], delimiters=DELIMITERS)
    except csv.Error:  # one column, or too few rows to tell: commas
        dialect = csv.excel
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text), dialect, strict=True)
    try:
        for row in reader:
            if rows and len(row) != len(rows[0]):
                raise InputInvalid(f"not a CSV table: line {reader.line_num} has {len(row)} fields, "
                                   f"and the first line has {len(rows[0])}")
            rows.append(row)
            if len(rows) == SHOWN_ROWS:
                break
    except csv.Error as e:
        raise InputInvalid(f"not a CSV table: line {reader.line_num}: {e}") from e
    if not rows:
        raise InputInvalid("not a CSV table: the file holds no rows")
    return rows


def draw_table(rows: list[list[str]]) -> Image.Image:
    """The rows as a table: a grey header row, grid lines, each cell's text cut to its column."""
    try:
        font: ImageFont.FreeTypeFont | ImageFont.ImageFont = ImageFont.truetype("DejaVuSans.ttf", FONT_SIZE)
    except OSError:  # Pillow looks in the system's font folders; fonts-dejavu-core has it
        logger.warning("font DejaVuSans.ttf not found; using Pillow's default")
        font = ImageFont.load_default(FONT_SIZE)
    canvas = Image.new("RGB", CANVAS, "white")
    draw = ImageDraw.Draw(canvas)
    lowest, widest = COLUMN_WIDTHS
    widths = [min(widest, max(lowest, *(math.ceil(draw.textlength(row[column], font=font)) + 2 * PADDING
                                         for row in rows)))
              for column in range(len(rows[0]))]
    draw.rectangle((0, 0, min(sum(widths), CANVAS[0]), ROW_HEIGHT), fill=(225, 230, 238))
    x = 0
    for column, width in enumerate(widths):
        for number, row in enumerate(rows):
            text = row[column]
            while text and draw.textlength(text, font=font) > width - 2 * PADDING:
                text = text[:-1]
            draw.text((x + PADDING, number * ROW_HEIGHT + 5), text, fill=(25, 25, 25), font=font)
        x += width
        draw.line((x, 0, x, len(rows) * ROW_HEIGHT), fill=(170, 170, 170))
        if x >= CANVAS[0]:
            break
    for number in range(1, len(rows) + 1):
        draw.line((0, number * ROW_HEIGHT, min(x, CANVAS[0]), number * ROW_HEIGHT), fill=(170, 170, 170))
    return canvas


def make_csv_table(file_id: str, path: str, width: int, height: int, context: JobContext) -> list[str]:
    """Draw a CSV file's first rows into its ``table`` proxy; runs in a worker."""
    with context.snapshot(path, file_id) as copy, open(copy, "rb") as stream:
        raw = stream.read(READ_BYTES + 1)
    rows = read_rows(raw[:READ_BYTES], whole=len(raw) <= READ_BYTES)
    with context.temporary_file(".png") as drawn:
        draw_table(rows).save(drawn, format="PNG")
        ingest_scaled(context, drawn, file_id, NAMESPACE, "table", ProxySize(width, height), palette=True)
    return []


class CSVTable(WorkerProxyPlugin):
    """Makes a ``table`` proxy of a CSV file: its first rows and columns."""

    NAMESPACE = NAMESPACE
    EXTENSIONS = frozenset({".csv"})
    MIMETYPES = frozenset({"text/csv"})
    SCHEMA = [{"name": "table", "prompt": "The first rows, as a table",
               "value": {"datatype": "Proxy", "mimetype": "image/png"}}]
    job = staticmethod(make_csv_table)


class CSVColumns(MetadataPlugin):
    """Reads the columns of a CSV file at ingest: how many, and their names (its first row).

    A metadata plugin: it makes no proxy, and its fields are checked against
    its ``SCHEMA`` before they are stored (a value that does not fit is
    refused, with a warning naming the field). It reads at most READ_BYTES of
    the file, in the web app, so it stays cheap; heavier reading belongs in a
    job, as ``CSVTable``'s.
    """

    NAMESPACE = "csv_columns"
    EXTENSIONS = frozenset({".csv"})
    MIMETYPES = frozenset({"text/csv"})
    SCHEMA = [{"name": "columns", "prompt": "Number of columns", "value": {"datatype": "Integer"},
               "searchable": True},
              {"name": "header", "prompt": "Column names (the first row)",
               "value": {"datatype": "List", "items": "String"}}]

    def extract(self, fileinfo: FileInfo) -> dict[str, object]:
        with open(fileinfo.path, "rb") as stream:
            raw = stream.read(READ_BYTES + 1)
        header = read_rows(raw[:READ_BYTES], whole=len(raw) <= READ_BYTES)[0]
        return {"columns": len(header), "header": header}
