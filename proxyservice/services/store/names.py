"""How proxies are named in a store: a file id and a type identifier, checked before any use, and the store's layout.

A name that passes :func:`check_proxy_name` never reaches outside the store
(no ``/``, no ``..``): it is safe in a folder's path and in an object's key.
"""

import re

from ...domain import MODERN_FORMATS

FILE_ID = re.compile(r"[0-9a-f]{64}")
_COPY = "|".join(fmt.value for fmt in MODERN_FORMATS)
TYPEIDENTIFIER = re.compile(rf"[a-z0-9][a-z0-9_-]{{0,63}}(@[a-z0-9][a-z0-9_-]{{0,31}})?(\.({_COPY}))?")
"""A proxy's type, its size when not the default (``preview@large``, ``preview@640x480``), and its
modern format when it is a copy of another in one (``preview@large.webp``)."""
TEMP_DIR = ".proxytmp"
BLOBS = "blobs"  # <file_id>/blobs/<checksum>: a proxy's bytes, named by their hash
METADATA_SUFFIX = ".json"  # <file_id>/<typeidentifier>.json: its metadata, written last


def is_proxy_name(file_id: str, typeidentifier: str) -> bool:
    """Whether a file id and type identifier can name a proxy (and nothing outside the store)."""
    return bool(FILE_ID.fullmatch(file_id) and TYPEIDENTIFIER.fullmatch(typeidentifier))


def check_proxy_name(file_id: str, typeidentifier: str) -> None:
    """Refuse a file id or type identifier that cannot name a proxy.

    Raises
    ------
    ValueError
        ``file_id`` or ``typeidentifier`` is not of the allowed form.
    """
    if not FILE_ID.fullmatch(file_id):
        raise ValueError(f"file id must be 64 lower-case hex digits, not {file_id!r}")
    if not TYPEIDENTIFIER.fullmatch(typeidentifier):
        raise ValueError(f"type identifier {typeidentifier!r} must match {TYPEIDENTIFIER.pattern}")
