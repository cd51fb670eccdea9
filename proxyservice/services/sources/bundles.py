"""Pages uploaded with their files: unpacked within limits, kept under the hash of the whole set of files.

A page is sent with the files it refers to, as a ``.zip`` of its folder or
as several files, each named by its path in that folder (:mod:`.members`
says which names and how many). They are kept once for each set of files:

    bundles/<sha256>/manifest       "<sha256> <size> <path>" per file, sorted by path; its SHA-256 names the folder
    bundles/<sha256>/files/<path>   the files, as sent (the page's tree: what it may load)
    .bundle-*                       a set arriving (renamed into place once all of it is there)

A single upload (``<sha256>/<name>``, :mod:`.uploads`) never has ``bundles``
for a name, so the two never meet.
"""

import errno
import hashlib
import os
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Iterator, Sequence

from ...domain import page_identity
from ..hashing import chunks_of, copy_hashed
from .errors import BundleInvalid, BundleTooLarge, PageNotFound, SourceEmpty, SourceTooLarge
from .members import BundleLimits, check_layout, check_zip_member, member_path
from .uploads import CONTENT_HASH

BUNDLES = "bundles"
FILES = "files"
MANIFEST = "manifest"
JOBS = ".jobs"
ZIP_SUFFIX = ".zip"
PAGE_SUFFIXES = (".html", ".htm", ".xhtml")
INDEX_PAGES = ("index.html", "index.htm", "index.xhtml")
UPLOAD = "the upload"

Entry = tuple[str, str, int]
"""One file kept: its path in the page's folder, its SHA-256 and its size."""


@dataclass(frozen=True)
class KeptBundle:
    """A page among the files it was uploaded with, as kept."""

    folder: Path
    """``<upload folder>/bundles/<sha256>`` (or a worker's copy of it)."""
    sha256: str
    """The SHA-256 of its manifest: the set of files."""
    page: str
    """The page's path among them."""

    @property
    def files(self) -> Path:
        """The page's tree: every file sent with it, and nothing else."""
        return self.folder / FILES

    @property
    def page_path(self) -> Path:
        """Where the page is kept."""
        return self.files / self.page

    @property
    def file_id(self) -> str:
        """The page's id: the set of files and which of them it is (:func:`~proxyservice.domain.page_identity`)."""
        return page_identity(self.sha256, self.page)

    def checked_id(self, content_sha256: str) -> str | None:
        """The page's id if its bytes are those kept (``content_sha256``) and its manifest is whole; else ``None``."""
        try:
            manifest = (self.folder / MANIFEST).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(manifest).hexdigest() != self.sha256:
            return None
        for line in manifest.decode("utf-8", "surrogateescape").splitlines():
            sha256, _, member = line.split(" ", 2)
            if member == self.page:
                return self.file_id if sha256 == content_sha256 else None
        return None


def bundle_of(real: Path, uploads: Path) -> KeptBundle | None:
    """The kept set of files a resolved path is the page of, or ``None`` (any other file).

    Kept by this host (``bundles/<sha256>/files/<path>``), or a job's copy
    fetched from object storage (``.jobs/<job>/bundles/<sha256>/files/<path>``).
    """
    if not real.is_relative_to(uploads):
        return None
    parts = real.relative_to(uploads).parts
    start = 2 if parts[:1] == (JOBS,) else 0
    head = parts[start:start + 3]
    if len(parts) > start + 3 and head[0] == BUNDLES and CONTENT_HASH.match(head[1]) and head[2] == FILES:
        return KeptBundle(uploads.joinpath(*parts[:start + 2]), head[1], "/".join(parts[start + 3:]))
    return None


def keep_bundle(parts: Sequence[tuple[IO[bytes], str]], page: str | None, upload_root: Path,
                limits: BundleLimits, max_bytes: int) -> KeptBundle:
    """Keep a page's files (one ``.zip``, or several files named by their paths) and say which is the page.

    Parameters
    ----------
    parts
        The files as sent, each a stream and its name; one whose name ends in ``.zip`` is unpacked.
    page
        The page's path among them; when ``None``, ``index.html`` at their top, or the only page there.
    upload_root
        The upload folder.
    limits
        How many files, bytes and folders deep they may be.
    max_bytes
        The most bytes a ``.zip`` itself may have (MAX_SOURCE_BYTES).

    Raises
    ------
    BundleInvalid, BundleTooLarge, SourceTooLarge
        A name, a member or a limit refuses them; nothing is kept.
    PageNotFound, SourceEmpty
        The page is not among them (or none could be chosen), or it is empty.
    OSError
        They could not be written; nothing is kept.
    """
    upload_root.mkdir(parents=True, exist_ok=True)
    arriving = Path(tempfile.mkdtemp(dir=upload_root, prefix=".bundle-"))
    try:
        files = arriving / FILES
        files.mkdir()
        if len(parts) == 1 and parts[0][1].lower().endswith(ZIP_SUFFIX):
            origin = repr(PurePosixPath(parts[0][1].replace("\\", "/")).name[:64])
            entries = _unpack_zip(parts[0][0], origin, arriving, limits, max_bytes)
        else:
            origin = UPLOAD
            entries = _write_parts(parts, files, limits)
        chosen = choose_page(entries, page, origin, limits)
        manifest = "".join(f"{sha256} {size} {member}\n" for member, sha256, size in sorted(entries))
        content = manifest.encode("utf-8", "surrogateescape")
        (arriving / MANIFEST).write_bytes(content)
        sha256 = hashlib.sha256(content).hexdigest()
        target = upload_root / BUNDLES / sha256
        target.parent.mkdir(exist_ok=True)
        try:
            os.rename(arriving, target)
        except OSError as e:  # the same files were kept meanwhile, or before: keep those
            if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    finally:
        shutil.rmtree(arriving, ignore_errors=True)
    return KeptBundle(target, sha256, chosen)


