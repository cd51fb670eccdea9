"""A proxy's metadata: described from its finished file, and read back from what a store kept.

Every store keeps the same :class:`ProxyFile` as JSON; these functions are
what the stores share in making it and in reading it back.
"""

import logging
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from ...domain import ProxyFile
from ..hashing import sha256_of
from .errors import StoreFailed

logger = logging.getLogger(__name__)


def _image_size(path: Path) -> tuple[int, int]:
    """Width and height of an image file; ``(0, 0)`` for anything else."""
    try:
        with Image.open(path) as image:
            return image.size
    except (UnidentifiedImageError, OSError):
        return (0, 0)


def describe_proxy(
    file_id: str, plugin: str, source: Path, typeidentifier: str, filename: str, mimetype: str, made_from: str = ""
) -> ProxyFile:
    """The metadata of a finished proxy file: its size, checksum and picture size.

    Raises
    ------
    OSError
        The file cannot be read.
    """
    width, height = _image_size(source)
    return ProxyFile(
        file_id=file_id,
        typeidentifier=typeidentifier,
        filename=Path(filename).name,
        mimetype=mimetype,
        width=width,
        height=height,
        bytes=source.stat().st_size,
        checksum=sha256_of(source),
        plugin=plugin,
        made_from=made_from,
    )


def proxy_from_metadata(data: object, file_id: str, typeidentifier: str, where: str) -> ProxyFile:
    """The proxy that metadata read from ``where`` describes.

    Parameters
    ----------
    data
        The metadata as parsed from its JSON.
    file_id, typeidentifier
        The proxy it was read for.
    where
        Where it was read from, for the log only.

    Raises
    ------
    StoreFailed
        It is not a proxy's metadata.
    """
    if isinstance(data, dict):
        try:
            return ProxyFile(**data)
        except TypeError as e:
            raise unreadable_metadata(file_id, typeidentifier, where, e) from e
    raise unreadable_metadata(file_id, typeidentifier, where, TypeError(f"{type(data).__name__}, not an object"))


def unreadable_metadata(file_id: str, typeidentifier: str, where: str, error: Exception) -> StoreFailed:
    """The error for metadata that cannot be read; ``where`` goes to the log, never to clients.

    Parameters
    ----------
    file_id, typeidentifier
        The proxy it was read for.
    where
        Where it was read from.
    error
        Why it cannot be read.
    """
    logger.warning("proxy metadata %s is unreadable: %s", where, error)
    return StoreFailed(f"the metadata of proxy {typeidentifier} of {file_id} is unreadable")
