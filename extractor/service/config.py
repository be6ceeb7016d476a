"""Settings of the HTTP service and the batch runner (env prefix ``EXTRACTOR_``, like the model settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


def default_database_url() -> str:
    path = Path(platformdirs.user_data_dir("extractor")) / "service.sqlite3"
    return f"sqlite:///{path}"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="EXTRACTOR_", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        default_factory=default_database_url,
        description="SQLAlchemy URL: sqlite:///path (default: a file in the user data dir) or postgresql+psycopg://",
    )
    # NoDecode: read "a,b" from the environment as a comma-separated list rather than as JSON.
    api_tokens: Annotated[list[str], NoDecode] = Field(
        default_factory=list[str], description="bearer tokens accepted; empty = no authentication"
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

    @field_validator("api_tokens", mode="before")
    @classmethod
    def _split_tokens(cls, value: object) -> object:
        if isinstance(value, str):
            return [token.strip() for token in value.split(",") if token.strip()]
        return value
