"""The API under schemathesis, with all its checks: generated requests from the /openapi.yaml it serves.

Against the service as it is deployed (the shipped uwsgi.ini under real uWSGI,
nginx in front, a private Redis and a real worker), over HTTP, so that what
nginx answers itself is checked too, readiness is up and a valid ingest is
queued for real: schemathesis's checks (no 5xx, every response in the
schema, schema-valid data accepted, invalid data refused, authentication
honoured...) all run, on every operation.

Three things the schema cannot say. Whether a plugin makes proxies of the bytes
of an upload: a schema-valid upload that none handles is answered 415, which
the schema documents; the acceptance check is told so for that operation only.
Whether a cursor of ``GET /files`` is one of this query: it is opaque, and a
stale one is 400, as documented. And which hosts a callback_url may name (WEBHOOK_ALLOWED_HOSTS): a generated
URL that fits the schema is pointed at the one host the service allows here.
"""

from typing import Any, Iterator

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import negative_data_rejection
from schemathesis.config import SchemathesisConfig

from proxyservice.schemas import SCHEMA_DIR, validator
from tests.conftest import FIXTURES, TEST_SECRET, bearer
from tests.e2e.conftest import running_service
from tests.e2e.served import running_uwsgi

ACCEPTANCE = {
    "operations": [{
        "include-path": "/ingest",
        "include-method": "POST",
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "401", "403", "404", "415"]}},
    }, {
        # A cursor is opaque: a schema-valid string that is no cursor of this query is 400, as documented
        # (the routes' tests hold each 400 of GET /files to its reason).
        "include-path": "/files",
        "include-method": "GET",
        "checks": {"positive_data_acceptance": {"expected-statuses": ["2xx", "3xx", "400", "401", "403", "404"]}},
    }],
}


ALLOWED_CALLBACK = "http://callbacks.invalid/hook"
"""On the one host the service under test calls back (a reserved name: nothing answers there)."""


schema = schemathesis.openapi.from_path(SCHEMA_DIR / "openapi.yaml", config=SchemathesisConfig.from_dict(ACCEPTANCE))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of the running service, which serves the very contract the cases are drawn from."""
    root = tmp_path_factory.mktemp("fuzz")
    with running_service(root, SOURCE_ROOTS=str(FIXTURES), AUTH_SECRET=TEST_SECRET,
                         WEBHOOK_ALLOWED_HOSTS="callbacks.invalid", WEBHOOK_MAX_RETRIES="0") as (service, _), \
            running_uwsgi(service, root / "uwsgi.log") as url:
        # The cases come from the file (schemathesis's loader of a served schema does not run under
        # this pytest); the service must serve that file, byte for byte.
        served_contract = requests.get(f"{url}/openapi.yaml", timeout=10)
        assert served_contract.content == (SCHEMA_DIR / "openapi.yaml").read_bytes()
        yield url


@schema.parametrize()
# Derandomized: the same examples every run, so CI is never red by chance.
@settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_every_check_passes(served: str, case: schemathesis.Case) -> None:
    from proxyservice.config import Settings

    token = bearer(Settings.from_environ({}, AUTH_SECRET=TEST_SECRET))
    if isinstance(case.body, dict):
        body = dict(case.body)
        if "callback_url" in body and valid_callback(body["callback_url"]):
            body["callback_url"] = ALLOWED_CALLBACK  # still valid, and on the one host allowed
        case.body = body
    # A query string and a form send every value as text: a value the generator made of the wrong type (a
    # number for a name, an empty list) is often, on the wire, a valid request. Only a JSON body keeps its
    # types, so only it is held to refusing what the schema refuses; the routes' tests refuse the rest.
    excluded = [] if case.media_type == "application/json" else [negative_data_rejection]
    case.call_and_validate(base_url=served, headers={"Authorization": token}, excluded_checks=excluded,
                          timeout=30)


def valid_callback(url: Any) -> bool:
    """Whether the contract takes ``url`` as a callback_url."""
    return not list(validator("IngestOptions").iter_errors({"callback_url": url}))
