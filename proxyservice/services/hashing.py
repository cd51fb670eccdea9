"""Content hashes of files: the file id of a source, the checksum of a proxy."""

import hashlib
from pathlib import Path

CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()
