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

This module holds :class:`SourceFiles`, which decides what may be read. How
uploads are kept is in :mod:`.uploads`, and how they are staged in
:mod:`.staging`; which folder a page may load from in :mod:`.page_view`.
"""

import logging
import mimetypes
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

import magic

from ...config import Settings
from ...domain import ProxySize, SourceFile, SourceView, file_identity
from ...schemas import quoted
from ..context import SettingsService
from ..hashing import sha256_of
# The object storage is the proxy store's: its bucket (and its errors) are shared, not made twice.
from ..store import Bucket
from .errors import SourceChanged, SourceNotFound, SourceOutsideRoots, UploadNotKept
from .fingerprints import Fingerprint, fingerprint
from .media_types import decide_mimetype
from .own_files import own_files
from .page_view import page_tree, page_view
from .sizes import check_size
from .snapshot import MOVED, copy_checked
from .staging import NOT_OUR_STORAGE, OBJECT_STORAGE_SCHEME, UploadStaging, stage_upload, staged_uploads
from .uploads import keep_upload, upload_hash

logger = logging.getLogger(__name__)

CHANGED = "the file changed since it was ingested: its proxies would show other bytes; ingest it again"


def _resolved(path: Path) -> Path:
    """``path`` with its links followed.

    Raises
    ------
    SourceNotFound
        It changed while it was being followed (a link swapped meanwhile).
    """
    try:
        return path.resolve()
    except (OSError, RuntimeError) as e:  # RuntimeError: a link that loops (Python 3.11)
        raise SourceNotFound(MOVED) from e


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
    private
        The service's own folders (DATA_DIR, the store, the plugins): never read by path,
        even where a source root holds them. Uploads are in DATA_DIR: they are read
        only as the uploads they are, never named by path.
    """

    def __init__(self, roots: tuple[Path, ...], upload_root: Path, max_bytes: int,
                 staging: Bucket | None = None, job_seconds: float = 3600, private: tuple[Path, ...] = ()) -> None:
        self.upload_root = upload_root
        self.roots = tuple(root.resolve() for root in roots)
        self.max_bytes = max_bytes
        self.staging = staging
        self.job_seconds = job_seconds
        self.private = tuple(folder.resolve() for folder in (*private, upload_root))
        self._uploads = upload_root.resolve()

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
                   settings.TASK_TIME_LIMIT, (settings.DATA_DIR, settings.proxy_store_root, settings.plugin_dir))

    def is_upload(self, real: Path) -> bool:
        """Whether a resolved path is in the upload folder: an upload sees only itself."""
        return real.is_relative_to(self._uploads)

    def under_roots(self, real: Path) -> bool:
        """Whether a resolved path is inside one of SOURCE_ROOTS."""
        return any(real.is_relative_to(root) for root in self.roots)

    def readable(self, real: Path) -> bool:
        """Whether a resolved path may be read by path: inside a root, outside the service's own folders."""
        return self.under_roots(real) and not any(real.is_relative_to(folder) for folder in self.private)

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
        real = _resolved(candidate)
        if not self.readable(real):
            raise SourceOutsideRoots(f"{quoted(path)} is outside the allowed source folders")
        if not real.is_file():
            raise SourceNotFound(f"no file at {quoted(path)}")
        stat = real.stat()
        if stat.st_nlink > 1 and (stat.st_dev, stat.st_ino) in own_files(self.private):  # a hard link to one
            raise SourceOutsideRoots(f"{quoted(path)} is outside the allowed source folders")
        check_size(stat.st_size, path, self.max_bytes)
        return real

    def snapshot(self, path: str, file_id: str, into: Path) -> Path:
        """A job's own copy, in the folder ``into``, of the file ingested as ``file_id`` from ``path``.

        It is read through one checked descriptor (``snapshot.py``): a path
        swapped for a link since, or bytes changed since, are refused.

        Raises
        ------
        SourceNotFound, SourceOutsideRoots, SourceTooLarge
            It is gone, now leads where it may not be read, or grew too large.
        SourceChanged
            Its bytes (or its place) are not those of ``file_id``.
        """
        real = _resolved(Path(path))
        upload = self.is_upload(real)

        def allowed(opened: Path) -> bool:
            return self.is_upload(opened) if upload else self.readable(opened)

        copy, content = copy_checked(Path(path), into, allowed, self.max_bytes)
        if file_identity(content, None if upload else str(real)) != file_id:
            copy.unlink(missing_ok=True)
            raise SourceChanged(CHANGED)
        return copy

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
            kept = keep_upload(stream, filename, self.upload_root, self.max_bytes)
        except OSError as e:
            logger.warning("cannot keep an upload in %s: %s", self.upload_root, e)
            raise UploadNotKept(f"the upload could not be kept: {e.strerror or e}; nothing was kept, "
                                "try again later") from e
        if self.staging is not None:
            stage_upload(self.staging, kept)
        return kept

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
        real = _resolved(path)
        if self.is_upload(real):
            return real.parent
        if not self.readable(real):  # readable: under a root
            raise SourceOutsideRoots("the page is outside the allowed source folders")
        return page_tree(real, self.roots, levels_up)

    def page_view(self, path: Path, levels_up: int) -> SourceView:
        """What the renderer may read for a page: the page, and the web assets of its tree.

        Raises
        ------
        SourceOutsideRoots
            The page is in no root.
        """
        real = _resolved(path)
        tree = self.page_tree(real, levels_up)
        if self.is_upload(real):
            return SourceView.of_file(real)
        # A page directly in a source root sees that folder's own files, not its
        # subfolders: each of those is a package of its own (README, "Security").
        return page_view(real, tree, recursive=tree not in self.roots)

    def describe(self, path: Path, proxy_size: ProxySize) -> SourceFile:
        """Say what a readable file is: an upload by the hash it was kept under, any other file hashed now.

        Its type is read from the local file. Its path is what workers are
        given: a file under SOURCE_ROOTS is read in place on every host (a
        share mounted alike); an upload staged in object storage is named
        ``s3://bucket/prefix/uploads/<sha256>/<name>``, which
        :meth:`materialize` turns back into a file on the worker.
        """
        upload_id = self.upload_id(path)
        shared = str(path)
        if self.staging is not None and upload_id is not None:
            shared = f"{staged_uploads(self.staging)}{upload_id}/{path.name}"
        guessed, encoding = mimetypes.guess_type(path.name)
        if upload_id is not None:
            file_id, sniffed = upload_id, self.sniff(path)
        else:  # hashed here, unless it is unchanged since it was last
            read = fingerprint(path, self._read)
            file_id = file_identity(read.sha256, None if self.is_upload(path.resolve()) else str(path))
            sniffed = read.sniffed
        return SourceFile(
            file_id=file_id,
            path=shared,
            size=path.stat().st_size,
            mimetype=decide_mimetype(sniffed, guessed, encoding),
            proxy_size=proxy_size,
        )

    @classmethod
    def _read(cls, path: Path) -> Fingerprint:
        return Fingerprint(sha256_of(path), cls.sniff(path))

    def upload_id(self, path: Path) -> str | None:
        """The content hash of an upload kept by :meth:`save_upload`, from its folder's name."""
        return upload_hash(path, self._uploads)

    @contextmanager
    def materialize(self, args: Sequence[Any]) -> Iterator[list[Any]]:
        """A job's arguments with every staged upload fetched to this host, for the block (``staging.py``).

        Raises
        ------
        SourceOutsideRoots, SourceNotFound, SourceTooLarge, UploadNotKept, StoreFailed
            As :meth:`UploadStaging.materialize`.
        """
        if self.staging is None:
            if any(isinstance(arg, str) and arg.startswith(OBJECT_STORAGE_SCHEME) for arg in args):
                raise SourceOutsideRoots(NOT_OUR_STORAGE)
            yield list(args)
            return
        with UploadStaging(self.staging, self.upload_root, self.max_bytes, self.job_seconds).materialize(args) as local:
            yield local

    @staticmethod
    def sniff(path: Path) -> str | None:
        """The media type libmagic reads in a file's content, if it can tell."""
        try:
            sniffed: str = magic.from_file(str(path), mime=True)
        except (magic.MagicException, OSError) as e:
            logger.warning("cannot read the type of %s: %s", path, e)
            return None
        return sniffed
