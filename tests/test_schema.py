"""The OpenAPI document and the JSON Schema resources it refers to."""

import json
import re

import pytest
import yaml
from openapi_spec_validator import validate

from proxyservice.schemas import RESOURCES, SCHEMA_DIR, validator
from proxyservice.services.webhooks import CallbackRefused, Webhooks


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


class TestCallbackUrl:
    """The contract's pattern for callback_url and the service's check agree: what one refuses, so does the other."""

    @pytest.mark.parametrize("url", [
        "http://", "https://", "http://:80/x", "http://user@hooks.example/x", "http://hooks.example/a b",
        "http://hooks.example:99999/x", "http://hooks.example:65536/", "http://hooks.example:8193:1/x",
        "ftp://hooks.example/x", "http:/hooks.example/x",
    ])
    def test_a_url_the_service_refuses_is_outside_the_schema(self, url: str) -> None:
        with pytest.raises(CallbackRefused):
            Webhooks(("hooks.example",), "secret", 1.0).check(url)
        assert not valid_callback(url)

    @pytest.mark.parametrize("url", [
        "http://hooks.example", "https://hooks.example/x?y=1#z", "http://hooks.example:65535/x",
        "http://HOOKS.example:8080", "http://[::1]:8080/x",
    ])
    def test_a_url_the_schema_allows_is_one_the_service_takes(self, url: str) -> None:
        assert valid_callback(url)
        assert Webhooks(("hooks.example", "::1"), "secret", 1.0).check(url) == url


def valid_callback(url: str) -> bool:
    return not list(validator("IngestOptions").iter_errors({"callback_url": url}))
