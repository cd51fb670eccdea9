"""Checking a plugin's metadata against its schema before it is stored: what fits is kept, the rest refused.

Each value is checked alone against its field's JSON Schema (made from the
plugin's declaration by :func:`~proxyservice.domain.metadata.value_schema`),
so one value that does not fit costs that field only, and the warning names it.
"""

from typing import Any, Mapping, Protocol, Sequence

from jsonschema import Draft202012Validator

from ..domain.metadata import metadata_fields, plain_value, value_schema

REFUSED = "metadata field %s.%s refused: %s"
NOT_DECLARED = "it is not declared in the plugin's schema"
QUOTE_LIMIT = 40


def checked_metadata(namespace: str, schema: Sequence[Mapping[str, Any]],
                     values: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The values that fit ``schema``, and a warning for each that does not.

    ``None`` stands for a value the file does not have (a PDF without a
    title): it is left out, without a warning.

    Parameters
    ----------
    namespace
        The plugin's namespace, for the warnings.
    schema
        The plugin's ``schema()``.
    values
        Field name to value, as the plugin gives them (a ``datetime`` is taken for a Date).
    """
    fields = {field.name: field for field in metadata_fields(schema)}
    accepted: dict[str, Any] = {}
    warnings: list[str] = []
    for name, value in values.items():
        if value is None:
            continue
        field = fields.get(name)
        if field is None:
            warnings.append(REFUSED % (namespace, name, NOT_DECLARED))
            continue
        plain = plain_value(value)
        error = next(iter(Draft202012Validator(value_schema(field)).iter_errors(plain)), None)
        if error is not None:
            warnings.append(REFUSED % (namespace, name, _why(field.datatype, field.items, plain, error.validator)))
            continue
        accepted[name] = plain
    return accepted, warnings


class MetadataBook(Protocol):
    """Where metadata is kept (the task records)."""

    def put_metadata(self, file_id: str, namespace: str, fields: Mapping[str, Any]) -> None: ...


def keep_metadata(book: MetadataBook, file_id: str, namespace: str, schema: Sequence[Mapping[str, Any]],
                  values: Mapping[str, Any]) -> list[str]:
    """Store in ``book`` the values that fit ``schema`` (:func:`checked_metadata`); return the refusals.

    Raises
    ------
    ResourceUnavailable
        The records are away; nothing was stored.
    """
    accepted, refused = checked_metadata(namespace, schema, values)
    if accepted:
        book.put_metadata(file_id, namespace, accepted)
    return refused


def _why(datatype: str, items: str | None, value: Any, broken: Any) -> str:
    """Why a value does not fit, in a reader's words (jsonschema's repeat the whole value)."""
    shown = repr(value)
    shown = shown if len(shown) <= QUOTE_LIMIT else shown[:QUOTE_LIMIT] + "…"
    article = "an" if datatype[0] in "AEIOU" else "a"
    wanted = f"a List of {items}" if items else f"{article} {datatype}"
    if broken in ("maxLength", "maxItems"):
        return f"{shown} is longer than {article} {datatype} may be"
    return f"{shown} is not {wanted}"
