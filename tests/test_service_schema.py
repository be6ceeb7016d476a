"""Property-based tests of the HTTP API from its own OpenAPI spec (schemathesis): every default check, so no
5xx, answers that match the documented schemas and status codes, invalid input rejected, auth enforced."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import CheckContext, Response

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
# The real pipeline rightly rejects some schema-valid texts (e.g. "\x1c" or "🏻": no letter or digit, so
# no sentence), a judgement of content the spec documents as a 422 of kind bad_input on POST /v1/extract.
# Every check runs; for that operation alone a 422 is an acceptable answer to valid data, and
# ``content_rejections_only`` holds it to exactly that kind.
_REAL_CONFIG = schemathesis.Config.from_dict(
    {
        "operations": [
            {
                "include-name": "POST /v1/extract",
                "checks": {
                    "positive_data_acceptance": {
                        "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429", "5xx"]
                    }
                },
            }
        ]
    }
)
real = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(
        Settings(base_url=_UPSTREAM.url, api_key="x", model="fake-model", replay="off", timeout_s=5),
        service_settings(_ROOT / "real"),
    ),
    config=_REAL_CONFIG,
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


def content_rejections_only(ctx: CheckContext, response: Response, case: schemathesis.Case) -> bool | None:
    """Valid data answered 422 was judged on its content (kind bad_input), never on its shape."""
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive and response.status_code == 422:
        kind = response.json()["error"]["kind"]
        assert kind == "bad_input", f"schema-valid data rejected as {kind}: {response.text}"
    return None


@real.parametrize()
@BOUNDED
def test_api_with_the_real_pipeline_and_a_fake_upstream(case: schemathesis.Case) -> None:
    case.call_and_validate(additional_checks=[content_rejections_only])
