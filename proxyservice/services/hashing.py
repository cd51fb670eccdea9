"""Content hashes of files: the file id of a source, the checksum of a proxy."""

import hashlib
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator

CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file's bytes, hex, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in chunks_of(stream):
            digest.update(chunk)
    return digest.hexdigest()


def chunks_of(stream: IO[bytes]) -> Iterator[bytes]:
    """A stream's bytes, a chunk at a time, to its end."""
    return iter(lambda: stream.read(CHUNK), b"")


def copy_hashed(chunks: Iterable[bytes], out: IO[bytes], limit: int,
                too_large: Callable[[], Exception]) -> tuple[str, int]:
    """Copy ``chunks`` to ``out``, counting as they come, at most ``limit`` bytes; their SHA-256 (hex) and size.

    Raises
    ------
    Exception
        ``too_large()``, as soon as more than ``limit`` bytes came (the rest is not read).
    """
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise too_large()
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest(), size
