"""One LibreOffice kept running, converting documents to PDF on request: run by Debian's python3 in the sandbox.

This file is not imported by the service: :class:`~.session.OfficeSession`
runs it with ``/usr/bin/python3`` (the interpreter python3-uno is built
for), inside the sandbox, as ``python3 uno_driver.py SOFFICE PROFILE_URL``.
It starts LibreOffice headless on a pipe of its own, connects over UNO, and
says ``{"ready": ...}`` on stdout. Then, for each line on stdin,
``{"source": path, "filter": import filter, "output": path, "pages": n}``, it writes the
document's first ``n`` pages (1 when not said) as a PDF and answers one line: ``{"ok": true}`` or
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


def convert(desktop: Any, source: str, import_filter: str, output: str, pages: int = 1) -> None:
    """Write the first ``pages`` pages of ``source`` (as many as it has) as a PDF at ``output``."""
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
    finally:
        try:
            document.close(True)
        except Exception:  # noqa: BLE001  # closing what failed to store: dispose is the last resort
            document.dispose()


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
            convert(desktop, request["source"], request["filter"], request["output"], int(request.get("pages", 1)))
        except Exception as e:  # noqa: BLE001  # any UNO error is this document's: said, and the next goes on
            try:
                office.wait(timeout=1)  # a LibreOffice that is dying has ended by then
            except subprocess.TimeoutExpired:
                answer({"error": describe(e)})
                continue
            # It ended during the call (killed before, or by this document): the service tries a fresh one.
            answer({"gone": f"LibreOffice ended (exit code {office.poll()}): {describe(e)}"})
            return 1
        answer({"ok": True})
    desktop.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
