"""Finding and keeping the files that proxies are made of.

A path given by a client is resolved (symlinks followed) and must land inside one of the configured roots; uploads
are streamed into the upload folder under their content hash, so the same bytes are kept once.

With STORE_URL set, uploads are also *staged* in that object storage, at ``<prefix>/uploads/<sha256>/<name>``, so
that a worker on any host can read them: plugins and tasks are given a reference to the object (its URL,
``s3://bucket/prefix/uploads/<sha256>/<name>``) instead of the web host's path, and a worker fetches it into a
folder of the job's own (:meth:`SourceFiles.materialize`) for as long as the job runs.

This module holds :class:`SourceFiles`, which decides what may be read. How uploads are kept is in :mod:`.uploads`,
how they are staged in :mod:`.staging`, and removed in :mod:`.forgetting`; which folder a page may load from in
:mod:`.page_view`.
"""

import logging
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

from ...config import Settings
from ...domain import ProxySize, SourceFile, SourceView, file_identity
from ...schemas import quoted
from ..context import SettingsService
# The object storage is the proxy store's: its bucket (and its errors) are shared, not made twice.
from ..store import Bucket
from .bundles import bundle_of, keep_bundle
from .forgetting import forget_upload
from .errors import BundleNotStaged, SourceChanged, SourceNotFound, SourceOutsideRoots, UploadNotKept
from .description import describe_file
from .members import BundleLimits
from .own_files import own_files
from .page_view import page_tree, page_view
from .sizes import check_size
from .snapshot import MOVED, copy_checked
from .staging import NOT_OUR_STORAGE, OBJECT_STORAGE_SCHEME, UploadStaging, stage_upload
from .uploads import keep_upload, upload_hash

logger = logging.getLogger(__name__)

CHANGED = "the file changed since it was ingested: its proxies would show other bytes; ingest it again"
STAGED_BUNDLE = ("a page with its files cannot be uploaded to a service that stages uploads in object storage "
                 "(STORE_URL) yet; upload the page alone, or ingest it by path")


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
                 staging: Bucket | None = None, job_seconds: float = 3600, private: tuple[Path, ...] = (),
                 bundle_limits: BundleLimits | None = None) -> None:
        self.upload_root = upload_root
        self.roots = tuple(root.resolve() for root in roots)
        self.max_bytes = max_bytes
        self.staging = staging
        self.job_seconds = job_seconds
        self.private = tuple(folder.resolve() for folder in (*private, upload_root))
        self._uploads = upload_root.resolve()
        self.bundle_limits = bundle_limits or BundleLimits(
            Settings.MAX_BUNDLE_FILES, Settings.MAX_UNPACKED_BYTES, Settings.MAX_BUNDLE_DEPTH)

    @classmethod
    def from_settings(cls, settings: Settings) -> "SourceFiles":
        """The files under SOURCE_ROOTS, and the uploads in DATA_DIR (staged in STORE_URL when it is set).

        Raises
        ------
        SettingInvalid
            STORE_URL is not an ``s3://`` URL.
        """
        staging = Bucket.from_url(settings.STORE_URL) if settings.STORE_URL else None
        limits = BundleLimits(settings.MAX_BUNDLE_FILES, settings.MAX_UNPACKED_BYTES, settings.MAX_BUNDLE_DEPTH)
        return cls(settings.SOURCE_ROOTS, settings.upload_root, settings.MAX_SOURCE_BYTES, staging,
                   settings.TASK_TIME_LIMIT, (settings.DATA_DIR, settings.proxy_store_root, settings.plugin_dir),
                   limits)

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
        bundle = bundle_of(real, self._uploads) if upload else None
        if bundle is not None:
            found = bundle.checked_id(content)
        else:
            found = file_identity(content, None if upload else str(real))
        if found != file_id:
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

    def save_bundle(self, parts: Sequence[tuple[IO[bytes], str]], page: str | None) -> Path:
        """Keep a page with the files it refers to (a ``.zip`` of its folder, or several files); return the page's path.

        They are kept under the hash of the whole set (``bundles.py``); the page
        may load any of them, and nothing else.

        Raises
        ------
        BundleInvalid, BundleTooLarge, SourceTooLarge
            A name leads out of the page's folder, a member is a link, or a limit is passed; nothing is kept.
        PageNotFound, SourceEmpty
            The page is not among the files, or none was named and none could be chosen; or it is empty.
        BundleNotStaged
            This service stages uploads in object storage (STORE_URL), where a page's files are not staged yet.
        UploadNotKept
            They could not be written; nothing is kept.
        """
        if self.staging is not None:
            raise BundleNotStaged(STAGED_BUNDLE)
        try:
            kept = keep_bundle(parts, page, self.upload_root, self.bundle_limits, self.max_bytes)
        except OSError as e:
            logger.warning("cannot keep a page's files in %s: %s", self.upload_root, e)
            raise UploadNotKept(f"the files could not be kept: {e.strerror or e}; nothing was kept, "
                                "try again later") from e
        return kept.page_path

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
            bundle = bundle_of(real, self._uploads)
            return bundle.files if bundle is not None else real.parent
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
        if self.is_upload(real):  # a page uploaded with its files sees them all; another upload only itself
            return page_view(real, tree) if bundle_of(real, self._uploads) else SourceView.of_file(real)
        # A page directly in a source root sees that folder's own files, not its
        # subfolders: each of those is a package of its own (README, "Security").
        return page_view(real, tree, recursive=tree not in self.roots)

    def describe(self, path: Path, proxy_size: ProxySize) -> SourceFile:
        """Say what a readable file is: an upload by the hash it was kept under, any other file hashed now.

        See :func:`.description.describe_file`.
        """
        return describe_file(path, proxy_size, self._uploads, self.staging)

    def upload_id(self, path: Path) -> str | None:
        """The content hash of an upload kept by :meth:`save_upload`, from its folder's name."""
        return upload_hash(path, self._uploads)

    def forget_upload(self, file_id: str) -> bool:
        """Remove the upload kept under ``file_id``, here and staged (:func:`.forgetting.forget_upload`)."""
        return forget_upload(self.upload_root, self.staging, file_id)

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
