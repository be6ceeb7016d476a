"""Settings of the HTTP service and the batch runner (env prefix ``EXTRACTOR_``, like the model settings)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import platformdirs
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from extractor.core.errors import ConfigError

ENV_PREFIX = "EXTRACTOR_"


def default_database_url() -> str:
    path = Path(platformdirs.user_data_dir("extractor")) / "service.sqlite3"
    return f"sqlite:///{path}"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: sqlite:///path (default: a file in the user data dir) or postgresql+psycopg://",
    )
    # NoDecode: the validator below reads both "a,b" and '["a","b"]' itself.
    api_tokens: Annotated[list[str], NoDecode] = Field(
        default_factory=list[str],
        description="bearer tokens accepted; unset (and no admin tokens) = no authentication",
    )
    admin_tokens: Annotated[list[str], NoDecode] = Field(
        default_factory=list[str],
        description="bearer tokens accepted that may also read every client's jobs",
    )
    job_concurrency: int = Field(
        default=4, ge=1, le=512, description="articles extracted at once by the workers"
    )
    max_body_bytes: int = Field(
        default=20_000_000, gt=0, description="largest request body accepted (413 above)"
    )
    max_job_articles: int = Field(default=10_000, gt=0, description="most articles in one job (413 above)")
    item_max_attempts: int = Field(
        default=3, ge=1, description="tries of one job article while the model backend is unavailable"
    )
    item_retry_delay_s: float = Field(
        default=30.0,
        ge=0,
        description="wait before an article that met an unavailable backend is tried again",
    )
    retry_after_s: int = Field(default=30, ge=1, description="Retry-After sent with 503 answers")
    worker_poll_s: float = Field(default=1.0, gt=0, description="how often idle workers look for work")
    job_retention_s: float = Field(
        default=3 * 24 * 3600.0,
        gt=0,
        description="finished and cancelled jobs (with their results) are deleted this long after their "
        "last article ended",
    )
    retention_sweep_s: float = Field(
        default=600.0, gt=0, description="how often the service looks for jobs past their retention"
    )
    max_sync_extractions: int = Field(
        default=16,
        ge=1,
        le=10_000,
        description="synchronous extractions (POST /v1/extract) in progress at once; 429 past it",
    )
    busy_retry_after_s: int = Field(default=5, ge=1, description="Retry-After sent with those 429 answers")

    @field_validator("api_tokens", "admin_tokens", mode="before")
    @classmethod
    def _parse_tokens(cls, value: object, info: ValidationInfo) -> object:
        return parse_tokens(value, f"{ENV_PREFIX}{str(info.field_name).upper()}")


def parse_tokens(value: object, name: str) -> object:
    """A comma-separated string or a JSON list of strings, as a list of tokens.

    A setting that is given but holds no token (``""``, ``" , "``, ``"[]"``) is refused: read as "no
    tokens", it would switch authentication off without a word. Leave the variable unset for that.
    """
    given = value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise ValueError(f"{name} starts with '[' but is not a JSON list of strings") from None
        else:
            value = text.split(",")
    if not isinstance(value, list | tuple):
        raise ValueError(f"{name} must be a comma-separated list or a JSON list of strings")
    if not all(isinstance(token, str) for token in value):
        raise ValueError(f"{name} must be a list of strings")
    tokens = [token.strip() for token in value if token.strip()]
    # An empty list passed in code is "no tokens" on purpose; anything else that yields none is a slip.
    if not tokens and (isinstance(given, str) or value):
        raise ValueError(f"{name} is set but holds no token; unset it to run without authentication")
    return tokens


def load_service_settings(**values: Any) -> ServiceSettings:
    """ServiceSettings from the environment (and ``values``); a bad setting is a one-line ConfigError."""
    try:
        return ServiceSettings(**values)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error["msg"]).removeprefix("Value error, ")
            field = ".".join(str(part) for part in error["loc"])
            where = f"{ENV_PREFIX}{field.upper()}"
            problems.append(message if message.startswith(where) else f"{where}: {message}")
        raise ConfigError("; ".join(problems)) from None
