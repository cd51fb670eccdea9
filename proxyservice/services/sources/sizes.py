"""The size a source file may have: some bytes, and no more than MAX_SOURCE_BYTES."""

from .errors import SourceEmpty, SourceTooLarge


def check_size(size: int, name: str, max_bytes: int) -> None:
    """Refuse a source of ``size`` bytes, named ``name`` in the error, unless it has some and at most ``max_bytes``.

    Raises
    ------
    SourceTooLarge
        It is larger than ``max_bytes``.
    SourceEmpty
        It has no bytes.
    """
    if size > max_bytes:
        raise SourceTooLarge(f"{name!r} is {size} bytes; the limit is {max_bytes}")
    if size == 0:
        raise SourceEmpty(f"{name!r} is empty")
