"""Options shared by every command that talks to a model, turned into Settings.

Each flag defaults to None so that Settings stays the one place defaults and environment variables
are resolved; the help shows both (``envvar`` is the same variable Settings reads).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from extractor.providers.settings import Settings

_DEFAULTS = Settings.model_construct()


def _env(field: str) -> str:
    return f"EXTRACTOR_{field.upper()}"


BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1; unset runs the embedded model",
        envvar=_env("base_url"),
        show_default="embedded",
        metavar="URL",
    ),
]
Model = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="model name on that server (required with --base-url)",
        envvar=_env("model"),
        show_default=f"{_DEFAULTS.embedded_model} (embedded)",
        metavar="NAME",
    ),
]
ApiKey = Annotated[
    str | None,
    typer.Option(
        "--api-key",
        help="API key for the server",
        envvar=[_env("api_key"), "OPENAI_API_KEY"],
        metavar="KEY",
    ),
]
Prompt = Annotated[
    str | None,
    typer.Option(
        "--prompt",
        help="prompt version (prompts/<version>.md) or a file",
        envvar=_env("prompt_version"),
        show_default=_DEFAULTS.prompt_version,
        metavar="VERSION",
    ),
]
Timeout = Annotated[
    float | None,
    typer.Option(
        "--timeout",
        help="seconds one model request may take (a long article on a slow CPU needs minutes)",
        envvar=_env("timeout_s"),
        show_default=f"{_DEFAULTS.timeout_s:g}",
        metavar="SECONDS",
    ),
]
Retries = Annotated[
    int | None,
    typer.Option(
        "--max-retries",
        help="transport retries per model call (timeouts, 429, 5xx, lost connections)",
        envvar=_env("max_retries"),
        show_default=str(_DEFAULTS.max_retries),
        metavar="N",
    ),
]
Replay = Annotated[
    str | None,
    typer.Option(
        "--cache",
        help="response cache: off | record | replay (never calls a model) | refresh (calls, then records)",
        envvar=_env("replay"),
        show_default=_DEFAULTS.replay,
        metavar="MODE",
    ),
]
CacheDir = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="response cache directory",
        envvar=_env("cache_dir"),
        show_default="the user cache folder",
        metavar="DIR",
    ),
]
Threads = Annotated[
    int | None,
    typer.Option(
        "--threads",
        help="embedded model threads",
        envvar=_env("n_threads"),
        show_default="all cores",
        metavar="N",
    ),
]


def build_settings(**flags: Any) -> Settings:
    """Settings from the environment, overridden by the flags that were given."""
    given = {key: value for key, value in flags.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise typer.BadParameter(problems) from None
