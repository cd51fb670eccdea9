"""Uploads staged in object storage, so that a worker on any host can read them.

With STORE_URL set, an upload is kept on the web host that received it and
put at ``<prefix>/uploads/<sha256>/<name>`` too: plugins and tasks are given
a reference to that object (``s3://bucket/prefix/uploads/<sha256>/<name>``),
and a worker fetches it into a folder of the job's own for as long as the
job runs (:meth:`UploadStaging.materialize`).
"""

import logging
import mimetypes
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Sequence

from ..hashing import copy_hashed
from ..leftovers import remove_older_than
from ..store import Bucket, StoreFailed
from .errors import SourceNotFound, SourceOutsideRoots, SourceTooLarge, UploadNotKept

logger = logging.getLogger(__name__)

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


def staged_uploads(staging: Bucket) -> str:
    """The URL every staged upload's reference starts with: ``s3://bucket/prefix/uploads/``."""
    return f"{OBJECT_STORAGE_SCHEME}{staging.name}/{staging.key(UPLOADS)}/"


def stage_upload(staging: Bucket, kept: Path) -> None:
    """Put a kept upload (``<upload folder>/<sha256>/<name>``) in the object storage, or keep nothing.

    Raises
    ------
    UploadNotKept
        The object storage could not take it; the local copy is removed too.
    """
    content_type = mimetypes.guess_type(kept.name)[0] or "application/octet-stream"
    try:
        staging.put_file(staging.key(UPLOADS, kept.parent.name, kept.name), kept, content_type)
    except StoreFailed as e:
        kept.unlink(missing_ok=True)
        raise UploadNotKept(f"the upload could not be kept: {e}; nothing was kept, try again later") from e


class UploadStaging:
    """Fetching staged uploads to this host for the jobs that need them.

    Parameters
    ----------
    staging
        The object storage uploads are staged in.
    upload_root
        This host's upload folder; fetched copies go to its ``.jobs`` folder.
    max_bytes
        Largest file accepted.
    job_seconds
        Longest a job runs (TASK_TIME_LIMIT): a fetched upload older than that was left by a killed worker.
    """

    def __init__(self, staging: Bucket, upload_root: Path, max_bytes: int, job_seconds: float) -> None:
        self.staging = staging
        self.upload_root = upload_root
        self.max_bytes = max_bytes
        self.job_seconds = job_seconds

    @contextmanager
    def materialize(self, args: Sequence[Any]) -> Iterator[list[Any]]:
        """A job's arguments with every staged upload fetched to this host, for the block.

        An argument that names a staged upload (as :meth:`SourceFiles.describe` named it)
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
        if self.staging is not None and reference.startswith(uploads := staged_uploads(self.staging)):
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
        try:
            target.parent.mkdir()
            with target.open("wb") as out:
                fetched, size = copy_hashed(body, out, self.max_bytes,
                                            lambda: SourceTooLarge(f"{name!r} is larger than {self.max_bytes} bytes"))
        except OSError as e:
            logger.warning("cannot fetch an upload to %s: %s", target, e)
            raise UploadNotKept(f"the upload could not be fetched to this worker: {e.strerror or e}") from e
        finally:
            body.close()
        if fetched != sha256:
            raise SourceNotFound(UPLOAD_CHANGED)
        logger.info("fetched upload %s/%s (%d bytes) for a job", sha256, name, size)
        return str(target)

    def _sweep_jobs(self) -> None:
        """Remove the copies a killed worker left: no job runs longer than ``job_seconds``."""
        removed = remove_older_than(self.upload_root / JOBS, self.job_seconds)
        if removed:
            logger.info("removed %d fetched uploads that stopped jobs left", removed)

