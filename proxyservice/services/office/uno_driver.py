"""One LibreOffice kept running, converting documents to PDF on request: run by Debian's python3 in the sandbox.

This file is not imported by the service: :class:`~.session.OfficeSession`
runs it with ``/usr/bin/python3`` (the interpreter python3-uno is built
for), inside the sandbox, as ``python3 uno_driver.py SOFFICE PROFILE_URL``.
It starts LibreOffice headless on a pipe of its own, connects over UNO, and
says ``{"ready": ...}`` on stdout. Then, for each line on stdin,
``{"source": path, "filter": import filter, "output": path, "pages": n, "text": path, "limit": n}``, it
writes the document's first ``n`` pages (1 when not said) as a PDF, and with ``text`` its text (at most
``limit`` characters) as UTF-8, and answers one line: ``{"ok": true, "facts": {...}}`` (its pages, sheets,
title and author) or
``{"error": words}``, or ``{"gone": words}`` when LibreOffice had ended before the
document reached it, or ended while converting it. It ends at the end of stdin, or when LibreOffice died.

Each document is loaded hidden, read-only, with macros never run and links
never updated, through the import filter its name says, and closed after.
"""

import json
import subprocess
import sys
import time
from typing import Any

import uno  # type: ignore[import-not-found]  # Debian's python3-uno, for /usr/bin/python3 only
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

PIPE = "proxyservice-office"
CONNECT_SECONDS = 60
NEVER_EXECUTE = 0  # com.sun.star.document.MacroExecMode
NO_UPDATE = 0  # com.sun.star.document.UpdateDocMode
EXPORTS = (
    ("com.sun.star.text.TextDocument", "writer_pdf_Export"),
    ("com.sun.star.sheet.SpreadsheetDocument", "calc_pdf_Export"),
    ("com.sun.star.presentation.PresentationDocument", "impress_pdf_Export"),
    ("com.sun.star.drawing.DrawingDocument", "draw_pdf_Export"),
)
"""The PDF export filter for each kind of document."""
ROWS_READ = 500
MAX_COLUMNS = 1023
"""A sheet's text is read in blocks of this many rows, of at most this many columns (the 1024 of old sheets)."""


def properties(**values: Any) -> tuple[Any, ...]:
    """UNO's ``PropertyValue`` sequence of keyword arguments."""
    made = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        made.append(prop)
    return tuple(made)


