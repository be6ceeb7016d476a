"""The one seam between the pipeline and any OpenAI-compatible server.

The pipeline hands over messages and a pydantic model and gets back a validated instance with the
tokens spent. Which server answers (embedded llama.cpp, vLLM, OpenAI, a recording), how transport
failures are retried and how invalid output is re-asked all stay behind this module.
"""

from __future__ import annotations

import contextvars
import functools
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import instructor
import openai
import platformdirs
from openai.types.chat import ChatCompletion
from pydantic import BaseModel
from tenacity import RetryCallState

from extractor.core.contract import Usage
from extractor.core.errors import (
    BackendTimeout,
    BackendUnavailable,
    ConfigError,
    ContextOverflowError,
    ExtractorError,
    ModelOutputError,
)
from extractor.core.progress import report
from extractor.providers import embedded
from extractor.providers.response_cache import ReplayMiss, ResponseCache, request_key
from extractor.providers.settings import Settings
from extractor.providers.transport_retry import MalformedResponse, is_transient, transport_retrying

T = TypeVar("T", bound=BaseModel)


@dataclass
class CallStats:
    """What one structured call cost, summed over transport retries and validation reasks."""

    usage: Usage = field(default_factory=Usage)
    attempts: int = 0  # requests that reached the server (or the cache) and returned a completion
    transport_retries: int = 0
    reasks: int = 0
    cache_hits: int = 0
    model_seconds: float = 0.0


@dataclass
class Completion(Generic[T]):
    value: T
    stats: CallStats


_current_stats: contextvars.ContextVar[CallStats] = contextvars.ContextVar("llm_call_stats")


@functools.cache
def _prepared(response_model: type[BaseModel]) -> type[BaseModel]:
    """instructor's wrapper of a response model, built once, with its JSON schema computed once.

    instructor rebuilds both on every call (milliseconds of CPU each), which caps how many calls one
    event loop can drive against a fast server. The schema and class name are unchanged, so the
    request, and with it every recording's key, stays the same.
    """
    from instructor.v2.core.function_calls import response_schema

    wrapped: Any = response_schema(response_model)
    # Kept as JSON text: a fresh dict per call (callers may mutate it) for a tenth of a deepcopy.
    schema_json = json.dumps(wrapped.model_json_schema())

    def cached_schema(cls: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:
            return dict(BaseModel.model_json_schema.__func__(cls, *args, **kwargs))  # type: ignore[attr-defined]
        return cast(dict[str, Any], json.loads(schema_json))

    wrapped.model_json_schema = classmethod(cached_schema)
    return cast(type[BaseModel], wrapped)


def default_cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("extractor")) / "responses"


