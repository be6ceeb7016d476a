"""``extractor eval``: score prompt versions against the gold set, side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from extractor.cli import options as opt
from extractor.core.errors import ConfigError
from extractor.evaluation import DEFAULT_THRESHOLD, run_eval
from extractor.evaluation.gold import GOLD_SETS


def eval_command(
    prompt: Annotated[
        str | None,
        typer.Option(
            "--prompt",
            help="candidate prompt version (prompts/<version>.md)",
            show_default="the default prompt",
            metavar="VERSION",
        ),
    ] = None,
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline", help="baseline prompt version, shown beside the candidate", metavar="VERSION"
        ),
    ] = None,
    gold_set: Annotated[
        list[str] | None,
        typer.Option(
            "--set", help=f"gold set to run (repeatable): {', '.join(GOLD_SETS)}; default: all of them"
        ),
    ] = None,
    article: Annotated[
        list[str] | None,
        typer.Option("--article", help="only the gold articles whose id starts with this (repeatable)"),
    ] = None,
    replay: Annotated[
        bool, typer.Option("--replay", help="use committed recordings only; never call a model")
    ] = False,
    report: Annotated[Path | None, typer.Option("--report", help="write a single-file HTML report")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="write predictions and scores as JSON")] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="fail when candidate micro F1 < baseline's minus this")
    ] = DEFAULT_THRESHOLD,
    concurrency: Annotated[
        int, typer.Option("--concurrency", min=1, max=16, help="articles in flight at once (live runs)")
    ] = 1,
    min_f1: Annotated[
        float | None,
        typer.Option("--min-f1", min=0.0, max=1.0, help="fail when the candidate's micro F1 is below this"),
    ] = None,
    base_url: opt.BaseUrl = None,
    model: opt.Model = None,
    api_key: opt.ApiKey = None,
    timeout: opt.Timeout = None,
    threads: opt.Threads = None,
) -> None:
    """Run the pipeline over the gold sets and print precision/recall/F1 with bootstrap intervals."""
    settings = opt.build_settings(
        base_url=base_url, model=model, api_key=api_key, timeout_s=timeout, n_threads=threads
    )
    try:
        code = run_eval(
            prompt,
            baseline,
            model=model,
            replay=replay,
            report=report,
            out=out,
            threshold=threshold,
            sets=gold_set or None,
            settings=settings,
            concurrency=concurrency,
            articles=article or None,
            min_f1=min_f1,
        )
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    raise typer.Exit(code)