def answer(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def connect(office: "subprocess.Popen[bytes]") -> Any:
    """LibreOffice's desktop, once it answers on its pipe; ``None`` if it died or never answered."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while time.monotonic() < deadline and office.poll() is None:
        try:
            context = resolver.resolve(f"uno:pipe,name={PIPE};urp;StarOffice.ComponentContext")
        except NoConnectException:
            time.sleep(0.05)
            continue
        return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    return None


def convert(desktop: Any, source: str, import_filter: str, output: str, pages: int = 1, text: str | None = None,
            limit: int = 0) -> dict[str, Any]:
    """Write the first ``pages`` pages of ``source`` (as many as it has) as a PDF at ``output``, and its text to
    ``text``; return its facts."""
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0,
        properties(Hidden=True, ReadOnly=True, FilterName=import_filter, MacroExecutionMode=NEVER_EXECUTE,
                   UpdateDocMode=NO_UPDATE, RepairPackage=False, Silent=True),
    )
    if document is None:
        raise ValueError("LibreOffice could not load it")
    try:
        export = next((name for service, name in EXPORTS if document.supportsService(service)), None)
        if export is None:
            raise ValueError("it is no text, spreadsheet, presentation or drawing")
        first_pages = uno.Any("[]com.sun.star.beans.PropertyValue", properties(PageRange=f"1-{max(1, pages)}"))
        document.storeToURL(uno.systemPathToFileUrl(output), properties(FilterName=export, FilterData=first_pages))
        if text is not None:
            with open(text, "w", encoding="utf-8") as out:
                out.write(text_of(document, limit))
        return facts_of(document)
    finally:
        try:
            document.close(True)
        except Exception:  # noqa: BLE001  # closing what failed to store: dispose is the last resort
            document.dispose()


def facts_of(document: Any) -> dict[str, Any]:
    """Its pages (laid out now; slides for a presentation), sheets, and its properties' title and author."""
    properties_ = document.getDocumentProperties()
    facts: dict[str, Any] = {"title": properties_.Title or None, "author": properties_.Author or None}
    if document.supportsService("com.sun.star.text.TextDocument"):
        facts["pages"] = int(document.getCurrentController().PageCount)
    elif document.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        facts["sheets"] = int(document.getSheets().getCount())
    else:
        facts["pages"] = int(document.getDrawPages().getCount())
    return facts


def text_of(document: Any, limit: int) -> str:
    """The document's text, at most ``limit`` characters: a text's body; a sheet's cells by row (tab between
    cells); the text of each slide's shapes."""
    parts: list[str] = []
    size = 0

    def add(words: str) -> bool:
        nonlocal size
        if words:
            parts.append(words)
            size += len(words) + 1
        return size < limit

    if document.supportsService("com.sun.star.text.TextDocument"):
        add(document.getText().getString())
    elif document.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
        sheets = document.getSheets()
        for index in range(sheets.getCount()):
            sheet = sheets.getByIndex(index)
            cursor = sheet.createCursor()
            cursor.gotoEndOfUsedArea(False)
            end = cursor.getRangeAddress()
            # Read in blocks of rows: a sheet a million rows long costs what its first rows up to the limit do.
            for top in range(0, end.EndRow + 1, ROWS_READ):
                block = sheet.getCellRangeByPosition(0, top, min(end.EndColumn, MAX_COLUMNS),
                                                     min(end.EndRow, top + ROWS_READ - 1))
                rows = [("\t".join(_cell(cell) for cell in row)).rstrip("\t") for row in block.getDataArray()]
                if not all(add(row) for row in rows):
                    break
            if size >= limit:
                break
    else:
        slides = document.getDrawPages()
        for index in range(slides.getCount()):
            slide = slides.getByIndex(index)
            for number in range(slide.getCount()):
                shape = slide.getByIndex(number)
                if hasattr(shape, "getString") and not add(shape.getString()):
                    break
            if size >= limit:
                break
    return "\n".join(parts)[:limit]


def _cell(value: Any) -> str:
    """A cell's value as a reader sees it: 10, not 10.0."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def describe(error: BaseException) -> str:
    """UNO's words for an error, on one line."""
    words = getattr(error, "Message", "") or str(error) or type(error).__name__
    return " ".join(words.split())[:300]


def main() -> int:
    soffice, profile = sys.argv[1], sys.argv[2]
    office = subprocess.Popen(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--invisible", "--norestore", "--nologo",
         "--nodefault", "--nolockcheck", f"--accept=pipe,name={PIPE};urp;StarOffice.ComponentContext"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
    )
    desktop = connect(office)
    if desktop is None:
        answer({"error": f"LibreOffice did not start (exit code {office.poll()})"})
        office.kill()
        return 1
    answer({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        if office.poll() is not None:
            answer({"gone": f"LibreOffice had ended (exit code {office.poll()})"})
            return 1  # before this document reached it: the service sends it to another
        try:
            facts = convert(desktop, request["source"], request["filter"], request["output"],
                            int(request.get("pages", 1)), request.get("text"), int(request.get("limit", 0)))
        except Exception as e:  # noqa: BLE001  # any UNO error is this document's: said, and the next goes on
            try:
                office.wait(timeout=1)  # a LibreOffice that is dying has ended by then
            except subprocess.TimeoutExpired:
                answer({"error": describe(e)})
                continue
            # It ended during the call (killed before, or by this document): the service tries a fresh one.
            answer({"gone": f"LibreOffice ended (exit code {office.poll()}): {describe(e)}"})
            return 1
        answer({"ok": True, "facts": facts})
    desktop.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
