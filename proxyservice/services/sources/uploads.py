"""Uploads kept on this host: each in a folder named by its content hash, so the same bytes are kept once.

Layout under the upload folder::

    <sha256>/<safe name>   an upload, whole (renamed into place once all of it arrived)
    .upload-*              one arriving
"""

import os
import re
import tempfile
from pathlib import Path
from typing import IO

from ..hashing import chunks_of, copy_hashed
from .errors import SourceTooLarge
from .sizes import check_size

UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9._-]+")
CONTENT_HASH = re.compile(r"^[0-9a-f]{64}$")


def safe_filename(name: str) -> str:
    """A base name made of safe characters only, keeping the extension."""
    base = Path(name.replace("\\", "/")).name
    cleaned = UNSAFE_NAME_CHARACTERS.sub("_", base).lstrip(".")
    return cleaned[:200] or "upload"


def keep_upload(stream: IO[bytes], filename: str, upload_root: Path, max_bytes: int) -> Path:
    """Stream an upload into ``upload_root``, under its content hash; return where it is kept.

    Parameters
    ----------
    stream
        The upload's bytes, read to their end.
    filename
        The name the client gave it: kept made safe (:func:`safe_filename`).
    upload_root
        The upload folder, made when missing.
    max_bytes
        The most bytes accepted.

    Raises
    ------
    SourceTooLarge, SourceEmpty
        Its size is not acceptable; nothing is kept.
    OSError
        It could not be written; nothing is kept.
    """
    upload_root.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=upload_root, prefix=".upload-")
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            sha256, size = copy_hashed(chunks_of(stream), out, max_bytes,
                                       lambda: SourceTooLarge(f"the upload is larger than {max_bytes} bytes"))
        check_size(size, filename, max_bytes)
        folder = upload_root / sha256
        folder.mkdir(exist_ok=True)
        target = folder / safe_filename(filename)
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)
    return target


def upload_hash(path: Path, uploads: Path) -> str | None:
    """The content hash of an upload kept by :func:`keep_upload`, from its folder's name; ``None`` for another file.

    Parameters
    ----------
    path
        A file, as named.
    uploads
        The upload folder, resolved.
    """
    if path.parent.parent.resolve() == uploads and CONTENT_HASH.match(path.parent.name):
        return path.parent.name
    return None
