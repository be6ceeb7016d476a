"""``extractor serve`` and ``extractor batch``: the durable job machinery, over HTTP or over files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from extractor.cli import options as opt
from extractor.core.errors import ExtractorError

err = Console(stderr=True, soft_wrap=True)


def serve_command(
    host: Annotated[str, typer.Option("--host", help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port")] = 8000,
    base_url: opt.BaseUrl = None,
    model: opt.Model = None,
    api_key: opt.ApiKey = None,
    prompt: opt.Prompt = None,
    timeout: opt.Timeout = None,
    max_retries: opt.Retries = None,
    threads: opt.Threads = None,
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json, docs at /docs)."""
    from extractor.service import serve

    settings = opt.build_settings(
        base_url=base_url,
        model=model,
        api_key=api_key,
        prompt_version=prompt,
        timeout_s=timeout,
        max_retries=max_retries,
        n_threads=threads,
    )
    try:
        serve(host=host, port=port, settings=settings)
    except ExtractorError as exc:  # a bad EXTRACTOR_* service setting, found at startup
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def batch_command(
    input_path: Annotated[
        Path, typer.Argument(help="JSON Lines: {id?, text, source?, url?, published?} per line")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="JSON Lines results, one per input line")],
    concurrency: Annotated[int | None, typer.Option("--concurrency", help="articles in flight")] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="process articles that failed in an earlier run again")
    ] = False,
    base_url: opt.BaseUrl = None,
    model: opt.Model = None,
    api_key: opt.ApiKey = None,
    prompt: opt.Prompt = None,
    timeout: opt.Timeout = None,
    max_retries: opt.Retries = None,
    cache: opt.Replay = None,
    cache_dir: opt.CacheDir = None,
    threads: opt.Threads = None,
) -> None:
    """Extract many articles durably: re-running after an interruption skips what is done."""
    from extractor.service import run_batch

    settings = opt.build_settings(
        base_url=base_url,
        model=model,
        api_key=api_key,
        prompt_version=prompt,
        timeout_s=timeout,
        max_retries=max_retries,
        replay=cache,
        cache_dir=cache_dir,
        n_threads=threads,
    )
    try:
        # The paths are checked before any work: a bad -o is refused here, not after hours of extraction.
        summary = run_batch(input_path, output, settings, concurrency=concurrency, retry_failed=retry_failed)
    except ExtractorError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    err.print(
        f"{summary.total} article(s): {summary.ok} ok, {summary.failed} failed, "
        f"{summary.already_done} done earlier -> {summary.out_path}",
        highlight=False,
    )
    if summary.failed:
        raise typer.Exit(1)
