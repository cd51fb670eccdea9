"""A broken file of every built-in type, through a real worker: each fails as a broken PDF does.

The error tree (``proxyservice.errors``) decides: a file that is bad is a
failed task with a plain message, logged at WARNING without a traceback, the
same for every converter, a new one included.
"""

import re
import zipfile
from pathlib import Path
from typing import Iterator

import pytest

from tests.e2e.conftest import Service, running_service
from tests.samples import make_epub
from tests.support import Worker

BROKEN = {
    # kind: (file name, bytes, the plugin that must take it)
    "pdf": ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ntrailer\n%%EOF garbage", "pdf_thumbnail"),
    "docx": ("broken.docx", b"PK\x03\x04 this is no zip at all " * 40, "office_thumbnail"),
    "svg": ("broken.svg", b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                          b'<rect width="5" height="5"', "svg_thumbnail"),
    "png": ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image_thumbnail"),
    "mp4": ("broken.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x13" * 4000, "video_thumbnail"),
}
CLASS_NAME_FIRST = re.compile(r"^[A-Z]\w*(Error|Invalid|Failed|Exception|TimedOut|Missing)\b")


def broken_epub(path: Path) -> None:
    """A zip that says it is an EPUB book and holds none of what a book needs."""
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("mimetype", "application/epub+zip")
        book.writestr("META-INF/container.xml", "<container><rootfiles></rootfiles")


def epub_with_a_text_cover(path: Path) -> None:
    """A whole book whose package names as its cover image a file of text (``cover.png``)."""
    with zipfile.ZipFile(make_epub(path)) as made:
        members = {member.filename: made.read(member) for member in made.infolist()}
    members["OEBPS/images/cover.png"] = b"this is not a picture\n" * 20
    with zipfile.ZipFile(path, "w") as book:
        for name, data in members.items():
            book.writestr(name, data)


@pytest.fixture(scope="module")
def broken_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Worker]]:
    # A space in the service's folders: a path quoted whole must still not reach a client.
    with running_service(tmp_path_factory.mktemp("broken files")) as running:
        yield running


@pytest.fixture(scope="module")
def outcomes(broken_service: tuple[Service, Worker]) -> dict[str, tuple[int, dict[str, object], str]]:
    """Each broken file's ingest answer, its task's last status and what the worker logged meanwhile."""
    service, worker = broken_service
    folder = service.sources / "broken"
    folder.mkdir()
    paths = {}
    for kind, (name, data, _) in BROKEN.items():
        (folder / name).write_bytes(data)
        paths[kind] = folder / name
    broken_epub(folder / "broken.epub")
    paths["epub"] = folder / "broken.epub"
    epub_with_a_text_cover(folder / "text-cover.epub")
    paths["epub cover"] = folder / "text-cover.epub"
    found: dict[str, tuple[int, dict[str, object], str]] = {}
    for kind, path in paths.items():
        before = worker.log.stat().st_size
        accepted = service.client.post("/ingest", json={"path": str(path)})
        assert accepted.status_code == 202, (kind, accepted.get_json())
        finished = service.follow(accepted.headers["Location"], timeout=120)
        with worker.log.open("rb") as log:
            log.seek(before)
            said = log.read().decode(errors="replace")
        found[kind] = (finished.status_code, finished.get_json(), said)
    return found


KINDS = [*BROKEN, "epub", "epub cover"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_file_fails_with_a_plain_message(outcomes: dict[str, tuple[int, dict[str, object], str]],
                                             broken_service: tuple[Service, Worker], kind: str) -> None:
    code, body, _ = outcomes[kind]
    plugin = BROKEN[kind][2] if kind in BROKEN else "epub_thumbnail"
    service_folder = broken_service[0].sources.parent
    assert str(body["plugin"]).startswith(f"{plugin}::"), body
    assert (code, body["status"]) == (200, "failed"), body
    error = str(body["error"])
    assert error and not CLASS_NAME_FIRST.match(error), error
    assert "will retry" not in error and "gave up" not in error, "a bad file is not retried"
    assert "/tmp/" not in error and "/usr/" not in error and service_folder.name not in error, "no server path"


def test_a_cover_that_is_no_image_is_said_so_in_plain_words(
        outcomes: dict[str, tuple[int, dict[str, object], str]]) -> None:
    """Pillow's words named the worker's temporary copy by its whole path; the client hears of the book."""
    _, body, _ = outcomes["epub cover"]
    assert body["error"] == ("text-cover.epub: its cover (cover.png) is not an image that can be read; "
                             "the book may be damaged"), body


@pytest.mark.parametrize("kind", KINDS)
def test_the_worker_logs_a_warning_without_a_traceback(outcomes: dict[str, tuple[int, dict[str, object], str]],
                                                       kind: str) -> None:
    _, body, said = outcomes[kind]
    assert f"task {body['task_id']} failed" in said, said
    assert "Traceback" not in said and "ERROR" not in said, said


def test_every_type_ends_as_a_broken_pdf_does(outcomes: dict[str, tuple[int, dict[str, object], str]]) -> None:
    def shape(kind: str) -> tuple[object, ...]:
        code, body, said = outcomes[kind]
        return code, body["status"], body["warnings"], "WARNING" in said, "Traceback" in said

    assert {kind: shape(kind) for kind in KINDS} == {kind: shape("pdf") for kind in KINDS}
