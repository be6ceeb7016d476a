"""``extractor serve`` and ``extractor batch``: the durable job machinery, over HTTP or over files."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape

from extractor.cli import options as opt
from extractor.core.errors import ExtractorError
from extractor.providers.settings import Settings

if TYPE_CHECKING:
    from extractor.scale.ray_batch import RayBatchSummary
    from extractor.service.batch import BatchSummary

err = Console(stderr=True, soft_wrap=True)


class Engine(StrEnum):
    local = "local"
    ray = "ray"


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
        Path,
        typer.Argument(
            help="JSON Lines: {id?, text, source?, url?, published?} per line", metavar="IN.jsonl"
        ),
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="JSON Lines results, one per input line: {index, article_id, status, result | error}",
            metavar="OUT.jsonl",
        ),
    ],
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
    engine: Annotated[
        Engine, typer.Option("--engine", help="local: this process; ray: Ray Data actors (the ray extra)")
    ] = Engine.local,
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", help="Ray cluster to join [default: RAY_ADDRESS, else a local Ray]"),
    ] = None,
    actors: Annotated[int, typer.Option("--actors", min=1, help="Ray actors (--engine ray)")] = 1,
    cpus_per_actor: Annotated[
        float, typer.Option("--cpus-per-actor", min=0.01, help="CPUs Ray reserves per actor (--engine ray)")
    ] = 1.0,
) -> None:
    """Extract many articles durably: re-running after an interruption skips what is done.

    With --engine ray, --concurrency is the total over all actors (default 8 per actor) and a rerun
    skips the ids already in OUT (or in OUT.checkpoint, which an interrupted run leaves behind).
    """
    from extractor.service import run_batch
    from extractor.service.batch import default_state_path

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
    if engine is Engine.ray:
        _batch_on_ray(
            input_path, output, settings, concurrency, retry_failed, ray_address, actors, cpus_per_actor
        )
        return
    try:
        # The paths are checked before any work: a bad -o is refused here, not after hours of extraction.
        summary = run_batch(input_path, output, settings, concurrency=concurrency, retry_failed=retry_failed)
    except ExtractorError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        # Each finished article is already in the state file beside the output: a rerun skips it.
        err.print(
            f"\ninterrupted: finished articles are kept in {default_state_path(output)}; run the same "
            f"command again to resume (only {output} is written at the end)",
            highlight=False,
        )
        raise typer.Exit(130) from None
    _report(summary)


def _report(summary: BatchSummary | RayBatchSummary) -> None:
    """The one summary line both engines end with; exit 1 when any article failed."""
    err.print(
        f"{summary.total} article(s): {summary.ok} ok, {summary.failed} failed, "
        f"{summary.already_done} done earlier -> {summary.out_path}",
        highlight=False,
    )
    if summary.failed:
        raise typer.Exit(1)


def _batch_on_ray(
    input_path: Path,
    output: Path,
    settings: Settings,
    concurrency: int | None,
    retry_failed: bool,
    address: str | None,
    actors: int,
    cpus_per_actor: float,
) -> None:
    from extractor.scale import RAY_EXTRA_HINT, ray_available

    if not ray_available():
        err.print(f"[red]error[/red] {escape(RAY_EXTRA_HINT)}", highlight=False)
        raise typer.Exit(2)
    from extractor.scale.ray_batch import run_ray_batch

    in_flight = -(-concurrency // actors) if concurrency else 8
    try:
        summary = run_ray_batch(
            input_path,
            output,
            settings,
            actors=actors,
            in_flight=in_flight,
            address=address,
            retry_failed=retry_failed,
            num_cpus=cpus_per_actor,
            progress=sys.stderr.isatty(),
        )
    except ExtractorError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        err.print(
            f"\ninterrupted: finished articles are kept in {output}.checkpoint; run the same command "
            "again to resume",
            highlight=False,
        )
        raise typer.Exit(130) from None
    _report(summary)
