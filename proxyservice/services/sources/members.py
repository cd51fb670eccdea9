"""The files a page is uploaded with, as a stranger named them: where each may go, and how many may come.

A name is a path relative to the page's folder, as a ``.zip`` member or a
multipart file's name gives it (browsers send a dropped folder's files
under their relative path, ``site/_static/basic.css``). It must stay inside
that folder: no absolute path, no ``..``, no control character. A zip member
must be a regular file or a folder: a symbolic link could lead anywhere on
the worker, so it is refused, never unpacked.
"""

import stat
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from .errors import BundleInvalid, BundleTooLarge

MAX_NAME_BYTES = 255
"""Longest name of one file or folder (the file system's own limit)."""
MAX_PATH_BYTES = 1024
"""Longest path of a file within the page's folder: well inside the file system's limit, wherever the folder is."""
SUPPORTED_COMPRESSION = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA})


@dataclass(frozen=True)
class BundleLimits:
    """How much a page's files may be.

    Parameters
    ----------
    files
        Most files (and a zip's folders) (MAX_BUNDLE_FILES).
    unpacked_bytes
        Most bytes all of them unpacked (MAX_UNPACKED_BYTES).
    depth
        Most parts of a file's path, its own name counted (MAX_BUNDLE_DEPTH).
    """

    files: int
    unpacked_bytes: int
    depth: int

    def check_count(self, count: int, origin: str) -> None:
        """Refuse more than :attr:`files` files.

        Raises
        ------
        BundleTooLarge
            ``count`` is past the limit.
        """
        if count > self.files:
            raise BundleTooLarge(f"{origin} holds {count} files; the limit is {self.files} (MAX_BUNDLE_FILES)")

    def check_bytes(self, total: int, origin: str) -> None:
        """Refuse more than :attr:`unpacked_bytes` bytes in all.

        Raises
        ------
        BundleTooLarge
            ``total`` is past the limit.
        """
        if total > self.unpacked_bytes:
            raise self.too_many_bytes(origin)

    def too_many_bytes(self, origin: str) -> BundleTooLarge:
        """The refusal of files that unpack to more than :attr:`unpacked_bytes`."""
        return BundleTooLarge(f"{origin} unpacks to more than {self.unpacked_bytes} bytes (MAX_UNPACKED_BYTES)")


def member_path(name: str, origin: str, limits: BundleLimits) -> str:
    """A member's name as a path inside the page's folder (``_static/basic.css``), or a refusal.

    ``\\`` is read as ``/`` (zips made on Windows), empty and ``.`` parts are
    dropped, and a trailing ``/`` (a folder) is kept off.

    Parameters
    ----------
    name
        The name as sent.
    origin
        What it came in, for the words of a refusal (``site.zip``, ``the upload``).
    limits
        The depth it may have.

    Raises
    ------
    BundleInvalid
        It is absolute, climbs out with ``..``, holds a control character, is too long, or is empty.
    BundleTooLarge
        It is deeper than ``limits.depth``.
    """
    shown = name if len(name) <= 64 else name[:64] + "…"
    if any(ord(character) < 0x20 or character == "\x7f" for character in name):
        raise BundleInvalid(f"{origin}: the name {shown!r} holds a control character")
    unified = name.replace("\\", "/")
    first = unified.split("/", 1)[0]
    if unified.startswith("/") or (len(first) == 2 and first[1] == ":" and first[0].isalpha()):
        raise BundleInvalid(f"{origin}: {shown!r} is an absolute path; a page's files are named within its folder")
    parts = [part for part in unified.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise BundleInvalid(f"{origin}: {shown!r} leads outside the page's folder (..)")
    if not parts:
        raise BundleInvalid(f"{origin}: a file has no name ({shown!r})")
    if any(len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES for part in parts):
        raise BundleInvalid(f"{origin}: {shown!r} has a name longer than {MAX_NAME_BYTES} bytes")
    if len("/".join(parts).encode("utf-8", "surrogateescape")) > MAX_PATH_BYTES:
        raise BundleInvalid(f"{origin}: {shown!r} is a path longer than {MAX_PATH_BYTES} bytes")
    if len(parts) > limits.depth:
        raise BundleTooLarge(f"{origin}: {shown!r} is {len(parts)} folders deep; the limit is {limits.depth} "
                             "(MAX_BUNDLE_DEPTH)")
    return str(PurePosixPath(*parts))


def check_zip_member(info: zipfile.ZipInfo, origin: str) -> None:
    """Refuse a zip member that is not a plain file or folder, or that cannot be unpacked.

    Raises
    ------
    BundleInvalid
        It is a symbolic link (or a device, a pipe), encrypted, or compressed by a method not supported.
    """
    kind = stat.S_IFMT(info.external_attr >> 16)
    shown = info.filename if len(info.filename) <= 64 else info.filename[:64] + "…"
    if kind == stat.S_IFLNK:
        raise BundleInvalid(f"{origin}: {shown!r} is a symbolic link; links are not unpacked, send the file itself")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise BundleInvalid(f"{origin}: {shown!r} is not a regular file")
    if info.flag_bits & 0x1:
        raise BundleInvalid(f"{origin}: {shown!r} is encrypted")
    if info.compress_type not in SUPPORTED_COMPRESSION:
        raise BundleInvalid(f"{origin}: {shown!r} is compressed in a way that is not supported "
                            "(use deflate, bzip2 or lzma)")


def check_layout(members: list[str], origin: str) -> None:
    """Refuse files named twice, or a file named as another's folder (``a`` and ``a/b``).

    Raises
    ------
    BundleInvalid
        Two names clash.
    """
    seen: set[str] = set()
    for member in members:
        if member in seen:
            raise BundleInvalid(f"{origin}: {member!r} is named twice")
        seen.add(member)
    for member in members:
        for parent in PurePosixPath(member).parents:
            if str(parent) in seen:
                raise BundleInvalid(f"{origin}: {member!r} is inside {str(parent)!r}, which is a file")
