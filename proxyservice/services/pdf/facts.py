"""What poppler's ``pdfinfo`` says of a PDF, read into fields: pages, title, author, creation date, page size."""

import re
from dataclasses import dataclass

LINE = re.compile(r"^([A-Za-z][A-Za-z ]*?):\s*(.*)$")
PAGE_SIZE = re.compile(r"^([\d.]+) x ([\d.]+) pts")


@dataclass(frozen=True)
class PdfFacts:
    """A PDF's document information, as pdfinfo reads it (``None`` where the PDF says nothing)."""

    pages: int
    title: str | None = None
    author: str | None = None
    created: str | None = None
    """ISO 8601, as ``pdfinfo -isodates`` writes it."""
    encrypted: bool = False
    page_width_pt: float | None = None
    page_height_pt: float | None = None


def parse_pdfinfo(said: str) -> PdfFacts | None:
    """The facts in ``pdfinfo -isodates -enc UTF-8``'s output; ``None`` when it names no page count."""
    found: dict[str, str] = {}
    for line in said.splitlines():
        matched = LINE.match(line)
        if matched and matched.group(1) not in found:
            found[matched.group(1)] = matched.group(2).strip()
    pages = found.get("Pages", "")
    if not pages.isdigit():
        return None
    size = PAGE_SIZE.match(found.get("Page size", ""))
    return PdfFacts(
        pages=int(pages),
        title=found.get("Title") or None,
        author=found.get("Author") or None,
        created=_iso(found.get("CreationDate")),
        encrypted=found.get("Encrypted", "no").startswith("yes"),
        page_width_pt=float(size.group(1)) if size else None,
        page_height_pt=float(size.group(2)) if size else None,
    )


def _iso(value: str | None) -> str | None:
    """An ISO 8601 date pdfinfo wrote; ``None`` for none, or for a date it could not make ISO (kept as the PDF said)."""
    if not value or not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return None
    return value
