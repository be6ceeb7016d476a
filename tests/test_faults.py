"""Fault tolerance for real: the service and the real pipeline against a faulty OpenAI-compatible upstream."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from extractor.providers.settings import Settings
from extractor.service.app import create_app
from extractor.service.batch import run_batch
from extractor.service.config import ServiceSettings
from tests.fake_upstream import (
    FakeUpstream,
    delay,
    drop_connection,
    malformed_json,
    ok,
    rate_limited,
    schema_violation,
    server_error,
    truncated,
)
from tests.service_helpers import EnvoyDrafts, envoy_article, envoy_of, service_settings, wait_for_job


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream(default=ok(EnvoyDrafts(), usage=(100, 20))) as upstream:
        yield upstream


def model_settings(fake: FakeUpstream, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "base_url": fake.url,
        "api_key": "x",
        "model": "fake-model",
        "max_retries": 5,
        "timeout_s": 0.5,
        "retry_backoff_s": 0.01,
        "max_retry_time_s": 30,
        "reasks": 2,
        "replay": "off",
    }
    values.update(overrides)
    return Settings(**values)


def client_for(
    fake: FakeUpstream, tmp_path: Path, config: ServiceSettings | None = None, **overrides: Any
) -> TestClient:
    return TestClient(create_app(model_settings(fake, **overrides), config or service_settings(tmp_path)))


def metric(text: str, name: str) -> float:
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return 0.0


def test_transport_faults_are_retried_until_an_answer(fake: FakeUpstream, tmp_path: Path) -> None:
    fake.push(
        rate_limited(retry_after=0), server_error(500), server_error(503), drop_connection(), malformed_json()
    )
    fake.push(delay(3))  # longer than timeout_s: the client times out and tries again
    with client_for(fake, tmp_path, max_retries=6) as client:
        response = client.post("/v1/extract", json={"text": envoy_article(1)})
    assert response.status_code == 200, response.text
    assert [a["name"] for a in response.json()["actors"]] == [envoy_of(envoy_article(1))]
    assert len(fake.chat_requests()) == 7
    # Only the answer that arrived carried usage; the failed transports cost nothing countable.
    assert response.json()["meta"]["usage"] == {"prompt_tokens": 100, "completion_tokens": 20}


def test_retries_stop_where_configured_and_the_api_answers_503(fake: FakeUpstream, tmp_path: Path) -> None:
    fake.set_default(server_error(503))
    with client_for(fake, tmp_path, max_retries=2) as client:
        response = client.post("/v1/extract", json={"text": envoy_article(2)})
        metrics = client.get("/metrics").text
    assert response.status_code == 503
    assert response.json()["error"]["kind"] == "backend_unavailable"
    assert int(response.headers["Retry-After"]) > 0
    assert len(fake.chat_requests()) == 3  # the first try and max_retries=2 more
    assert 'extractor_failures_total{kind="backend_unavailable"} 1.0' in metrics


def test_usage_is_summed_over_every_attempt(fake: FakeUpstream, tmp_path: Path) -> None:
    fake.push(schema_violation(usage=(7, 3)), truncated(EnvoyDrafts(), usage=(11, 2), finish="stop"))
    with client_for(fake, tmp_path, reasks=2) as client:
        response = client.post("/v1/extract", json={"text": envoy_article(3)})
        metrics = client.get("/metrics").text
    assert response.status_code == 200, response.text
    meta = response.json()["meta"]
    assert meta["usage"] == {"prompt_tokens": 118, "completion_tokens": 25}
    assert meta["attempts"] == 3
    assert len(fake.chat_requests()) == 3
    assert metric(metrics, 'extractor_model_tokens_total{kind="prompt"}') == 118
    assert metric(metrics, "extractor_model_retries_total") == 2


def test_output_that_never_validates_is_a_502_with_its_cost_counted(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    fake.set_default(schema_violation(usage=(10, 5)))
    with client_for(fake, tmp_path, reasks=1) as client:
        response = client.post("/v1/extract", json={"text": envoy_article(4)})
        metrics = client.get("/metrics").text
    assert response.status_code == 502
    assert response.json()["error"]["kind"] == "model_output"
    assert len(fake.chat_requests()) == 2
    assert metric(metrics, 'extractor_model_tokens_total{kind="prompt"}') == 20
    assert 'extractor_failures_total{kind="model_output"} 1.0' in metrics


def test_readiness_follows_the_backend(fake: FakeUpstream, tmp_path: Path) -> None:
    with client_for(fake, tmp_path) as client:
        assert client.get("/readyz").status_code == 200
        fake.models_status = 503
        assert client.get("/readyz").status_code == 503


def test_a_job_under_faults_accounts_for_every_article(fake: FakeUpstream, tmp_path: Path) -> None:
    texts = [envoy_article(n) for n in range(16)]
    faults = [rate_limited(0), server_error(500), drop_connection(), malformed_json(), schema_violation()]
    fake.push(*(faults * 3))
    config = service_settings(tmp_path, job_concurrency=4, item_max_attempts=2)
    # Four workers share one fault queue, so one call can meet every queued fault of its kind in a
    # row: budgets larger than the queue make "everything gets through" a guarantee, not luck.
    queued = len(faults) * 3
    with client_for(fake, tmp_path, config=config, max_retries=queued, reasks=queued) as client:
        created = client.post(
            "/v1/jobs", json={"articles": [{"id": f"e{i}", "text": t} for i, t in enumerate(texts)]}
        )
        job_id = created.json()["job_id"]
        status = wait_for_job(client, job_id, timeout_s=60)
        lines = [json.loads(line) for line in client.get(f"/v1/jobs/{job_id}/results").text.splitlines()]
    assert status["status"] == "done"
    assert status["counts"]["done"] + status["counts"]["failed"] == 16
    assert [line["article_id"] for line in lines] == [f"e{i}" for i in range(16)]
    for line, text in zip(lines, texts, strict=True):
        if line["status"] == "ok":  # each result belongs to its own article, never a neighbour's
            assert [a["name"] for a in line["result"]["actors"]] == [envoy_of(text)]
        else:
            assert line["error"]["kind"] and line["error"]["message"]
    # With retry and reask budgets larger than the queued faults, everything gets through.
    assert status["counts"]["done"] == 16


def test_batch_through_the_real_pipeline(fake: FakeUpstream, tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        "\n".join(
            [
                json.dumps({"id": "one", "text": envoy_article(5)}),
                "oops",
                json.dumps({"id": "two", "text": envoy_article(6)}),
            ]
        )
    )
    fake.push(server_error(502), drop_connection())
    out = tmp_path / "out.jsonl"
    summary = run_batch(
        source, out, model_settings(fake), config=ServiceSettings(worker_poll_s=0.02), progress=False
    )
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(line["article_id"], line["status"]) for line in lines] == [
        ("one", "ok"),
        ("line-2", "failed"),
        ("two", "ok"),
    ]
    assert lines[2]["result"]["actors"][0]["name"] == envoy_of(envoy_article(6))
    assert (summary.ok, summary.failed) == (2, 1)


def test_synchronous_extractions_past_the_bound_get_429_and_no_model_call(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    fake.set_default(delay(1.5, ok(EnvoyDrafts(), usage=(100, 20))))  # a slow model: calls pile up
    config = service_settings(tmp_path, max_sync_extractions=3, busy_retry_after_s=2)
    with client_for(fake, tmp_path, config, timeout_s=10) as client, ThreadPoolExecutor(12) as pool:
        answers = list(
            pool.map(lambda n: client.post("/v1/extract", json={"text": envoy_article(n)}), range(12))
        )
        calls_during_the_burst = len(fake.chat_requests())
        fake.set_default(ok(EnvoyDrafts(), usage=(100, 20)))
        after = client.post("/v1/extract", json={"text": envoy_article(20)})  # the slots are free again
        metrics = client.get("/metrics").text
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] * 3 + [429] * 9, [a.text for a in answers]
    assert calls_during_the_burst == 3  # the refused requests never reached the model
    for refused in (a for a in answers if a.status_code == 429):
        assert refused.headers["Retry-After"] == "2"
        assert refused.json()["error"]["kind"] == "too_many_requests"
        assert set(refused.json()) == {"error"} and set(refused.json()["error"]) == {"kind", "message"}
    assert after.status_code == 200
    assert 'status="429"' in metrics


@pytest.mark.parametrize("text", ["\u0003", "🏻", "-- !!"])
def test_schema_valid_text_without_a_letter_or_digit_is_the_documented_422(
    fake: FakeUpstream, tmp_path: Path, text: str
) -> None:
    with client_for(fake, tmp_path) as client:
        answer = client.post("/v1/extract", json={"text": text})
    assert answer.status_code == 422
    assert answer.json()["error"]["kind"] == "bad_input"
    assert fake.chat_requests() == []
