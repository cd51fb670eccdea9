"""What a readable file is, as plugins are told: its id, the path workers read, its size and its media type."""

import logging
import mimetypes
from datetime import datetime, timezone
from pathlib import Path

import magic

from ...domain import ProxySize, SourceFile, file_identity
from ..hashing import sha256_of
from ..store import Bucket
from .bundles import bundle_of
from .fingerprints import Fingerprint, fingerprint
from .media_types import decide_mimetype
from .staging import staged_uploads
from .uploads import upload_hash

logger = logging.getLogger(__name__)


def describe_file(path: Path, proxy_size: ProxySize, uploads: Path, staging: Bucket | None) -> SourceFile:
    """Say what a readable file is: an upload by the hash it was kept under, any other file hashed now.

    Its type is read from the local file. Its path is what workers are
    given: a file under SOURCE_ROOTS is read in place on every host (a
    share mounted alike); an upload staged in object storage is named
    ``s3://bucket/prefix/uploads/<sha256>/<name>``, which
    :meth:`SourceFiles.materialize` turns back into a file on the worker.
    A page uploaded with its files is named by the set of files and its place among them.

    Parameters
    ----------
    uploads
        The upload folder, resolved.
    staging
        The object storage uploads are staged in, if any.
    """
    real = path.resolve()
    bundle = bundle_of(real, uploads)
    upload_id = upload_hash(path, uploads)
    shared = str(path)
    if staging is not None and upload_id is not None:
        shared = f"{staged_uploads(staging)}{upload_id}/{path.name}"
    guessed, encoding = mimetypes.guess_type(path.name)
    if bundle is not None:
        file_id, sniffed, sha256 = bundle.file_id, sniff(path), sha256_of(path)
    elif upload_id is not None:
        file_id, sniffed, sha256 = upload_id, sniff(path), upload_id
    else:  # hashed here, unless it is unchanged since it was last
        read = fingerprint(path, _read)
        file_id = file_identity(read.sha256, None if real.is_relative_to(uploads) else str(path))
        sniffed, sha256 = read.sniffed, read.sha256
    facts = path.stat()
    return SourceFile(
        file_id=file_id,
        path=shared,
        size=facts.st_size,
        mimetype=decide_mimetype(sniffed, guessed, encoding),
        proxy_size=proxy_size,
        sha256=sha256,
        modified=datetime.fromtimestamp(facts.st_mtime, timezone.utc),
    )


def _read(path: Path) -> Fingerprint:
    return Fingerprint(sha256_of(path), sniff(path))


def sniff(path: Path) -> str | None:
    """The media type libmagic reads in a file's content, if it can tell."""
    try:
        sniffed: str = magic.from_file(str(path), mime=True)
    except (magic.MagicException, OSError) as e:
        logger.warning("cannot read the type of %s: %s", path, e)
        return None
    return sniffed
