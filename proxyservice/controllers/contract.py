"""The API's contract, served as it is kept: ``schema/openapi.yaml`` and the JSON Schemas it refers to.

Its ``$ref``s are relative (``resources/TaskStatus.json``), so a reader that
fetched ``/openapi.yaml`` finds each at ``/resources/<name>``. ``GET /docs``
(Swagger UI, from the flask-swagger-ui package) reads it from there.
"""

import re
from http import HTTPStatus

from werkzeug.exceptions import NotFound

from ..schemas import RESOURCES, SCHEMA_DIR
from . import Response

OPENAPI = SCHEMA_DIR / "openapi.yaml"
RESOURCE_NAME = re.compile(r"[A-Za-z]+\.json")
NO_SUCH_SCHEMA = "no schema %r in the contract"


def openapi_document() -> Response:
    """The OpenAPI document."""
    return OPENAPI.read_bytes(), HTTPStatus.OK, {"Content-Type": "application/yaml"}


def schema_resource(name: str) -> Response:
    """One JSON Schema of the contract, by file name.

    Raises
    ------
    NotFound
        No schema of the contract has that name.
    """
    path = RESOURCES / name
    if not RESOURCE_NAME.fullmatch(name) or not path.is_file():
        raise NotFound(NO_SUCH_SCHEMA % name)
    return path.read_bytes(), HTTPStatus.OK, {"Content-Type": "application/schema+json"}
