"""The JSON Schema documents in ``schema/resources``, as validators.

The same files describe the API in ``schema/openapi.yaml``, validate request
bodies and plugin schemas at run time, and validate responses in the tests.

Error messages quote what a client sent only as a short prefix (:func:`quoted`):
jsonschema's own messages repeat the whole value, and a 10 MB field would come
back whole in the answer and the logs.
"""

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from .config import PROJECT_ROOT

SCHEMA_DIR = PROJECT_ROOT / "schema"
RESOURCES = SCHEMA_DIR / "resources"
QUOTE_LIMIT = 64
"""Most characters of a client's value that an error message repeats."""
MESSAGE_LIMIT = 256
"""Most characters of a whole validation message, however many values it quotes."""
ELLIPSIS = "…"


@lru_cache(maxsize=1)
def _registry() -> Registry:
    resources = []
    for path in sorted(RESOURCES.glob("*.json")):
        document = json.loads(path.read_text())
        resources.append((path.name, Resource.from_contents(document)))
    registry: Registry = Registry().with_resources(resources)
    return registry


@lru_cache(maxsize=None)
def validator(name: str) -> Draft202012Validator:
    """A validator for ``schema/resources/<name>.json``, with its ``$ref``s resolved."""
    document = json.loads((RESOURCES / f"{name}.json").read_text())
    return Draft202012Validator(document, registry=_registry())


def quoted(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)``, cut to ``limit`` characters with an ellipsis when longer."""
    return _shortened(repr(value), limit)


def first_error(name: str, instance: Any) -> str | None:
    """The first way ``instance`` breaks schema ``name``, naming the field; ``None`` if valid.

    Values from ``instance`` appear in the message as short prefixes only
    (:data:`QUOTE_LIMIT`), and the message is at most :data:`MESSAGE_LIMIT` long.
    """
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = errors[0]
    # A schema may say in words what its pattern (or its choice of forms) means ("x-message"): clearer.
    custom = (error.schema.get("x-message") if isinstance(error.schema, dict) and error.validator in ("pattern", "oneOf")
              else None)
    message = custom if isinstance(custom, str) else error.message
    # jsonschema writes the offending value, and for objects the offending
    # keys, with repr(): put the short forms in their place.
    for value in (error.instance, *(error.instance if isinstance(error.instance, dict) else ())):
        whole = repr(value)
        if len(whole) > QUOTE_LIMIT:
            message = message.replace(whole, quoted(value))
    where = "/".join(_shortened(str(part), QUOTE_LIMIT) for part in error.absolute_path)
    return _shortened(f"{where}: {message}" if where else message, MESSAGE_LIMIT)


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - len(ELLIPSIS)] + ELLIPSIS


def resource_path(name: str) -> Path:
    """The file of schema resource ``name``."""
    return RESOURCES / f"{name}.json"
