"""Finding and keeping the files that proxies are made of.

A path given by a client is resolved (symlinks followed) and must land inside
one of the configured roots; uploads are streamed into the upload folder
under their content hash, so the same bytes are kept once.

With STORE_URL set, uploads are also *staged* in that object storage, at
``<prefix>/uploads/<sha256>/<name>``, so that a worker on any host can read
them: plugins and tasks are given a reference to the object (its URL,
``s3://bucket/prefix/uploads/<sha256>/<name>``) instead of the web host's
path, and a worker fetches it into a folder of the job's own
(:meth:`SourceFiles.materialize`) for as long as the job runs.
"""

import hashlib
import logging
import mimetypes
import os
import re
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

import magic

from ...domain import ProxySize, SourceFile, SourceView
from .media_types import decide_mimetype
from ...config import Settings
from ..context import SettingsService
from ..hashing import CHUNK, sha256_of
# The object storage is the proxy store's: its bucket (and its errors) are shared, not made twice.
from ..store import StoreFailed
from ..store.bucket import Bucket
from .errors import SourceEmpty, SourceNotFound, SourceOutsideRoots, SourceTooLarge, UploadNotKept
from .page_view import page_view

logger = logging.getLogger(__name__)

UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
CONTENT_HASH = re.compile(r"^[0-9a-f]{64}$")
STAGED_UPLOAD = re.compile(r"^(?P<sha256>[0-9a-f]{64})/(?P<name>[A-Za-z0-9_-][A-Za-z0-9._-]{0,199})$")
"""The tail of a staged upload's reference: its hash and its safe name."""
UPLOADS = "uploads"
"""The folder of uploads under the object storage's prefix."""
JOBS = ".jobs"
"""The folder, in the upload folder, of the staged uploads workers fetched for the jobs running now."""
OBJECT_STORAGE_SCHEME = "s3://"
NOT_OUR_STORAGE = ("the upload is in object storage this worker does not use: "
                   "give the web app and the workers the same STORE_URL")
UPLOAD_GONE = "the uploaded file is no longer in the store; upload it again"
UPLOAD_CHANGED = "the uploaded file in the store is not the one uploaded (its bytes changed); upload it again"


def _staged_uploads(staging: Bucket) -> str:
    """The URL every staged upload's reference starts with: ``s3://bucket/prefix/uploads/``."""
    return f"{OBJECT_STORAGE_SCHEME}{staging.name}/{staging.key(UPLOADS)}/"


def safe_filename(name: str) -> str:
    """A base name made of safe characters only, keeping the extension."""
    base = Path(name.replace("\\", "/")).name
    cleaned = UNSAFE_NAME_CHARACTERS.sub("_", base).lstrip(".")
    return cleaned[:200] or "upload"


