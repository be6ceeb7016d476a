"""The eval runner: run prompt versions over the gold set, score them, compare, gate.

The pipeline call is injected (``PipelineCall``), so tests drive the whole runner with a fake that
returns gold extractions; ``pipeline_from_settings`` builds the real one. Articles run one after
another: the embedded model has the machine's cores to itself.

Gate (the exit status of ``run_eval``; also in evals/README.md):

- 1 when the candidate's micro F1 is below the baseline's by more than ``threshold`` (absolute,
  default 0.05), comparing point estimates over the whole gold set;
- 1 when any candidate article failed (the pipeline raised or its output did not validate);
- 2 when there is nothing to evaluate (no gold files);
- 0 otherwise.

The consolidation score (each run's predictions merged into one timeline and scored against
``evals/gold/timeline.json``) is reported beside the per-article scores but is not part of the gate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console

from extractor.consolidation.model import Timeline
from extractor.core.contract import ArticleExtraction
from extractor.evaluation.gold import GoldArticle, load_gold, load_gold_timeline, repo_path
from extractor.evaluation.report import write_report
from extractor.evaluation.results import (
    EXIT_NOTHING_TO_EVALUATE,
    ArticleRun,
    Comparison,
    PromptRun,
    write_json,
)
from extractor.evaluation.scoring import aggregate, score_article
from extractor.evaluation.stats import DEFAULT_RESAMPLES, bootstrap_delta, bootstrap_f1
from extractor.evaluation.summary_table import comparison_table
from extractor.evaluation.timeline_scores import score_consolidation
from extractor.providers.settings import Settings

DEFAULT_THRESHOLD = 0.05

# (text, published, article_id, source, prompt_version) -> extraction
PipelineCall = Callable[[str, str | None, str, str | None, str], Awaitable[ArticleExtraction]]


def _revalidate(prediction: ArticleExtraction) -> ArticleExtraction:
    # The pipeline validates already; this guards fakes and future code paths that build models
    # with model_construct or mutate them after validation.
    return ArticleExtraction.model_validate(prediction.model_dump(mode="json"))


async def run_article(gold: GoldArticle, prompt_version: str, pipeline: PipelineCall) -> ArticleRun:
    """One pipeline call; any exception becomes a failed ArticleRun, never a dropped article."""
    started = time.perf_counter()
    try:
        raw = await pipeline(gold.text, gold.published, gold.article_id, gold.source, prompt_version)
        prediction = _revalidate(raw)
    except ValidationError as exc:
        elapsed = time.perf_counter() - started
        return ArticleRun(gold.article_id, None, "schema_invalid", str(exc), elapsed)
    except Exception as exc:
        elapsed = time.perf_counter() - started
        kind = str(getattr(exc, "kind", type(exc).__name__))
        return ArticleRun(gold.article_id, None, kind, str(exc) or type(exc).__name__, elapsed)
    return ArticleRun(gold.article_id, prediction, elapsed_s=time.perf_counter() - started)


def score_runs(
    golds: Sequence[GoldArticle],
    prompt_version: str,
    runs: Sequence[ArticleRun],
    *,
    resamples: int,
    gold_timeline: Timeline | None = None,
) -> PromptRun:
    by_id = {r.article_id: r for r in runs}
    article_scores = tuple(
        score_article(
            by_id[g.article_id].prediction, g.extraction, g.text, duration_s=by_id[g.article_id].elapsed_s
        )
        for g in golds
    )
    return PromptRun(
        prompt_version=prompt_version,
        runs=tuple(runs),
        article_scores=article_scores,
        scores=aggregate(article_scores),
        intervals=bootstrap_f1(article_scores, resamples=resamples),
        timeline=(
            score_consolidation([(r.article_id, r.prediction) for r in runs], gold_timeline)
            if gold_timeline is not None
            else None
        ),
    )


async def run_prompt(
    golds: Sequence[GoldArticle],
    prompt_version: str,
    pipeline: PipelineCall,
    *,
    resamples: int = DEFAULT_RESAMPLES,
    on_article: Callable[[ArticleRun], None] | None = None,
    gold_timeline: Timeline | None = None,
) -> PromptRun:
    runs: list[ArticleRun] = []
    for gold in golds:
        run = await run_article(gold, prompt_version, pipeline)
        runs.append(run)
        if on_article is not None:
            on_article(run)
    return score_runs(golds, prompt_version, runs, resamples=resamples, gold_timeline=gold_timeline)


def gate(candidate: PromptRun, baseline: PromptRun | None, threshold: float) -> tuple[str, ...]:
    """The reasons the candidate fails the CI gate; empty when it passes."""
    failures: list[str] = []
    failed = candidate.scores.failed_articles
    if failed:
        failures.append(
            f"{len(failed)} article(s) failed schema validation in {candidate.prompt_version}: "
            + ", ".join(failed)
        )
    if baseline is not None:
        before, after = baseline.scores.micro.f1, candidate.scores.micro.f1
        if before - after > threshold:
            failures.append(
                f"micro F1 fell by {before - after:.3f} ({before:.3f} -> {after:.3f}),"
                f" more than the threshold {threshold:.3f}"
            )
    return tuple(failures)


async def compare(
    golds: Sequence[GoldArticle],
    pipeline: PipelineCall,
    prompt: str,
    baseline: str | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    resamples: int = DEFAULT_RESAMPLES,
    on_article: Callable[[str, ArticleRun], None] | None = None,
    gold_timeline: Timeline | None = None,
) -> Comparison:
    def progress(version: str) -> Callable[[ArticleRun], None] | None:
        if on_article is None:
            return None
        callback = on_article
        return lambda run: callback(version, run)

    base_run = None
    if baseline is not None:
        base_run = await run_prompt(
            golds,
            baseline,
            pipeline,
            resamples=resamples,
            on_article=progress(baseline),
            gold_timeline=gold_timeline,
        )
    cand_run = await run_prompt(
        golds, prompt, pipeline, resamples=resamples, on_article=progress(prompt), gold_timeline=gold_timeline
    )
    deltas = (
        bootstrap_delta(base_run.article_scores, cand_run.article_scores, resamples=resamples)
        if base_run is not None
        else {}
    )
    return Comparison(
        candidate=cand_run,
        baseline=base_run,
        delta_intervals=deltas,
        threshold=threshold,
        gate_failures=gate(cand_run, base_run, threshold),
    )


# --- the real pipeline ------------------------------------------------------------------------------


def eval_settings(
    settings: Settings | None, *, model: str | None, replay: bool, recordings_dir: Path | None
) -> Settings:
    """The settings an eval runs with: ``replay`` reads recordings only; a live run records them."""
    base = settings if settings is not None else Settings()
    update: dict[str, object] = {"replay": "replay" if replay else "record"}
    if model is not None:
        update["model"] = model
    if base.cache_dir is None:
        update["cache_dir"] = recordings_dir if recordings_dir is not None else repo_path("evals/recordings")
    return base.model_copy(update=update)


def pipeline_from_settings(settings: Settings) -> PipelineCall:
    """The real pipeline: ``aextract`` with a copy of ``settings`` per prompt version."""
    # Imported on use: it brings in openai and instructor, which scoring and fake-driven runs never need.
    from extractor.pipeline import aextract

    async def call(
        text: str, published: str | None, article_id: str, source: str | None, prompt_version: str
    ) -> ArticleExtraction:
        per_prompt = settings.model_copy(update={"prompt_version": prompt_version})
        return await aextract(
            text, published=published, article_id=article_id, source=source, settings=per_prompt
        )

    return call


# --- the entry point the CLI calls ---------------------------------------------------------------------


async def arun_eval(
    prompt: str,
    baseline: str | None = None,
    *,
    model: str | None = None,
    replay: bool = False,
    report: Path | None = None,
    out: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    gold_dir: Path | None = None,
    seeds_dir: Path | None = None,
    recordings_dir: Path | None = None,
    settings: Settings | None = None,
    pipeline: PipelineCall | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    console: Console | None = None,
) -> int:
    """Evaluate ``prompt`` (and ``baseline``) on the gold set; print, write outputs, return the exit code."""
    console = console if console is not None else Console()
    gold_dir = gold_dir or repo_path("evals/gold")
    golds = load_gold(gold_dir, seeds_dir or repo_path("seeds"))
    if not golds:
        console.print("[red]no gold files to evaluate against[/red]")
        return EXIT_NOTHING_TO_EVALUATE
    for g in golds:
        for problem in g.grounding_errors():
            console.print(f"[yellow]gold {g.stem}: evidence not grounded: {problem}[/yellow]")
    if pipeline is None:
        pipeline = pipeline_from_settings(
            eval_settings(settings, model=model, replay=replay, recordings_dir=recordings_dir)
        )

    def progress(version: str, run: ArticleRun) -> None:
        status = f"[red]failed ({run.error_kind}: {run.error_message})[/red]" if run.failed else "ok"
        console.print(f"{version} {run.article_id}: {status} in {run.elapsed_s:.1f}s")

    comparison = await compare(
        golds,
        pipeline,
        prompt,
        baseline,
        threshold=threshold,
        resamples=resamples,
        on_article=progress,
        gold_timeline=load_gold_timeline(gold_dir),
    )
    console.print(comparison_table(comparison))
    for run in comparison.runs:
        if run.timeline is not None and run.timeline.error is not None:
            console.print(f"[yellow]{run.prompt_version} timeline: not scored: {run.timeline.error}[/yellow]")
    if out is not None:
        write_json(comparison, out)
        console.print(f"wrote {out}")
    if report is not None:
        write_report(comparison, golds, report)
        console.print(f"wrote {report}")
    for failure in comparison.gate_failures:
        console.print(f"[red]gate: {failure}[/red]")
    if not comparison.gate_failures:
        console.print("[green]gate: passed[/green]")
    return comparison.exit_code


def run_eval(
    prompt: str,
    baseline: str | None = None,
    *,
    model: str | None = None,
    replay: bool = False,
    report: Path | None = None,
    out: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    gold_dir: Path | None = None,
    seeds_dir: Path | None = None,
    recordings_dir: Path | None = None,
    settings: Settings | None = None,
    pipeline: PipelineCall | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    console: Console | None = None,
) -> int:
    """Synchronous ``arun_eval`` for the CLI: returns the process exit code."""
    return asyncio.run(
        arun_eval(
            prompt,
            baseline,
            model=model,
            replay=replay,
            report=report,
            out=out,
            threshold=threshold,
            gold_dir=gold_dir,
            seeds_dir=seeds_dir,
            recordings_dir=recordings_dir,
            settings=settings,
            pipeline=pipeline,
            resamples=resamples,
            console=console,
        )
    )
