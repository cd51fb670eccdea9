"""One LibreOffice per worker child, kept running in the sandbox and driven over UNO (``uno_driver.py``).

Starting LibreOffice costs about a second; converting a document in one
that runs costs a tenth of that. So each worker child keeps one, started on
its first office document, in a sandbox of its own: it sees a folder of its
own (its profile, and the one document it converts now, copied in and
removed after) and nothing else of the host. It is killed, and the next
document starts another, when a document takes longer than its limit, when
LibreOffice dies, after a document that brought fonts of its own (they would
stay registered, and draw the next documents), and after
:data:`DOCUMENTS_PER_OFFICE` documents, so that what one document leaves in
its memory does not last. It dies with its worker child.
"""

import json
import logging
import os
import re
import select
import shutil
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

from ..sandbox import Sandbox
from ..sandbox.kept import remove_stale_folders
from ..sandbox.runner import stop
from .errors import OfficeInvalid, OfficeTimedOut

logger = logging.getLogger(__name__)

UNO_PYTHON = "/usr/bin/python3"
"""The interpreter Debian's python3-uno is built for (the service's own may be another)."""
UNO_MODULE = Path("/usr/lib/python3/dist-packages/uno.py")
DRIVER = Path(__file__).with_name("uno_driver.py")
DRIVER_INSIDE = Path("/opt/proxyservice/uno_driver.py")
"""Where the sandbox shows the driver."""
DOCUMENTS_PER_OFFICE = 100
"""Documents one LibreOffice converts before it is replaced by a fresh one."""
EMBEDDED_FONTS = re.compile(r"(Fonts|word/fonts|ppt/fonts|xl/fonts)/", re.IGNORECASE)
"""Where OpenDocument and Office Open XML packages keep the fonts they embed."""
FONTS_LEFT = Path("user/temp/embeddedfonts")
"""Where, in its profile, LibreOffice keeps the fonts a document brought."""
START_SECONDS = 60.0
"""The longest LibreOffice may take to start, whatever a document's own limit."""
FOLDER_PREFIX = "proxyservice-office-"


