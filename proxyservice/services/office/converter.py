"""Converting office documents to PDF with LibreOffice headless (Debian's ``-nogui`` packages).

Each document gets a LibreOffice of its own, in the sandbox: it sees the
document alone, with no network, and a profile made fresh for it that turns
off every macro, every link update and Java (``PROFILE_SETTINGS``); nothing a
document does to its profile reaches the next one. It is killed, with
everything it started, past the time limit. Its import filter is named from
the file's extension, so bytes that are not that kind of document fail at
once instead of being read as plain text.

A fresh LibreOffice costs about 1.2 s a document on the test machine; a
long-lived one per worker child driven over UNO would cost about 0.06 s and
is not built yet.
"""

import tempfile
from pathlib import Path

from ..sandbox import Sandbox
from ..sandbox.tool import SandboxedTool
from .errors import OfficeInvalid, OfficeTimedOut, OfficeToolMissing

IMPORT_FILTERS = {
    ".doc": "MS Word 97", ".docx": "MS Word 2007 XML", ".odt": "writer8", ".ott": "writer8_template",
    ".rtf": "Rich Text Format",
    ".xls": "MS Excel 97", ".xlsx": "Calc MS Excel 2007 XML", ".ods": "calc8", ".ots": "calc8_template",
    ".ppt": "MS PowerPoint 97", ".pptx": "Impress MS PowerPoint 2007 XML", ".odp": "impress8",
    ".otp": "impress8_template",
}
"""LibreOffice's import filter for each extension taken."""

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
no recalculation on load, no Java, no untrusted referer links. Each name is checked against
LibreOffice's own schema (``/etc/libreoffice/registry/main.xcd``)."""


class OfficeConverter(SandboxedTool):
    """LibreOffice's ``soffice --convert-to pdf``, in the sandbox with a time and a memory limit."""

    EXTENSIONS = frozenset(IMPORT_FILTERS)
    """The extensions it is given: those it knows an import filter for."""
    MISSING = OfficeToolMissing
    INSTALL = "libreoffice-writer-nogui, libreoffice-calc-nogui and libreoffice-impress-nogui"
    TIMED_OUT = OfficeTimedOut

    def __init__(self, binary: str = "soffice", memory_mb: int | None = None, sandbox: Sandbox | None = None) -> None:
        super().__init__(binary, memory_mb, sandbox)

    def to_pdf(self, source: Path, output: Path, timeout: float) -> Path:
        """Write ``source`` as a PDF at ``output``.

        Raises
        ------
        OfficeToolMissing, OfficeInvalid, OfficeTimedOut
        """
        executable = self.executable()
        import_filter = IMPORT_FILTERS.get(source.suffix.lower())
        if import_filter is None:
            raise OfficeInvalid(f"{source.name}: {source.suffix or 'no extension'} is not an office document "
                                f"LibreOffice is given ({', '.join(IMPORT_FILTERS)})")
        with tempfile.TemporaryDirectory(prefix=".office-", dir=output.parent) as work:
            folder = Path(work)
            profile = folder / "profile"
            (profile / "user").mkdir(parents=True)
            (profile / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS)
            made = folder / "out"
            made.mkdir()
            command = [executable, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                       "--nologo", "--nodefault", "--nolockcheck", f"--infilter={import_filter}",
                       "--convert-to", "pdf", "--outdir", str(made), str(source)]
            finished = self.run_on(command, source, folder, timeout, "converting")
            pdf = made / f"{source.stem}.pdf"
            # LibreOffice exits 0 even when it could not load the file: only the PDF says it worked.
            if not pdf.is_file() or pdf.stat().st_size == 0:
                raise OfficeInvalid(f"{source.name} cannot be opened as {import_filter}: "
                                    f"{finished.last_words(source)}")
            pdf.replace(output)
        return output
