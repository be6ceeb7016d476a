"""``extractor eval``: score prompt versions against the gold set, side by side."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from extractor.cli import options as opt
from extractor.evaluation import DEFAULT_THRESHOLD, run_eval


def eval_command(
    prompt: Annotated[str, typer.Option("--prompt", help="candidate prompt version (prompts/<version>.md)")],
    baseline: Annotated[str | None, typer.Option("--baseline", help="baseline prompt version")] = None,
    replay: Annotated[
        bool, typer.Option("--replay", help="use committed recordings only; never call a model")
    ] = False,
    report: Annotated[Path | None, typer.Option("--report", help="write a single-file HTML report")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="write predictions and scores as JSON")] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="fail when candidate micro F1 < baseline's minus this")
    ] = DEFAULT_THRESHOLD,
    base_url: opt.BaseUrl = None,
    model: opt.Model = None,
    api_key: opt.ApiKey = None,
    timeout: opt.Timeout = None,
    threads: opt.Threads = None,
) -> None:
    """Run the pipeline over the gold set and print precision/recall/F1 with bootstrap intervals."""
    settings = opt.build_settings(
        base_url=base_url, model=model, api_key=api_key, timeout_s=timeout, n_threads=threads
    )
    code = run_eval(
        prompt,
        baseline,
        model=model,
        replay=replay,
        report=report,
        out=out,
        threshold=threshold,
        settings=settings,
    )
    raise typer.Exit(code)
