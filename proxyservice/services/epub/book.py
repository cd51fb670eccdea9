"""Reading an EPUB book (a zip of XHTML pages and a package document) as a stranger wrote it.

Every byte is counted as it is unpacked, whatever the zip's headers claim,
and the whole book may unpack to ``max_bytes`` at most: a zip bomb stops
there. Its XML is read with defusedxml (no entities, no external
references). Member names that would land outside the folder they are
unpacked into are left out.
"""

import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Iterator
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from .errors import EpubInvalid, EpubTooLarge

CONTAINER = "META-INF/container.xml"
MAX_MEMBERS = 10_000
"""More files than any book holds: a zip of more is refused."""
CHUNK = 64 * 1024
NS = {"c": "urn:oasis:names:tc:opendocument:xmlns:container", "opf": "http://www.idpf.org/2007/opf",
      "dc": "http://purl.org/dc/elements/1.1/"}
TEXT_AT_MOST = 2_000
"""The most characters kept of a title, an author's name or a language."""
IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
PAGE_TYPES = frozenset({"application/xhtml+xml", "text/html"})


@dataclass(frozen=True)
class Item:
    """One file the package lists: its path in the zip, media type and properties."""

    path: str
    mediatype: str
    properties: frozenset[str]


class EpubBook:
    """One EPUB file, opened for reading.

    Parameters
    ----------
    path
        The book (the job's own checked copy).
    max_bytes
        Most bytes the whole book may unpack to.
    """

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.name = path.name
        self.budget = max_bytes
        self.max_bytes = max_bytes
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise EpubInvalid(f"{self.name} is not an EPUB book: it is not a zip ({e})") from e
        members = self.zip.infolist()
        if len(members) > MAX_MEMBERS:
            raise EpubTooLarge(f"{self.name} holds {len(members)} files, more than a book does ({MAX_MEMBERS})")
        self.names = {member.filename for member in members}

    def __enter__(self) -> "EpubBook":
        return self

    def __exit__(self, *_: object) -> None:
        self.zip.close()

    def cover(self) -> Item | None:
        """The cover image the package names (EPUB 3's ``cover-image``, or EPUB 2's ``<meta name="cover">``)."""
        package, base = self._package()
        items = self._items(package, base)
        for item in items.values():
            if "cover-image" in item.properties and item.mediatype in IMAGE_TYPES:
                return item
        meta = package.find("opf:metadata/opf:meta[@name='cover']", NS)
        named = items.get(meta.get("content", "")) if meta is not None else None
        return named if named is not None and named.mediatype in IMAGE_TYPES else None

    def first_page(self) -> Item:
        """The first page of the reading order (the spine) that is a page.

        Raises
        ------
        EpubInvalid
            The spine names no page that is in the book.
        """
        found = self.pages(1)
        if not found:
            raise EpubInvalid(f"{self.name} has no page in its reading order")
        return found[0]

    def pages(self, count: int) -> list[Item]:
        """The first ``count`` pages of the reading order (fewer when it has fewer), skipping what is no page."""
        package, base = self._package()
        items = self._items(package, base)
        found: list[Item] = []
        for reference in package.findall("opf:spine/opf:itemref", NS):
            item = items.get(reference.get("idref", ""))
            if item is not None and item.mediatype in PAGE_TYPES and item.path in self.names:
                found.append(item)
                if len(found) == count:
                    break
        return found

    def facts(self) -> dict[str, str | None]:
        """The book's title, first author and language, as its package's Dublin Core says (``None`` where not)."""
        metadata = self._package()[0].find("opf:metadata", NS)

        def first(name: str) -> str | None:
            found = metadata.find(f"dc:{name}", NS) if metadata is not None else None
            words = " ".join("".join(found.itertext()).split()) if found is not None else ""
            return words[:TEXT_AT_MOST] or None

        return {"title": first("title"), "author": first("creator"), "language": first("language")}

    def read(self, path: str) -> bytes:
        """One member's bytes, counted against the book's budget."""
        return b"".join(self._chunks(path))

    def unpack(self, folder: Path) -> None:
        """Unpack the whole book into ``folder`` (its pages' stylesheets and images come along)."""
        root = folder.resolve()
        for member in self.zip.infolist():
            target = (root / member.filename).resolve()
            if member.is_dir() or not target.is_relative_to(root) or target == root:
                continue  # a folder, or a name meant to land elsewhere (../, /etc/…): left out
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                for chunk in self._chunks(member.filename):
                    out.write(chunk)

    def _package(self) -> tuple[Element, str]:
        """The package document (OPF), and the folder its references are relative to."""
        container = self._xml(CONTAINER)
        rootfile = container.find("c:rootfiles/c:rootfile", NS)
        path = rootfile.get("full-path", "") if rootfile is not None else ""
        if not path:
            raise EpubInvalid(f"{self.name} is not an EPUB book: its container names no package document")
        return self._xml(path), posixpath.dirname(path)

    def _items(self, package: Element, base: str) -> dict[str, Item]:
        items = {}
        for entry in package.findall("opf:manifest/opf:item", NS):
            href = entry.get("href", "")
            path = posixpath.normpath(posixpath.join(base, href.split("#")[0])) if href else ""
            items[entry.get("id", "")] = Item(path, entry.get("media-type", ""),
                                              frozenset(entry.get("properties", "").split()))
        return items

    def _xml(self, path: str) -> Element:
        try:
            element: Element = fromstring(self.read(path))
        except (DefusedXmlException, SyntaxError, ValueError) as e:
            raise EpubInvalid(f"{self.name}: {PurePosixPath(path).name} is not XML that can be read ({e})") from e
        return element

    def _chunks(self, path: str) -> Iterator[bytes]:
        """A member's bytes as they are unpacked, each counted against the book's budget."""
        if path not in self.names:
            raise EpubInvalid(f"{self.name} is not an EPUB book: it has no {path}")
        try:
            with self.zip.open(path) as stream:
                while chunk := stream.read(CHUNK):
                    self._spend(len(chunk))
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, RuntimeError, EOFError, OSError) as e:
            raise EpubInvalid(f"{self.name}: {path} cannot be unpacked ({e})") from e

    def _spend(self, count: int) -> None:
        self.budget -= count
        if self.budget < 0:
            raise EpubTooLarge(f"{self.name} unpacks to more than {self.max_bytes} bytes (MAX_UNPACKED_BYTES): "
                               "not read further")
