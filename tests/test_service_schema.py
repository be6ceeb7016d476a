"""Property-based tests of the HTTP API from its own OpenAPI spec (schemathesis): every default check, so no
5xx, answers that match the documented schemas and status codes, invalid input rejected, auth enforced."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from extractor.providers.settings import Settings
from extractor.service.app import create_app
from tests.fake_upstream import FakeUpstream
from tests.service_helpers import make_app, service_settings

# Schemathesis loads schemas at import time and keeps each app's lifespan running for the session, so the
# apps, their databases and the upstream live at module level.
_TMP = tempfile.TemporaryDirectory(prefix="extractor-schemathesis-")
_ROOT = Path(_TMP.name)
_UPSTREAM = FakeUpstream().start()
TOKEN = "schema-token"

faked = schemathesis.openapi.from_asgi("/openapi.json", make_app(_ROOT / "faked"))
guarded = schemathesis.openapi.from_asgi("/openapi.json", make_app(_ROOT / "guarded", api_tokens=[TOKEN]))
real = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(
        Settings(base_url=_UPSTREAM.url, api_key="x", model="fake-model", replay="off", timeout_s=5),
        service_settings(_ROOT / "real"),
    ),
)
BOUNDED = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module", autouse=True)
def _upstream() -> Iterator[None]:
    yield
    _UPSTREAM.stop()


@faked.parametrize()
@BOUNDED
def test_api_with_a_scripted_pipeline(case: schemathesis.Case) -> None:
    case.call_and_validate()


@guarded.parametrize()
@BOUNDED
def test_api_with_bearer_tokens(case: schemathesis.Case) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})


@real.parametrize()
@BOUNDED
def test_api_with_the_real_pipeline_and_a_fake_upstream(case: schemathesis.Case) -> None:
    # The pipeline rightly rejects some schema-valid texts with a 422 (e.g. "\x1b": no sentence in it), a
    # judgement of content no schema can state, so positive-data acceptance is left to the test above.
    case.call_and_validate(excluded_checks=[positive_data_acceptance])