def choose_page(entries: Sequence[Entry], page: str | None, origin: str, limits: BundleLimits) -> str:
    """The page among the files: the one named, or ``index.html`` at their top, or the only page there.

    Their top is their folder, or the one folder all of them are in (a zip of ``site/``).

    Raises
    ------
    PageNotFound
        The page named is not among them (or is no name a file of the folder can have),
        or none was named and none could be chosen.
    SourceEmpty
        The page is empty.
    """
    sizes = {member: size for member, _, size in entries}
    if page is not None:
        try:
            chosen = member_path(page, "page", limits)
        except (BundleInvalid, BundleTooLarge) as e:  # a name no file of the folder can have
            raise PageNotFound(f"page: {page[:64]!r} is not among the files sent ({e})") from e
        if chosen not in sizes:
            raise PageNotFound(f"page: {chosen[:64]!r} is not among the files sent")
    else:
        paths = [PurePosixPath(member) for member in sorted(sizes)]
        depth = 0
        while paths and all(len(path.parts) > depth + 1 and path.parts[depth] == paths[0].parts[depth]
                            for path in paths):
            depth += 1
        top = [path for path in paths if len(path.parts) == depth + 1]
        index = [path for name in INDEX_PAGES for path in top if path.name == name]
        pages = [path for path in top if path.suffix.lower() in PAGE_SUFFIXES]
        if not index and len(pages) != 1:
            raise PageNotFound(f"page: name the page to draw (the page field): {origin} has no index.html at its "
                               f"top, and {len(pages)} pages there")
        chosen = str((index or pages)[0])
    if sizes[chosen] == 0:
        raise SourceEmpty(f"page: {chosen[:64]!r} is empty")
    return chosen


def _write_parts(parts: Sequence[tuple[IO[bytes], str]], files: Path, limits: BundleLimits) -> list[Entry]:
    """Write files sent one by one under ``files``, each at its path; say what was kept."""
    limits.check_count(len(parts), UPLOAD)
    members = [member_path(name, UPLOAD, limits) for _, name in parts]
    check_layout(members, UPLOAD)
    entries: list[Entry] = []
    spent = 0
    for (stream, _), member in zip(parts, members):
        sha256, size = _write(chunks_of(stream), files / member, limits.unpacked_bytes - spent, UPLOAD, limits)
        spent += size
        entries.append((member, sha256, size))
    return entries


def _unpack_zip(stream: IO[bytes], origin: str, arriving: Path, limits: BundleLimits,
                max_bytes: int) -> list[Entry]:
    """Unpack a zip under ``arriving/files``, every member checked before any is written; say what was kept."""
    archive_path = arriving / "archive.zip"
    _, size = _write(chunks_of(stream), archive_path, max_bytes, origin, None)
    if size == 0:
        raise SourceEmpty(f"{origin} is empty")
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise BundleInvalid(f"{origin} is not a zip archive that can be read ({e})") from e
    with archive:
        infos = archive.infolist()
        limits.check_count(len(infos), origin)
        named: list[tuple[str, zipfile.ZipInfo]] = []
        for info in infos:
            check_zip_member(info, origin)
            member = member_path(info.filename, origin, limits)
            if not info.is_dir():
                named.append((member, info))
        check_layout([member for member, _ in named], origin)
        limits.check_bytes(sum(info.file_size for _, info in named), origin)  # what the headers claim, first
        entries: list[Entry] = []
        spent = 0
        for member, info in named:
            try:
                with archive.open(info) as unpacked:
                    sha256, size = _write(chunks_of(unpacked), arriving / FILES / member,
                                          limits.unpacked_bytes - spent, origin, limits)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, ValueError) as e:
                raise BundleInvalid(f"{origin}: {member[:64]!r} cannot be unpacked ({e})") from e
            spent += size
            entries.append((member, sha256, size))
    archive_path.unlink()
    return entries


def _write(chunks: Iterator[bytes], target: Path, budget: int, origin: str,
           limits: BundleLimits | None) -> tuple[str, int]:
    """Write ``chunks`` to a new file ``target``, at most ``budget`` bytes counted as they come; its SHA-256 and size.

    Raises
    ------
    BundleTooLarge
        More than ``budget`` bytes came (``limits`` given: the files' MAX_UNPACKED_BYTES).
    SourceTooLarge
        More than ``budget`` bytes came (no ``limits``: the zip's own MAX_SOURCE_BYTES).
    """
    target.parent.mkdir(parents=True, exist_ok=True)

    def too_large() -> Exception:
        if limits is None:
            return SourceTooLarge(f"{origin} is larger than {budget} bytes (MAX_SOURCE_BYTES)")
        return limits.too_many_bytes(origin)

    with target.open("xb") as out:
        return copy_hashed(chunks, out, budget, too_large)
