"""Converting office documents to PDF with LibreOffice headless (Debian's ``-nogui`` packages).

LibreOffice runs in the sandbox, one per worker child, kept running between
documents and driven over UNO (``session.py``): it sees its own folder alone,
with no network, and a profile made fresh for it that turns off every macro,
every link update and Java (``PROFILE_SETTINGS``). Each document is loaded
with macros never run and links never updated, through the import filter its
extension names, so bytes that are not that kind of document fail at once
instead of being read as plain text. A document past its time limit has its
LibreOffice killed, with everything it started; the next starts another.

Starting LibreOffice costs about a second a document; the first page of a
document in one that runs, about a tenth of that (``make bench``).
"""

import logging
from pathlib import Path
from typing import Any

from ..sandbox import Sandbox
from ..sandbox.tool import SandboxedTool
from .errors import OfficeInvalid, OfficeTimedOut, OfficeToolMissing
from ..sandbox.kept import kept_running
from .session import UNO_MODULE, UNO_PYTHON, OfficeGone, OfficeSession

IMPORT_FILTERS = {
    ".doc": "MS Word 97", ".docx": "MS Word 2007 XML", ".odt": "writer8", ".ott": "writer8_template",
    ".rtf": "Rich Text Format",
    ".xls": "MS Excel 97", ".xlsx": "Calc MS Excel 2007 XML", ".ods": "calc8", ".ots": "calc8_template",
    ".ppt": "MS PowerPoint 97", ".pptx": "Impress MS PowerPoint 2007 XML", ".odp": "impress8",
    ".otp": "impress8_template",
}
"""LibreOffice's import filter for each extension taken."""

logger = logging.getLogger(__name__)

_SETTINGS = [
    ("org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("org.openoffice.Office.Common/Security/Scripting", "OfficeBasic", "0"),
    ("org.openoffice.Office.Common/Security/Scripting", "ExecutePlugins", "false"),
    ("org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("org.openoffice.Office.Writer/Content/Update", "Link", "0"),  # Writer: 0 is never
    ("org.openoffice.Office.Writer/Content/Update", "Field", "false"),
    ("org.openoffice.Office.Calc/Content/Update", "Link", "1"),  # Calc: 1 is never (0 is always)
    ("org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "1"),
    ("org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "1"),
    ("org.openoffice.Office.Writer/Filter/Import/VBA", "Executable", "false"),
    ("org.openoffice.Office.Calc/Filter/Import/VBA", "Executable", "false"),
    ("org.openoffice.Office.Java/VirtualMachine", "Enable", "false"),
]
PROFILE_SETTINGS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">\n'
    + "".join(f'<item oor:path="/{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>\n'
              for path, name, value in _SETTINGS)
    + "</oor:items>\n"
)
"""The profile's ``registrymodifications.xcu``: no macros (Basic, VBA, scripts), no link or field updates,
no recalculation on load of cells that keep a result (one without is still computed, within the time
limit), no Java, no untrusted referer links. Each name is checked against
LibreOffice's own schema (``/etc/libreoffice/registry/main.xcd``)."""


class OfficeConverter(SandboxedTool):
    """LibreOffice, kept running in the sandbox for this worker process, with a time and a memory limit."""

    EXTENSIONS = frozenset(IMPORT_FILTERS)
    """The extensions it is given: those it knows an import filter for."""
    MISSING = OfficeToolMissing
    INSTALL = "libreoffice-writer-nogui, libreoffice-calc-nogui, libreoffice-impress-nogui and python3-uno"
    TIMED_OUT = OfficeTimedOut

    def __init__(self, binary: str = "soffice", memory_mb: int | None = None, sandbox: Sandbox | None = None) -> None:
        super().__init__(binary, memory_mb, sandbox)

    def to_pdf(self, source: Path, output: Path, timeout: float, pages: int = 1) -> Path:
        """Write the first ``pages`` pages of ``source`` (as many as it has; the first alone by default) as a PDF
        at ``output``.

        Raises
        ------
        OfficeToolMissing, OfficeInvalid, OfficeTimedOut
        """
        self.read(source, output, timeout, pages)
        return output

    def read(self, source: Path, output: Path, timeout: float, pages: int = 1, text: Path | None = None,
             text_limit: int = 0) -> dict[str, Any]:
        """:meth:`to_pdf`, and with ``text`` the document's text written there (UTF-8, at most ``text_limit``
        characters: a text's body, a sheet's cells by row, the text on each slide); return the document's facts:
        ``pages`` (a text's, laid out; a presentation's slides) or ``sheets``, ``title`` and ``author`` (its
        properties; ``None`` where not set).

        Raises
        ------
        OfficeToolMissing, OfficeInvalid, OfficeTimedOut
        """
        executable = self.executable()
        if not UNO_MODULE.is_file() or not Path(UNO_PYTHON).is_file():
            raise OfficeToolMissing(f"{UNO_MODULE} was not found; install {self.INSTALL}")
        import_filter = IMPORT_FILTERS.get(source.suffix.lower())
        if import_filter is None:
            raise OfficeInvalid(f"{source.name}: {source.suffix or 'no extension'} is not an office document "
                                f"LibreOffice is given ({', '.join(IMPORT_FILTERS)})")
        sandbox = self.sandbox
        key = ("libreoffice", executable, self.memory_mb, *sandbox.identity)
        for _ in range(2):
            session = kept_running(key, lambda: OfficeSession(executable, PROFILE_SETTINGS, self.memory_mb, sandbox))
            try:
                return session.to_pdf(source, import_filter, output, timeout, pages, text, text_limit)
            except OfficeGone as e:
                logger.warning("LibreOffice of this worker process ended (%s); starting another", e)
        raise OfficeInvalid(f"{source.name} cannot be opened as {import_filter}: LibreOffice ended twice opening it")
