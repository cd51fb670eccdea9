"""The OpenAPI document and the JSON Schema resources it refers to."""

import json
import re

import yaml
from openapi_spec_validator import validate

from proxyservice.schemas import RESOURCES, SCHEMA_DIR, validator


class TestOpenApi:
    """schema/openapi.yaml is a valid OpenAPI 3.1 document."""

    def test_it_validates(self) -> None:
        document = yaml.safe_load((SCHEMA_DIR / "openapi.yaml").read_text())
        validate(document, base_uri=(SCHEMA_DIR / "openapi.yaml").as_uri())

    def test_every_referenced_resource_exists(self) -> None:
        text = (SCHEMA_DIR / "openapi.yaml").read_text()
        for name in set(re.findall(r"resources/([A-Za-z]+\.json)", text)):
            assert (RESOURCES / name).is_file(), name


class TestResources:
    """Each resource is a valid JSON Schema whose references resolve."""

    def test_each_is_a_valid_schema(self) -> None:
        for path in RESOURCES.glob("*.json"):
            check = validator(path.stem)
            check.check_schema(json.loads(path.read_text()))
            # Resolving every $ref: validating any instance walks them.
            list(check.iter_errors({}))
