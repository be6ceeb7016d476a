"""Contract tests of the model seam (extractor.providers.llm) against a real HTTP server on 127.0.0.1:
transport retries, Retry-After, validation reasks, usage over every attempt, message handling, replay."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest

from extractor.core.draft import Draft
from extractor.core.errors import BackendUnavailable, ConfigError, ContextOverflowError, ModelOutputError
from extractor.providers.llm import LLM
from extractor.providers.response_cache import ReplayMiss
from extractor.providers.settings import Settings
from extractor.providers.transport_retry import retry_after_seconds
from tests.fake_upstream import (
    DEFAULT_CONTENT,
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

MESSAGES = [{"role": "system", "content": "Extract."}, {"role": "user", "content": "[1] Qaani arrived."}]


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream() as server:
        yield server


def settings_for(fake: FakeUpstream, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "base_url": fake.url,
        "api_key": "test-key",
        "model": "fake-model",
        "max_retries": 3,
        "retry_backoff_s": 0.01,
        "timeout_s": 2.0,
        "reasks": 2,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


async def complete(settings: Settings) -> tuple[Draft, LLM, object]:
    llm = LLM(settings)
    try:
        result = await llm.complete(MESSAGES, Draft)
    finally:
        await llm.aclose()
    return result.value, llm, result.stats


async def test_request_carries_messages_model_and_json_schema(fake: FakeUpstream) -> None:
    await complete(settings_for(fake))
    (request,) = fake.chat_requests()
    body = request.body
    assert body["model"] == "fake-model"
    assert body["messages"] == MESSAGES
    assert body["response_format"]["type"] == "json_schema"
    schema = body["response_format"]["json_schema"]["schema"]
    assert set(schema["properties"]) == {"actors", "visits", "meetings", "claims"}
    assert request.headers.get("authorization") == "Bearer test-key"


async def test_transport_failures_are_retried_and_only_the_answer_is_billed(fake: FakeUpstream) -> None:
    fake.push(
        rate_limited(retry_after=0), server_error(503), drop_connection(), malformed_json(), ok(usage=(40, 7))
    )
    draft, _, stats = await complete(settings_for(fake, max_retries=4))
    assert draft.actors == []
    assert len(fake.chat_requests()) == 5
    assert stats.transport_retries == 4  # type: ignore[attr-defined]
    assert stats.attempts == 1  # type: ignore[attr-defined]
    assert stats.usage.prompt_tokens == 40 and stats.usage.completion_tokens == 7  # type: ignore[attr-defined]


async def test_timeouts_are_retried(fake: FakeUpstream) -> None:
    fake.push(delay(1.5), ok())
    _, _, stats = await complete(settings_for(fake, timeout_s=0.5))
    assert stats.transport_retries == 1  # type: ignore[attr-defined]


async def test_retries_are_bounded_then_backend_unavailable(fake: FakeUpstream) -> None:
    fake.set_default(server_error(500))
    with pytest.raises(BackendUnavailable, match="after 2 retries"):
        await complete(settings_for(fake, max_retries=2))
    assert len(fake.chat_requests()) == 3


async def test_total_retry_time_is_bounded(fake: FakeUpstream) -> None:
    # A Retry-After longer than the time budget ends the call now instead of sleeping past it.
    fake.set_default(rate_limited(retry_after=30))
    with pytest.raises(BackendUnavailable):
        await complete(settings_for(fake, max_retries=5, max_retry_time_s=1.0))
    assert len(fake.chat_requests()) == 1


async def test_invalid_output_is_reasked_and_usage_summed(fake: FakeUpstream) -> None:
    fake.push(
        schema_violation(usage=(100, 20)), truncated(finish="stop", usage=(110, 30)), ok(usage=(120, 10))
    )
    _, _, stats = await complete(settings_for(fake, reasks=2))
    requests = fake.chat_requests()
    assert len(requests) == 3
    assert stats.attempts == 3  # type: ignore[attr-defined]
    assert stats.usage.prompt_tokens == 330 and stats.usage.completion_tokens == 60  # type: ignore[attr-defined]
    # A reask shows the model its previous answer and the validation error.
    assert len(requests[1].body["messages"]) > len(MESSAGES)


async def test_output_that_never_validates_is_a_model_output_error_with_its_cost(fake: FakeUpstream) -> None:
    fake.set_default(schema_violation(usage=(50, 5)))
    with pytest.raises(ModelOutputError) as info:
        await complete(settings_for(fake, reasks=1))
    assert len(fake.chat_requests()) == 2
    assert info.value.usage is not None and info.value.usage.prompt_tokens == 100
    assert info.value.attempts == 2


async def test_output_cut_at_max_tokens_is_a_model_output_error(fake: FakeUpstream) -> None:
    fake.set_default(truncated(finish="length"))
    with pytest.raises(ModelOutputError):
        await complete(settings_for(fake))


async def test_rejected_credentials_are_not_retried(fake: FakeUpstream) -> None:
    fake.push(server_error(401))
    with pytest.raises(ConfigError, match="credentials"):
        await complete(settings_for(fake))
    assert len(fake.chat_requests()) == 1


async def test_a_prompt_too_long_for_the_context_is_its_own_error_and_not_retried(fake: FakeUpstream) -> None:
    # llama.cpp's wording; vLLM and OpenAI say "maximum context length".
    fake.push(server_error(400, message="the request exceeds the available context size, try increasing it"))
    with pytest.raises(ContextOverflowError) as raised:
        await complete(settings_for(fake))
    assert len(fake.chat_requests()) == 1
    assert raised.value.kind == "context_overflow" and not raised.value.retryable
    assert raised.value.http_status == 413


async def test_other_requests_the_server_refuses_are_not_an_outage(fake: FakeUpstream) -> None:
    fake.push(server_error(400, message="unsupported parameter"))
    with pytest.raises(ConfigError, match="rejected the request"):
        await complete(settings_for(fake))
    assert len(fake.chat_requests()) == 1


async def test_record_then_replay_without_a_server(tmp_path: Path) -> None:
    with FakeUpstream() as fake:
        fake.push(ok(DEFAULT_CONTENT, usage=(9, 4)))
        await complete(settings_for(fake, replay="record", cache_dir=tmp_path))
        url = fake.url
    assert len(list(tmp_path.glob("*.json"))) == 1
    # The server is gone: replay answers from the recording, with the recorded usage.
    _, _, stats = await complete(
        Settings(base_url=url, model="fake-model", replay="replay", cache_dir=tmp_path)
    )
    assert stats.cache_hits == 1 and stats.usage.prompt_tokens == 9  # type: ignore[attr-defined]
    other = [{"role": "user", "content": "a different article"}]
    llm = LLM(Settings(base_url=url, model="fake-model", replay="replay", cache_dir=tmp_path))
    with pytest.raises(ReplayMiss):
        await llm.complete(other, Draft)


async def test_ping(fake: FakeUpstream) -> None:
    llm = LLM(settings_for(fake))
    assert await llm.ping()
    fake.models_status = 503
    assert not await llm.ping()
    await llm.aclose()


def test_remote_server_needs_a_model_name() -> None:
    with pytest.raises(ConfigError, match="model name"):
        LLM(Settings(base_url="http://127.0.0.1:9/v1"))


def test_retry_after_header_forms() -> None:
    def error(headers: dict[str, str]) -> openai.APIStatusError:
        request = httpx.Request("POST", "http://x/v1/chat/completions")
        response = httpx.Response(429, headers=headers, request=request, content=json.dumps({}))
        return openai.RateLimitError("slow down", response=response, body=None)  # type: ignore[arg-type]

    assert retry_after_seconds(error({"retry-after": "3"})) == 3.0
    assert retry_after_seconds(error({"retry-after-ms": "250"})) == 0.25
    assert retry_after_seconds(error({})) is None
    http_date = retry_after_seconds(error({"retry-after": "Wed, 21 Oct 2099 07:28:00 GMT"}))
    assert http_date is not None and http_date > 0