class SourceFiles(SettingsService):
    """The files the service may read.

    Parameters
    ----------
    roots
        Folders whose files may be ingested by path.
    upload_root
        Where uploads are kept; also readable.
    max_bytes
        Largest file accepted.
    staging
        Object storage every host reaches, where uploads are staged too; ``None`` to keep them on this host only.
    job_seconds
        Longest a job runs (TASK_TIME_LIMIT): a fetched upload older than that was left by a killed worker.
    """

    def __init__(self, roots: tuple[Path, ...], upload_root: Path, max_bytes: int,
                 staging: Bucket | None = None, job_seconds: float = 3600) -> None:
        self.upload_root = upload_root
        self.roots = tuple(root.resolve() for root in (*roots, upload_root))
        self.max_bytes = max_bytes
        self.staging = staging
        self.job_seconds = job_seconds

    SESSION_KEY = "source_files"

    @classmethod
    def from_settings(cls, settings: Settings) -> "SourceFiles":
        """The files under SOURCE_ROOTS, and the uploads in DATA_DIR (staged in STORE_URL when it is set).

        Raises
        ------
        SettingInvalid
            STORE_URL is not an ``s3://`` URL.
        """
        staging = Bucket.from_url(settings.STORE_URL) if settings.STORE_URL else None
        return cls(settings.SOURCE_ROOTS, settings.upload_root, settings.MAX_SOURCE_BYTES, staging,
                   settings.TASK_TIME_LIMIT)

    def resolve(self, path: str) -> Path:
        """Return the real path of a file a client named, if it may be read.

        Raises
        ------
        SourceOutsideRoots
            The path, after symlinks, is outside every root.
        SourceNotFound
            No regular file is there.
        SourceTooLarge, SourceEmpty
            The file's size is not acceptable.
        """
        if "\x00" in path:
            raise SourceNotFound("the path contains a NUL character")
        candidate = Path(path)
        if not candidate.is_absolute():
            raise SourceOutsideRoots(f"{path!r} is not an absolute path")
        real = candidate.resolve()
        if not any(real.is_relative_to(root) for root in self.roots):
            raise SourceOutsideRoots(f"{path!r} is outside the allowed source folders")
        if not real.is_file():
            raise SourceNotFound(f"no file at {path!r}")
        self._check_size(real.stat().st_size, path)
        return real

    def save_upload(self, stream: IO[bytes], filename: str) -> Path:
        """Keep an uploaded file under its content hash and return its path.

        The folder it is kept in is named by that hash: :meth:`upload_id` reads
        it back. With object storage, the file is staged there as well, and
        :meth:`describe` names it by its object.

        Raises
        ------
        SourceTooLarge
            More than ``max_bytes`` arrived; nothing is kept.
        SourceEmpty
            No bytes arrived; nothing is kept.
        UploadNotKept
            It could not be written (a full disk, object storage out of reach); nothing is kept.
        """
        try:
            kept = self._keep_upload(stream, filename)
        except OSError as e:
            logger.warning("cannot keep an upload in %s: %s", self.upload_root, e)
            raise UploadNotKept(f"the upload could not be kept: {e.strerror or e}; nothing was kept, "
                                "try again later") from e
        if self.staging is not None:
            self._stage(self.staging, kept)
        return kept

    @staticmethod
    def _stage(staging: Bucket, kept: Path) -> None:
        """Put a kept upload in the object storage, or keep nothing."""
        content_type = mimetypes.guess_type(kept.name)[0] or "application/octet-stream"
        try:
            staging.put_file(staging.key(UPLOADS, kept.parent.name, kept.name), kept, content_type)
        except StoreFailed as e:
            kept.unlink(missing_ok=True)
            raise UploadNotKept(f"the upload could not be kept: {e}; nothing was kept, try again later") from e

    def _keep_upload(self, stream: IO[bytes], filename: str) -> Path:
        self.upload_root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        handle, temp_name = tempfile.mkstemp(dir=self.upload_root, prefix=".upload-")
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in iter(lambda: stream.read(CHUNK), b""):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise SourceTooLarge(f"the upload is larger than {self.max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
            self._check_size(size, filename)
            folder = self.upload_root / digest.hexdigest()
            folder.mkdir(exist_ok=True)
            target = folder / safe_filename(filename)
            os.replace(temp, target)
        finally:
            temp.unlink(missing_ok=True)
        return target

    def page_tree(self, path: Path, levels_up: int) -> Path:
        """The folder whose stylesheets, scripts and images a page may load.

        That is the page's folder and up to ``levels_up`` folders above it
        (Sphinx pages load ``../_static``), never above the folder that holds
        it directly under its source root: with ``/usr/share/doc`` as a root,
        one package's documentation, never another's. An upload's folder
        holds only that upload, so an upload may read nothing else.

        Raises
        ------
        SourceOutsideRoots
            The page is in no root.
        """
        real = path.resolve()
        upload_root = self.upload_root.resolve()
        if real.is_relative_to(upload_root):
            return real.parent
        roots = [root for root in self.roots if real.is_relative_to(root)]
        if not roots:
            raise SourceOutsideRoots("the page is outside the allowed source folders")
        root = max(roots, key=lambda root: len(root.parts))
        below = real.relative_to(root).parts
        boundary = root / below[0] if len(below) > 1 else root
        folder = real.parent
        for _ in range(levels_up):
            if folder == boundary:
                break
            folder = folder.parent
        return folder

    def page_view(self, path: Path, levels_up: int) -> SourceView:
        """What the renderer may read for a page: the page, and the web assets of its tree.

        Raises
        ------
        SourceOutsideRoots
            The page is in no root.
        """
        real = path.resolve()
        tree = self.page_tree(real, levels_up)
        if real.is_relative_to(self.upload_root.resolve()):
            return SourceView.of_file(real)
        return page_view(real, tree)

    def describe(self, path: Path, proxy_size: ProxySize, file_id: str | None = None) -> SourceFile:
        """Say what a readable file is, hashing it unless its ``file_id`` is known already.

        Its type is read from the local file; its path is what workers are given (:meth:`shared_path`).
        """
        guessed, _ = mimetypes.guess_type(path.name)
        return SourceFile(
            file_id=file_id or sha256_of(path),
            path=self.shared_path(path),
            size=path.stat().st_size,
            mimetype=decide_mimetype(self.sniff(path), guessed),
            proxy_size=proxy_size,
        )

    def upload_id(self, path: Path) -> str | None:
        """The content hash of an upload kept by :meth:`save_upload`, from its folder's name."""
        if path.parent.parent.resolve() == self.upload_root.resolve() and CONTENT_HASH.match(path.parent.name):
            return path.parent.name
        return None

    def shared_path(self, path: Path) -> str:
        """How plugins and workers are told of a file: its path, or for a staged upload its object's URL.

        A file under SOURCE_ROOTS is read in place on every host (a share
        mounted alike); an upload staged in object storage is named
        ``s3://bucket/prefix/uploads/<sha256>/<name>``, which
        :meth:`materialize` turns back into a file on the worker.
        """
        upload_id = self.upload_id(path)
        if self.staging is None or upload_id is None:
            return str(path)
        return f"{_staged_uploads(self.staging)}{upload_id}/{path.name}"

    @contextmanager
    def materialize(self, args: Sequence[Any]) -> Iterator[list[Any]]:
        """A job's arguments with every staged upload fetched to this host, for the block.

        An argument that names a staged upload (as :meth:`shared_path` gave it)
        becomes the path of a copy at ``<upload folder>/.jobs/<job>/<sha256>/<name>``:
        a folder of the job's own, so two jobs never share a copy, and in the
        upload folder, so, like any upload, the page may read nothing else.
        The copies are removed when the block ends. Other arguments are left
        as they are.

        Raises
        ------
        SourceOutsideRoots
            The reference names object storage other than this host's STORE_URL.
        SourceNotFound
            The upload is no longer in the object storage, or its bytes changed.
        SourceTooLarge
            It is larger than ``max_bytes``.
        UploadNotKept
            It could not be written here (a full disk).
        StoreFailed
            The object storage could not be read; it may pass.
        """
        if not any(isinstance(arg, str) and arg.startswith(OBJECT_STORAGE_SCHEME) for arg in args):
            yield list(args)
            return
        self._sweep_jobs()
        try:
            (self.upload_root / JOBS).mkdir(parents=True, exist_ok=True)
            job = Path(tempfile.mkdtemp(dir=self.upload_root / JOBS))
        except OSError as e:
            raise UploadNotKept(f"the upload could not be fetched to this worker: {e.strerror or e}") from e
        try:
            yield [self._fetch(arg, job) if isinstance(arg, str) and arg.startswith(OBJECT_STORAGE_SCHEME)
                   else arg for arg in args]
        finally:
            shutil.rmtree(job, ignore_errors=True)

    def _staged_upload(self, reference: str) -> tuple[Bucket, str, str]:
        """The bucket, content hash and name of the staged upload ``reference`` names."""
        if self.staging is not None and reference.startswith(uploads := _staged_uploads(self.staging)):
            tail = STAGED_UPLOAD.match(reference[len(uploads):])
            if tail is not None:
                return self.staging, tail["sha256"], tail["name"]
        logger.warning("a job names %r, not an upload in STORE_URL (%s)", reference, self.staging and self.staging.url)
        raise SourceOutsideRoots(NOT_OUR_STORAGE)

    def _fetch(self, reference: str, job: Path) -> str:
        """Fetch the staged upload ``reference`` names into ``job``; return its local path."""
        staging, sha256, name = self._staged_upload(reference)
        body = staging.open(staging.key(UPLOADS, sha256, name))
        if body is None:
            raise SourceNotFound(UPLOAD_GONE)
        target = job / sha256 / name
        digest, size = hashlib.sha256(), 0
        try:
            target.parent.mkdir()
            with target.open("wb") as out:
                for chunk in body:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise SourceTooLarge(f"{name!r} is larger than {self.max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
        except OSError as e:
            logger.warning("cannot fetch an upload to %s: %s", target, e)
            raise UploadNotKept(f"the upload could not be fetched to this worker: {e.strerror or e}") from e
        finally:
            body.close()
        if digest.hexdigest() != sha256:
            raise SourceNotFound(UPLOAD_CHANGED)
        logger.info("fetched upload %s/%s (%d bytes) for a job", sha256, name, size)
        return str(target)

    def _sweep_jobs(self) -> None:
        """Remove the copies a killed worker left: no job runs longer than ``job_seconds``."""
        cutoff = time.time() - self.job_seconds
        try:
            entries = list(os.scandir(self.upload_root / JOBS))
        except FileNotFoundError:
            return
        for entry in entries:
            try:
                if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                    shutil.rmtree(entry.path)
                    logger.info("removed the fetched upload %s that a stopped job left", entry.name)
            except FileNotFoundError:
                continue  # another worker process swept it first
            except OSError as e:
                logger.warning("cannot remove %s from %s: %s", entry.name, self.upload_root / JOBS, e)

    @staticmethod
    def sniff(path: Path) -> str | None:
        """The media type libmagic reads in a file's content, if it can tell."""
        try:
            sniffed: str = magic.from_file(str(path), mime=True)
        except (magic.MagicException, OSError) as e:
            logger.warning("cannot read the type of %s: %s", path, e)
            return None
        return sniffed

    def _check_size(self, size: int, name: str) -> None:
        if size > self.max_bytes:
            raise SourceTooLarge(f"{name!r} is {size} bytes; the limit is {self.max_bytes}")
        if size == 0:
            raise SourceEmpty(f"{name!r} is empty")