def _answer(process: "subprocess.Popen[bytes]", timeout: float) -> dict[str, Any] | None:
    """The driver's next line, parsed; ``None`` when it said nothing whole in time, or ended."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    deadline = time.monotonic() + timeout
    said = b""
    while not said.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 65536) if ready else b""
        if not chunk:
            return None
        said += chunk
    answer: dict[str, Any] = json.loads(said)
    return answer


def embeds_fonts(document: Path) -> bool:
    """Whether a document is a package (a zip) holding fonts of its own.

    LibreOffice registers such fonts for as long as it runs: a document that
    brings a "Calibri" of its own would draw every later document's Calibri.
    Only the package's directory is read, never a member.
    """
    try:
        with zipfile.ZipFile(document) as package:
            return any(EMBEDDED_FONTS.match(name) for name in package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


class OfficeGone(Exception):
    """LibreOffice ended before or while converting a document: that document is sent to a fresh one (once)."""


class OfficeSession:
    """A LibreOffice running in the sandbox, converting one document at a time.

    Parameters
    ----------
    soffice
        LibreOffice's program.
    profile_settings
        The profile's ``registrymodifications.xcu``.
    memory_mb
        The heap the whole session may take.
    sandbox
        Where it runs.
    """

    def __init__(self, soffice: str, profile_settings: str, memory_mb: int | None, sandbox: Sandbox) -> None:
        self.pid = os.getpid()
        remove_stale_folders(Path(tempfile.gettempdir()), FOLDER_PREFIX)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{FOLDER_PREFIX}{self.pid}-"))
        profile = self.folder / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(profile_settings)
        self.documents = self.folder / "documents"
        self.documents.mkdir()
        self.log_path = self.folder / "office.log"
        self.converted = 0
        with self.log_path.open("wb") as log:
            self.process = sandbox.start([UNO_PYTHON, str(DRIVER_INSIDE), soffice, profile.as_uri()],
                                         [(DRIVER, DRIVER_INSIDE)], self.folder, log, memory_mb)
        started = time.monotonic()
        said = _answer(self.process, START_SECONDS)
        if not said or not said.get("ready"):
            words = (said or {}).get("error") or self._last_words()
            self.close()
            raise OfficeInvalid(f"LibreOffice did not start: {words}")
        logger.info("LibreOffice started for this worker process in %.1f s", time.monotonic() - started)

    @property
    def is_alive(self) -> bool:
        """Whether it runs, in this process, and has documents left before it is replaced."""
        return (self.pid == os.getpid() and self.process.poll() is None
                and self.converted < DOCUMENTS_PER_OFFICE)

    def to_pdf(self, source: Path, import_filter: str, output: Path, timeout: float, pages: int = 1,
               text: Path | None = None, text_limit: int = 0) -> dict[str, Any]:
        """Write the first ``pages`` pages of ``source`` (as many as it has) as a PDF at ``output``, and with
        ``text`` its text (at most ``text_limit`` characters) there; return its facts (pages or sheets, title,
        author), as the driver read them.

        Raises
        ------
        OfficeGone
            LibreOffice ended before or while converting it; this session is closed.
        OfficeInvalid
            LibreOffice could not open it, or died on it (this session then ends).
        OfficeTimedOut
            It took longer than ``timeout``; this session was killed.
        """
        document = self.documents / f"document{source.suffix.lower()}"
        made = self.documents / "document.pdf"
        written = self.documents / "document.txt"
        try:
            # A copy, not a link: the sandbox may write its folder, never the file it was given.
            shutil.copyfile(source, document)
            request = {"source": str(document), "filter": import_filter, "output": str(made), "pages": pages,
                       **({"text": str(written), "limit": text_limit} if text is not None else {})}
            assert self.process.stdin is not None
            try:
                self.process.stdin.write((json.dumps(request) + "\n").encode())
                self.process.stdin.flush()
            except BrokenPipeError:
                pass  # it ended: said below
            try:
                said = _answer(self.process, timeout)
            except BaseException:
                # Stopped while waiting (the task's soft time limit): its answer would come to the next document.
                self.close()
                raise
            self.converted += 1
            if said is None:
                alive = self.process.poll() is None
                self.close()
                if alive:
                    raise OfficeTimedOut(f"converting {source.name} took longer than {timeout:g} s (RENDER_TIMEOUT)")
                raise OfficeInvalid(f"{source.name}: LibreOffice died opening it as {import_filter}")
            if "gone" in said:
                self.close()
                raise OfficeGone(str(said["gone"]))
            if "error" in said:
                raise OfficeInvalid(f"{source.name} cannot be opened as {import_filter}: "
                                    f"{str(said['error']).replace(document.name, source.name)}")
            if not made.is_file() or made.stat().st_size == 0:
                raise OfficeInvalid(f"{source.name} cannot be opened as {import_filter}: it made no page")
            made.replace(output)
            if text is not None:
                written.replace(text)
            facts = said.get("facts")
            return dict(facts) if isinstance(facts, dict) else {}
        finally:
            for left in (document, made, written):
                left.unlink(missing_ok=True)
            if self.process.poll() is None and (embeds_fonts(source) or self._fonts_left()):
                # Its fonts stay registered in this LibreOffice: the next document gets a fresh one.
                logger.info("%s brought fonts of its own: this worker process's LibreOffice is replaced", source.name)
                self.close()

    def _fonts_left(self) -> bool:
        folder = self.folder / "profile" / FONTS_LEFT
        return folder.is_dir() and any(path.is_file() for path in folder.rglob("*"))

    def close(self) -> None:
        """Stop LibreOffice, with everything it started, and remove its folder."""
        if self.pid == os.getpid():
            stop(self.process)
            shutil.rmtree(self.folder, ignore_errors=True)

    def _last_words(self) -> str:
        lines = [line.strip() for line in self.log_path.read_text(errors="replace").splitlines()
                 if line.strip() and "javaldx" not in line]
        return lines[-1][:300] if lines else f"exit code {self.process.poll()}"
