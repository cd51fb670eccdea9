"""The JSON Schema documents in ``schema/resources``, as validators.

The same files describe the API in ``schema/openapi.yaml``, validate request
bodies and plugin schemas at run time, and validate responses in the tests.
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


def first_error(name: str, instance: Any) -> str | None:
    """The first way ``instance`` breaks schema ``name``, naming the field; ``None`` if valid."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.absolute_path))
    if not errors:
        return None
    error = errors[0]
    where = "/".join(str(part) for part in error.absolute_path)
    return f"{where}: {error.message}" if where else error.message


def resource_path(name: str) -> Path:
    """The file of schema resource ``name``."""
    return RESOURCES / f"{name}.json"