class LLM:
    """A client for one backend. Cheap to build; the embedded server behind it is shared."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: openai.AsyncOpenAI | None = None
        self._model_name = settings.model or (
            embedded.embedded_model_name(settings) if settings.embedded else None
        )
        if self._model_name is None:
            raise ConfigError("a remote base_url needs a model name (EXTRACTOR_MODEL or --model)")
        self._cache = (
            ResponseCache(settings.cache_dir or default_cache_dir()) if settings.replay != "off" else None
        )
        mode = instructor.Mode.JSON_SCHEMA if settings.json_schema_output else instructor.Mode.MD_JSON
        # Patched once per client: instructor prepares the request for a response model on each call,
        # and the cost of each call is tracked through a context variable rather than a new closure.
        self._patched: Any = instructor.patch(create=self._create, mode=mode)

    @property
    def model_name(self) -> str:
        assert self._model_name is not None
        return self._model_name

    def _openai(self) -> openai.AsyncOpenAI:
        # Built lazily: in replay mode a cache hit must never start the embedded model.
        if self._client is None:
            if self.settings.embedded:
                base_url = embedded.ensure_server(self.settings).base_url
                api_key = "embedded"
            else:
                base_url = self.settings.base_url or ""
                api_key = self.settings.api_key or "not-set"
            # openai's own retries are off: tenacity owns the policy so it is the same everywhere.
            self._client = openai.AsyncOpenAI(
                base_url=base_url, api_key=api_key, timeout=self.settings.timeout_s, max_retries=0
            )
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    async def ping(self) -> bool:
        """Whether the backend answers a cheap request (used by readiness checks)."""
        try:
            await self._openai().with_options(timeout=10.0, max_retries=0).models.list()
        except (openai.APIError, ExtractorError):
            return False
        return True

    async def _send(self, stats: CallStats, request: dict[str, Any]) -> ChatCompletion:
        key = request_key(request) if self._cache is not None else ""
        # "refresh" calls the model even when a recording exists and overwrites it.
        if self._cache is not None and self.settings.replay != "refresh":
            cached = self._cache.get(key)
            if cached is not None:
                stats.cache_hits += 1
                return cached
            if self.settings.replay == "replay":
                raise ReplayMiss(
                    "no recorded response for this request in replay mode "
                    f"(cache {self._cache.directory}); record one with a live run (cache mode record)"
                )

        def count_retry(_: RetryCallState) -> None:
            stats.transport_retries += 1

        # Built before the clock starts: the first call may assemble and load the embedded model.
        self._openai()
        report("generating")
        started = time.perf_counter()
        async for attempt in transport_retrying(
            max_retries=self.settings.max_retries,
            max_total_s=self.settings.retry_budget_s,
            backoff_s=self.settings.retry_backoff_s,
            on_retry=count_retry,
        ):
            with attempt:
                # The generic POST of the openai client: the same request, errors and parsing as
                # chat.completions.create, without re-walking the plain-JSON body against its
                # TypedDicts (milliseconds of CPU per call, which bounds one event loop's throughput).
                raw: object = await self._openai().post(
                    "/chat/completions", cast_to=ChatCompletion, body=request
                )
                if not isinstance(raw, ChatCompletion) or not raw.choices:
                    raise MalformedResponse(f"not a chat completion: {str(raw)[:200]!r}")
                response = raw
        elapsed = time.perf_counter() - started
        stats.model_seconds += elapsed
        report("generated", tokens=response.usage.completion_tokens if response.usage else 0, seconds=elapsed)
        if self._cache is not None:
            self._cache.put(key, request, response)
        return response

    async def _create(self, **request: Any) -> ChatCompletion:
        """The raw call instructor drives: cache, transport retries, and cost accounting."""
        stats = _current_stats.get()
        response = await self._send(stats, request)
        stats.attempts += 1
        if response.usage is not None:
            stats.usage = stats.usage + Usage(
                prompt_tokens=response.usage.prompt_tokens,
                completion_tokens=response.usage.completion_tokens,
            )
        return response

    async def complete(
        self,
        messages: list[dict[str, str]],
        response_model: type[T],
        *,
        sampling: Mapping[str, float] | None = None,
        reasks: int | None = None,
    ) -> Completion[T]:
        """A validated ``response_model`` instance for ``messages``, with what it cost.

        ``sampling``: extra OpenAI sampling parameters (presence_penalty...), sent only when given so
        requests without them stay byte-identical (and their recordings valid). ``reasks``: the
        validation reask budget of this call (default: the settings').
        """
        stats = CallStats()
        token = _current_stats.set(stats)
        extra: dict[str, Any] = dict(sampling or {})
        if self.settings.seed is not None:
            extra["seed"] = self.settings.seed
        try:
            value: T = await self._patched(
                response_model=_prepared(response_model),
                messages=messages,
                model=self.model_name,
                temperature=self.settings.temperature,
                max_tokens=self.settings.max_output_tokens,
                max_retries=self.settings.reasks if reasks is None else reasks,
                **extra,
            )
        except Exception as exc:
            raise _classify(exc, stats) from exc
        finally:
            _current_stats.reset(token)
        stats.reasks = max(0, stats.attempts - 1)
        return Completion(value=value, stats=stats)


# How servers say a prompt is too long: llama.cpp ("exceeds the available context size"), vLLM and
# OpenAI ("maximum context length", "context_length_exceeded").
_CONTEXT = re.compile(
    r"context (?:size|length|window)|context_length|too many tokens|prompt is too long", re.I
)


def _classify(exc: Exception, stats: CallStats) -> ExtractorError:
    """Map whatever the stack raised onto the errors callers act on, keeping the cost."""
    root: BaseException = exc
    # instructor wraps the last failure of its retry loop; the cause says what really went wrong.
    while isinstance(root, instructor.core.InstructorRetryException) and root.__cause__ is not None:
        root = root.__cause__
    # Tokens spent on a failed call are still spent: the caller records them with the failure.
    if isinstance(root, ExtractorError):
        return root.with_cost(stats.usage, stats.attempts)
    kind, message = _kind_of(root, stats)
    return kind(message, usage=stats.usage, attempts=stats.attempts)


def _kind_of(root: BaseException, stats: CallStats) -> tuple[type[ExtractorError], str]:
    if isinstance(root, openai.APITimeoutError):
        return BackendTimeout, f"model backend failed after {stats.transport_retries} retries: {root}"
    if is_transient(root):
        return BackendUnavailable, f"model backend failed after {stats.transport_retries} retries: {root}"
    if isinstance(root, openai.AuthenticationError | openai.PermissionDeniedError):
        return ConfigError, f"the model backend refused the credentials: {root}"
    if isinstance(root, openai.NotFoundError):
        return ConfigError, f"the model backend does not know this model or route: {root}"
    if isinstance(root, openai.APIStatusError) and 400 <= root.status_code < 500:
        if _CONTEXT.search(str(root)):
            return ContextOverflowError, f"the article does not fit the model's context: {root}"
        # A request the server refuses as such fails the same way every time: not an outage.
        return ConfigError, f"the model backend rejected the request ({root.status_code}): {root}"
    if isinstance(root, openai.APIStatusError):
        return BackendUnavailable, f"model backend error {root.status_code}: {root}"
    return (
        ModelOutputError,
        f"no valid output after {stats.attempts} attempt(s): {type(root).__name__}: {str(root)[:300]}",
    )


def build_llm(settings: Settings) -> LLM:
    return LLM(settings)
