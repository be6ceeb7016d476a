"""Options shared by every command that talks to a model, turned into Settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from extractor.providers.settings import Settings

BaseUrl = Annotated[
    str | None,
    typer.Option(
        "--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:8000/v1 [default: embedded]"
    ),
]
Model = Annotated[str | None, typer.Option("--model", help="model name on that server")]
ApiKey = Annotated[
    str | None, typer.Option("--api-key", help="API key (or EXTRACTOR_API_KEY / OPENAI_API_KEY)")
]
Prompt = Annotated[
    str | None, typer.Option("--prompt", help="prompt version (prompts/<version>.md) or a file")
]
Timeout = Annotated[float | None, typer.Option("--timeout", help="seconds per model request")]
Retries = Annotated[int | None, typer.Option("--max-retries", help="transport retries per model call")]
Replay = Annotated[
    str | None,
    typer.Option(
        "--cache",
        help="response cache: off | record | replay (never calls a model) | refresh (calls, then records)",
    ),
]
CacheDir = Annotated[Path | None, typer.Option("--cache-dir", help="response cache directory")]
Threads = Annotated[int | None, typer.Option("--threads", help="embedded model threads [default: all cores]")]


def build_settings(**flags: Any) -> Settings:
    """Settings from the environment, overridden by the flags that were given."""
    given = {key: value for key, value in flags.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise typer.BadParameter(problems) from None
