"""The eval runner: run prompt versions over the gold sets, score them, compare, gate.

The pipeline call is injected (``PipelineCall``), so tests drive the whole runner with a fake that
returns gold extractions; ``pipeline_from_settings`` builds the real one. Articles run one after
another: the embedded model has the machine's cores to itself.

Gate (the exit status of ``run_eval``; also in evals/README.md):

- 1 when the candidate's micro F1 is below the baseline's by more than ``threshold`` (absolute,
  default 0.05), comparing point estimates over the whole gold set;
- 1 when any candidate article failed (the pipeline raised or its output did not validate);
- 1 when the candidate's micro F1 is below ``--min-f1``, the accepted figure (CI passes it);
- 2 when there is nothing to evaluate (no gold files);
- 0 otherwise.

The gold sets (``seeds``, ``short``, ``long``, ``arabic``; see ``gold.py``) are scored together and
per set. The consolidation score (a set's predictions merged into one timeline and scored against the
set's ``timeline.json``; only ``seeds`` has one) is reported beside the per-article scores but is not
part of the gate.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from pydantic import ValidationError
from rich.console import Console

from extractor.consolidation.model import Timeline
from extractor.core.contract import ArticleExtraction
from extractor.core.errors import ConfigError
from extractor.evaluation.baseline import BASELINES
from extractor.evaluation.gold import (
    GoldArticle,
    GoldSet,
    gold_sets,
    load_gold,
    load_gold_timeline,
    repo_path,
)
from extractor.evaluation.report import write_report
from extractor.evaluation.results import (
    EXIT_NOTHING_TO_EVALUATE,
    ArticleRun,
    Comparison,
    PromptRun,
    write_json,
)
from extractor.evaluation.scoring import aggregate, score_article
from extractor.evaluation.stats import DEFAULT_RESAMPLES, Interval, bootstrap_delta, bootstrap_f1
from extractor.evaluation.summary_table import comparison_table, set_table
from extractor.evaluation.timeline_scores import score_consolidation
from extractor.pipeline.prompts import load_prompt
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


# A gold timeline and the set whose articles it consolidates.
SetTimeline = tuple[str, Timeline]


def score_runs(
    golds: Sequence[GoldArticle],
    prompt_version: str,
    runs: Sequence[ArticleRun],
    *,
    resamples: int,
    gold_timeline: Timeline | SetTimeline | None = None,
) -> PromptRun:
    by_id = {r.article_id: r for r in runs}
    article_scores = tuple(
        score_article(
            by_id[g.article_id].prediction,
            g.extraction,
            g.text,
            duration_s=by_id[g.article_id].elapsed_s,
            speaker_alternatives=g.speaker_alternatives,
            set_name=g.set_name,
        )
        for g in golds
    )
    set_names = list(dict.fromkeys(g.set_name for g in golds))
    by_set = {name: tuple(s for s in article_scores if s.set_name == name) for name in set_names}
    timeline = None
    if gold_timeline is not None:
        set_name, gold = gold_timeline if isinstance(gold_timeline, tuple) else (None, gold_timeline)
        members = {g.article_id for g in golds if set_name is None or g.set_name == set_name}
        timeline = score_consolidation(
            [(r.article_id, r.prediction) for r in runs if r.article_id in members], gold
        )
    return PromptRun(
        prompt_version=prompt_version,
        runs=tuple(runs),
        article_scores=article_scores,
        scores=aggregate(article_scores),
        intervals=bootstrap_f1(article_scores, resamples=resamples),
        timeline=timeline,
        set_scores={name: aggregate(scores) for name, scores in by_set.items()},
        set_intervals={name: bootstrap_f1(scores, resamples=resamples) for name, scores in by_set.items()},
    )


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


def comparison_from_runs(
    golds: Sequence[GoldArticle],
    candidate: tuple[str, Sequence[ArticleRun]],
    baseline: tuple[str, Sequence[ArticleRun]] | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    resamples: int = DEFAULT_RESAMPLES,
    gold_timeline: Timeline | SetTimeline | None = None,
) -> Comparison:
    """Score finished runs (``(version, runs)`` per system) and compare them, paired over articles."""
    cand_run = score_runs(golds, candidate[0], candidate[1], resamples=resamples, gold_timeline=gold_timeline)
    base_run = (
        score_runs(golds, baseline[0], baseline[1], resamples=resamples, gold_timeline=gold_timeline)
        if baseline is not None
        else None
    )
    deltas: dict[str, Interval] = {}
    set_deltas: dict[str, dict[str, Interval]] = {}
    if base_run is not None:
        deltas = bootstrap_delta(base_run.article_scores, cand_run.article_scores, resamples=resamples)
        for name in cand_run.set_scores:
            base_set = [s for s in base_run.article_scores if s.set_name == name]
            cand_set = [s for s in cand_run.article_scores if s.set_name == name]
            set_deltas[name] = bootstrap_delta(base_set, cand_set, resamples=resamples)
    return Comparison(
        candidate=cand_run,
        baseline=base_run,
        delta_intervals=deltas,
        set_delta_intervals=set_deltas,
        threshold=threshold,
        gate_failures=gate(cand_run, base_run, threshold),
    )


async def compare(
    golds: Sequence[GoldArticle],
    pipeline: PipelineCall,
    prompt: str,
    baseline: str | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    resamples: int = DEFAULT_RESAMPLES,
    on_article: Callable[[str, ArticleRun], None] | None = None,
    gold_timeline: Timeline | SetTimeline | None = None,
    concurrency: int = 1,
) -> Comparison:
    """``concurrency``: articles in flight at once (a server that batches them decodes more tokens per
    second; each article's wall time then means nothing, so speed is measured by the benchmark)."""
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(version: str, gold: GoldArticle) -> ArticleRun:
        async with limit:
            run = await run_article(gold, version, pipeline)
        if on_article is not None:
            on_article(version, run)
        return run

    async def run_all(version: str) -> list[ArticleRun]:
        return list(await asyncio.gather(*(one(version, g) for g in golds)))

    base_runs = await run_all(baseline) if baseline is not None else None
    cand_runs = await run_all(prompt)
    return comparison_from_runs(
        golds,
        (prompt, cand_runs),
        (baseline, base_runs) if baseline is not None and base_runs is not None else None,
        threshold=threshold,
        resamples=resamples,
        gold_timeline=gold_timeline,
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
    """The real pipeline: ``aextract`` with a copy of ``settings`` per prompt version.

    The reserved versions in ``baseline.BASELINES`` run the plain instructor baseline instead, on the
    same server and settings, so ``--baseline plain-instructor`` compares a prompt with it.
    """
    # Imported on use: it brings in openai and instructor, which scoring and fake-driven runs never need.
    from extractor.evaluation.baseline import BASELINES, OFFSETS_BASELINE, plain_extract
    from extractor.pipeline import aextract
    from extractor.providers.llm import build_llm

    async def call(
        text: str, published: str | None, article_id: str, source: str | None, prompt_version: str
    ) -> ArticleExtraction:
        if prompt_version in BASELINES:
            llm = build_llm(settings)
            try:
                extraction, _ = await plain_extract(
                    text,
                    published=published,
                    article_id=article_id,
                    source=source,
                    llm=llm,
                    offsets=prompt_version == OFFSETS_BASELINE,
                )
            finally:
                await llm.aclose()
            return extraction
        per_prompt = settings.model_copy(update={"prompt_version": prompt_version})
        return await aextract(
            text, published=published, article_id=article_id, source=source, settings=per_prompt
        )

    return call


# --- the entry point the CLI calls ---------------------------------------------------------------------


async def arun_eval(
    prompt: str | None = None,
    baseline: str | None = None,
    *,
    model: str | None = None,
    replay: bool = False,
    report: Path | None = None,
    out: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    sets: Sequence[str | GoldSet] | None = None,
    recordings_dir: Path | None = None,
    settings: Settings | None = None,
    pipeline: PipelineCall | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    console: Console | None = None,
    concurrency: int = 1,
    articles: Sequence[str] | None = None,
    min_f1: float | None = None,
) -> int:
    """Evaluate ``prompt`` (and ``baseline``) on the gold sets; print, write outputs, return the exit code.

    ``min_f1``: the candidate fails the gate when its micro F1 is below it (the accepted figure: a
    baseline replayed from the same recordings with the same code cannot catch a code regression).

    ``prompt`` defaults to the default prompt version (``Settings().prompt_version``); ``sets`` to every
    set in ``GOLD_SETS`` (names, or ``GoldSet`` objects for gold kept elsewhere); ``articles`` keeps
    only the gold articles whose id starts with one of them.
    """
    # A CI log is not a terminal: give the tables room rather than cutting their columns.
    console = console if console is not None else Console(width=None if sys.stdout.isatty() else 120)
    if prompt is None:
        prompt = (settings or Settings()).prompt_version
    if pipeline is None:
        for version in dict.fromkeys(v for v in (prompt, baseline) if v is not None):
            if version not in BASELINES:
                load_prompt(version)  # an unknown version is a ConfigError before any article runs
    chosen = [s if isinstance(s, GoldSet) else gold_sets([s])[0] for s in sets] if sets else gold_sets()
    golds = load_gold(chosen)
    if articles:
        unknown = [a for a in articles if not any(g.article_id.startswith(a) for g in golds)]
        if unknown:
            raise ConfigError(f"no gold article starts with {', '.join(unknown)}")
        golds = [g for g in golds if any(g.article_id.startswith(a) for a in articles)]
    if not golds:
        console.print("[red]no gold files to evaluate against[/red]")
        return EXIT_NOTHING_TO_EVALUATE
    for g in golds:
        for problem in g.grounding_errors():
            console.print(f"[yellow]gold {g.stem}: evidence not grounded: {problem}[/yellow]")
    if pipeline is None:
        chosen_settings = eval_settings(settings, model=model, replay=replay, recordings_dir=recordings_dir)
        if concurrency > 1 and chosen_settings.embedded:
            # One batching slot per article in flight.
            chosen_settings = chosen_settings.model_copy(update={"n_parallel": concurrency})
        pipeline = pipeline_from_settings(chosen_settings)

    def progress(version: str, run: ArticleRun) -> None:
        status = f"[red]failed ({run.error_kind}: {run.error_message})[/red]" if run.failed else "ok"
        console.print(f"{version} {run.article_id}: {status} in {run.elapsed_s:.1f}s")

    timeline = next(((s.name, t) for s in chosen if (t := load_gold_timeline(s.gold_dir)) is not None), None)
    comparison = await compare(
        golds,
        pipeline,
        prompt,
        baseline,
        threshold=threshold,
        resamples=resamples,
        on_article=progress,
        gold_timeline=timeline,
        concurrency=concurrency,
    )
    micro = comparison.candidate.scores.micro.f1
    if min_f1 is not None and micro < min_f1:
        floor = f"micro F1 {micro:.3f} is below the accepted floor {min_f1:.3f}"
        comparison = dataclasses.replace(comparison, gate_failures=(*comparison.gate_failures, floor))
    console.print(comparison_table(comparison))
    if len(comparison.candidate.set_scores) > 1:
        console.print(set_table(comparison))
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
    prompt: str | None = None,
    baseline: str | None = None,
    *,
    model: str | None = None,
    replay: bool = False,
    report: Path | None = None,
    out: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    sets: Sequence[str | GoldSet] | None = None,
    recordings_dir: Path | None = None,
    settings: Settings | None = None,
    pipeline: PipelineCall | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    console: Console | None = None,
    concurrency: int = 1,
    articles: Sequence[str] | None = None,
    min_f1: float | None = None,
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
            sets=sets,
            recordings_dir=recordings_dir,
            settings=settings,
            pipeline=pipeline,
            resamples=resamples,
            console=console,
            concurrency=concurrency,
            articles=articles,
            min_f1=min_f1,
        )
    )
