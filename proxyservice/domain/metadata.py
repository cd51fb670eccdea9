"""Metadata fields as a plugin's ``schema()`` declares them, and the JSON Schema each value must fit.

A schema entry whose datatype is ``Proxy`` names a proxy type; any other
declares a metadata field (PixStor Search's datatypes: String, Integer,
Float, Boolean, Date, and List of one of these). A value is stored only when
it fits its field's JSON Schema (:func:`value_schema`).
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Mapping, Sequence

if TYPE_CHECKING:
    from .source import SourceFile

PROXY = "Proxy"
LIST = "List"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
"""ISO 8601, as a day (``2026-12-08``) or a moment (``2026-12-08T10:00:00+01:00``)."""
MAX_STRING = 10_000
"""The most characters a String value (or item) may hold: a field is a fact, not a document."""
MAX_ITEMS = 1_000
SCALAR_SCHEMAS: dict[str, dict[str, Any]] = {
    "String": {"type": "string", "maxLength": MAX_STRING},
    "Integer": {"type": "integer"},
    "Float": {"type": "number"},
    "Boolean": {"type": "boolean"},
    "Date": {"type": "string", "pattern": DATE_PATTERN},
}


@dataclass(frozen=True)
class MetadataField:
    """One metadata field a plugin declares."""

    name: str
    prompt: str
    datatype: str
    items: str | None = None
    """The datatype of each item of a List."""
    searchable: bool = False
    """``GET /files`` may filter on it."""

    @property
    def numeric(self) -> bool:
        """Whether a range of values (``min``, ``max``) means something for it."""
        return self.datatype in ("Integer", "Float", "Date")


def metadata_fields(schema: Sequence[Mapping[str, Any]]) -> list[MetadataField]:
    """The metadata fields of a plugin's schema (its entries that are no proxy type)."""
    fields = []
    for entry in schema:
        value = entry.get("value") or {}
        if value.get("datatype") == PROXY:
            continue
        fields.append(MetadataField(str(entry["name"]), str(entry.get("prompt", "")), str(value.get("datatype")),
                                    value.get("items"), bool(entry.get("searchable", False))))
    return fields


def proxy_types(schema: Sequence[Mapping[str, Any]]) -> list[str]:
    """The proxy types a plugin's schema names."""
    return [str(entry["name"]) for entry in schema if (entry.get("value") or {}).get("datatype") == PROXY]


def value_schema(field: MetadataField) -> dict[str, Any]:
    """The JSON Schema a value of ``field`` must fit."""
    if field.datatype == LIST:
        return {"type": "array", "maxItems": MAX_ITEMS, "items": SCALAR_SCHEMAS[field.items or "String"]}
    return SCALAR_SCHEMAS[field.datatype]


def plain_value(value: Any) -> Any:
    """A value as JSON holds it: a day or a moment in ISO 8601, a tuple as a list; others as they are."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain_value(item) for item in value]
    return value


FILE_NAMESPACE = "file"
"""The namespace of every file's own facts, which the service keeps itself (no plugin may take it)."""
FILE_SCHEMA: list[dict[str, Any]] = [
    {"name": "name", "prompt": "File name", "value": {"datatype": "String"}, "searchable": True},
    {"name": "mimetype", "prompt": "Media type, read from the content", "value": {"datatype": "String"},
     "searchable": True},
    {"name": "size", "prompt": "Size in bytes", "value": {"datatype": "Integer"}, "searchable": True},
    {"name": "sha256", "prompt": "SHA-256 of the bytes", "value": {"datatype": "String"}, "searchable": True},
    {"name": "modified", "prompt": "Last changed", "value": {"datatype": "Date"}, "searchable": True},
]
"""The fields of :data:`FILE_NAMESPACE`, declared as a plugin declares its own."""


def file_facts(source: "SourceFile") -> dict[str, Any]:
    """What the service knows of every file it takes (:data:`FILE_SCHEMA`'s fields)."""
    return {"name": source.name, "mimetype": source.mimetype, "size": source.size,
            "sha256": source.sha256 or None, "modified": source.modified}
