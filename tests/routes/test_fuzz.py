"""The API under schemathesis: generated requests from schema/openapi.yaml, no 5xx, every response in the schema.

The app is the real one over real temp folders; only the broker is the
in-memory queue, so that a valid ingest is not a legitimate 503.
"""

import shutil
import tempfile
from pathlib import Path
from typing import Iterator
from unittest import mock

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from proxyservice.config import Settings
from proxyservice.controllers import ingest
from proxyservice.factory import create_web_app
from proxyservice.schemas import SCHEMA_DIR
from proxyservice.services.task_queue import InMemoryTaskQueue
from tests.conftest import FIXTURES, TEST_SECRET, bearer

ROOT = Path(tempfile.mkdtemp(prefix="proxyservice-fuzz-"))
SETTINGS = Settings.from_environ({}, DATA_DIR=ROOT / "data", SOURCE_ROOTS=(FIXTURES,),
                                 REDIS_URL="redis://127.0.0.1:9/0", AUTH_SECRET=TEST_SECRET)
INGEST_ANSWERS = {200, 202, 303, 400, 401, 403, 404, 413, 415, 429}
schema = schemathesis.openapi.from_path(SCHEMA_DIR / "openapi.yaml")
schema.app = create_web_app(SETTINGS)  # requests go to the app in-process (WSGI)


@pytest.fixture(scope="module", autouse=True)
def in_memory_broker() -> Iterator[None]:
    with mock.patch(f"{ingest.__name__}.TaskQueue") as seam:
        seam.current_session.return_value = InMemoryTaskQueue()
        yield
    shutil.rmtree(ROOT, ignore_errors=True)


@schema.parametrize()
# Derandomized: the same examples every run, so CI is never red by chance.
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_every_response_matches_the_schema(case: schemathesis.Case) -> None:
    if case.operation.path == "/status" and case.method == "GET":
        pytest.skip("readiness is 503 here by design (no broker, no worker); its schema is checked elsewhere")
    # A schema-valid upload may still be one no plugin handles (415) or empty
    # (400): the schema cannot say so. For ingest those answers are checked
    # here instead of by schemathesis's acceptance check; all other checks stay.
    ingesting = case.operation.path == "/ingest" and case.method.upper() == "POST"
    response = case.call_and_validate(
        headers={"Authorization": bearer(SETTINGS)},
        excluded_checks=[positive_data_acceptance] if ingesting else [],
    )
    if ingesting:
        assert response.status_code in INGEST_ANSWERS, response.text
