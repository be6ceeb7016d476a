"""Configuration from environment variables (prefix ``EXTRACTOR_``) and CLI flags."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

EmbeddedModelName = Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"]
ReplayMode = Literal["off", "record", "replay", "refresh"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EXTRACTOR_", extra="ignore", populate_by_name=True)

    # Backend. No base_url means the embedded llama.cpp server.
    base_url: str | None = Field(
        default=None, description="OpenAI-compatible base URL, e.g. http://host:8000/v1"
    )
    api_key: str | None = Field(
        default=None,
        validation_alias=AliasChoices("EXTRACTOR_API_KEY", "OPENAI_API_KEY", "api_key"),
        description="API key for the remote server; also read from OPENAI_API_KEY",
    )
    model: str | None = Field(default=None, description="model name; default: the embedded model")
    json_schema_output: bool = Field(
        default=True, description="ask the server for JSON-schema constrained output (response_format)"
    )

    # Transport and retries.
    timeout_s: float = Field(default=600.0, gt=0, description="per HTTP request")
    max_retries: int = Field(default=4, ge=0, description="transport retries: 429, 5xx, timeouts, connection")
    max_retry_time_s: float | None = Field(
        default=None,
        gt=0,
        description="bound on the time one call may spend before it stops retrying; "
        "default: the timeout plus 300 s, so a request that timed out is tried once more",
    )
    retry_backoff_s: float = Field(default=1.0, ge=0, description="first backoff; doubles, with jitter")
    reasks: int = Field(default=2, ge=0, description="validation reasks after output that fails the schema")

    # Generation.
    prompt_version: str = Field(default="v5", description="prompt file prompts/<version>.md")
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_output_tokens: int = Field(default=2048, gt=0)
    context_tokens: int | None = Field(
        default=None,
        gt=0,
        description="the model's context in tokens; longer articles are read in windows. "
        "Default: n_ctx for the embedded model, 8192 for a remote server",
    )
    seed: int | None = Field(default=0)

    # Response cache (replay for tests and evals).
    replay: ReplayMode = Field(
        default="off",
        description="off | record (cache and reuse) | replay (cache only) | refresh (call, then cache)",
    )
    cache_dir: Path | None = Field(default=None, description="response cache directory")

    # Input limits.
    max_article_chars: int = Field(default=50_000, gt=0)

    # Embedded server.
    embedded_model: EmbeddedModelName = "qwen2.5-coder-1.5b"
    n_threads: int = Field(default=0, ge=0, description="llama.cpp threads; 0 = all cores")
    n_ctx: int = Field(default=8192, ge=512, description="context per request (each parallel slot gets this)")
    n_parallel: int = Field(
        default=1, ge=1, le=16, description="requests the embedded server decodes together (batched)"
    )
    model_cache_dir: Path | None = Field(default=None, description="where the assembled GGUF is kept")
    embedded_verbose: bool = Field(default=False, description="let llama.cpp log to stderr")
    flash_attn: bool = Field(
        default=True, description="llama.cpp flash attention: faster prompt processing on CPU, same output"
    )

    @property
    def embedded(self) -> bool:
        return not self.base_url

    @property
    def retry_budget_s(self) -> float:
        # A budget shorter than the timeout would make a timed-out request the last one: the only
        # failure a slow machine has would never be retried.
        if self.max_retry_time_s is not None:
            return self.max_retry_time_s
        return self.timeout_s + 300.0

    @property
    def context_window(self) -> int:
        if self.context_tokens is not None:
            return self.context_tokens
        # A remote server's context is not asked for (few servers say it); 8192 is what small served
        # models have, and a larger one only reads long articles in more windows than it needs.
        return self.n_ctx if self.embedded else 8192
