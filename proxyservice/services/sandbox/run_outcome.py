"""Whether a sandboxed program ran: bubblewrap's status documents and its words on stderr, read into the outcome.

bubblewrap writes JSON documents to a status descriptor as it goes: the
program's PID once it started it, its exit code once it ended. A run that has
no exit code never ran the program; bubblewrap's stderr says why, in words
that may name the worker's paths, which are left out of what clients see.
"""

import json
import re

from .errors import SandboxUnavailable, ViewChanged
from .runner import Finished

UNAVAILABLE = "the converter sandbox (bubblewrap) cannot start on this worker, so no converter is run: %s"
VIEW_CHANGED = "a file the converter was to read was replaced while its sandbox was being built; try again"
PINNED_FILE_GONE = re.compile(
    r"^bwrap: (Can't find source path /proc/self/fd/\d+|Can't get type of source|Race condition binding"
    r"|Can't bind mount /proc/self/fd/\d+)", re.MULTILINE)
"""bubblewrap's words when a file it was to mount was replaced between pinning and mounting (it checks)."""
PATH_IN_WORDS = re.compile(r"(?<![\w<])/(?!newroot/proc\b)[^\s:,]+")


def _statuses(raw: bytes) -> list[dict[str, object]]:
    """The JSON documents bubblewrap wrote to its status descriptor, one after another."""
    decoder, text, at = json.JSONDecoder(), raw.decode("utf-8", "replace"), 0
    found: list[dict[str, object]] = []
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            return found
        try:
            document, at = decoder.raw_decode(text, at)
        except json.JSONDecodeError:
            return found
        if isinstance(document, dict):
            found.append(document)


def _bwrap_words(stderr: str) -> str:
    """bubblewrap's own reason, with any path of the worker's left out."""
    lines = [PATH_IN_WORDS.sub("…", line[len("bwrap: "):]) for line in stderr.splitlines() if line.startswith("bwrap: ")]
    return "; ".join(lines) or "bubblewrap failed before the program started"


def run_outcome(finished: Finished, reported: bytes) -> Finished:
    """The run of a program in bubblewrap, if the program ran; otherwise why not, raised.

    Parameters
    ----------
    finished
        How bubblewrap ended.
    reported
        What it wrote to its status descriptor.

    Raises
    ------
    ViewChanged
        A file to show was replaced before bubblewrap mounted it; the program was not run.
    SandboxUnavailable
        The sandbox could not be set up; the program was not run.
    """
    statuses = _statuses(reported)
    if any("exit-code" in status for status in statuses):
        return finished
    if any("child-pid" in status for status in statuses) and PINNED_FILE_GONE.search(finished.stderr):
        # A pinned file was unlinked (replaced) before bubblewrap mounted it.
        raise ViewChanged(VIEW_CHANGED)
    raise SandboxUnavailable(UNAVAILABLE % _bwrap_words(finished.stderr))
