"""This project's pipeline against the fair baseline, one plain instructor call, on the same server.

For every gold article (all sets by default: the seeds and the development corpus; ``--set`` picks)
it runs

- **pipeline**: ``extractor.pipeline.aextract`` with one shared LLM;
- **baseline**: what a user writes first (``extractor.evaluation.baseline``): one instructor call in
  JSON_SCHEMA mode whose response model is the contract's models with evidence as quoted text, the
  quotes located in the article afterwards; ``--baseline offsets`` asks for character offsets too
  (the earlier, unfair variant: it fails nearly every article);

alternating per article (pipeline, baseline, pipeline, baseline, ...) so a noisy machine slows both
alike. Both use the same server, model, temperature, output budget, seed and reask budget. Each answer
is scored by the eval's strict scorer, and the two systems are compared per set and per type with
paired bootstrap intervals, exactly as ``extractor eval`` compares two prompts.

    python benchmarks/extraction.py                           # the embedded model (starts it once)
    python benchmarks/extraction.py --set short --json bench.json --report bench.html
    python benchmarks/extraction.py --record                  # also refresh evals/recordings
    python benchmarks/extraction.py --base-url http://host:8000/v1 --model M --only pipeline

Measured per run: wall time; time inside the model (``CallStats.model_seconds``); overhead = wall -
model time; prompt and output tokens over every attempt; output tokens per second of model time; the
process's peak RSS (the embedded llama.cpp server runs inside this process).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import openai
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from extractor.core.contract import ArticleExtraction, Usage
from extractor.core.errors import ExtractorError
from extractor.evaluation import aggregate, score_article
from extractor.evaluation.baseline import OFFSETS_BASELINE, PLAIN_BASELINE, plain_extract
from extractor.evaluation.gold import GOLD_SETS, GoldArticle, gold_sets, load_gold, repo_path
from extractor.evaluation.report import write_report
from extractor.evaluation.results import ArticleRun, Comparison, write_json
from extractor.evaluation.runner import comparison_from_runs
from extractor.evaluation.scoring import ArticleScore
from extractor.evaluation.summary_table import comparison_table, set_table
from extractor.pipeline import aextract
from extractor.providers import embedded
from extractor.providers.llm import LLM, CallStats, Completion
from extractor.providers.settings import Settings

REPO = Path(__file__).resolve().parents[1]

System = Literal["pipeline", "baseline"]
SYSTEMS: tuple[System, ...] = ("pipeline", "baseline")

# The targets (issues 6 and 11): accuracy on the strict scorer, speed relative to the baseline.
TARGET_MICRO_F1 = 0.70
TARGET_TYPE_F1 = 0.55
TARGET_SPEAKER_ACCURACY = 0.80
TARGET_GAIN_OVER_BASELINE = 0.20
TARGET_WALL_RATIO = 1.0  # pipeline / baseline, median over articles
TARGET_OVERHEAD_FRACTION = 0.01
TARGET_PEAK_RSS_BYTES = 2.5e9  # 2.5 GB, decimal


# --- measuring --------------------------------------------------------------------------------------


class MeteredLLM(LLM):
    """The project's LLM, keeping the stats of its last call so the benchmark can read model time."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.last_stats: CallStats | None = None
        self.last_complete_s = 0.0

    async def complete(
        self,
        messages: list[dict[str, str]],
        response_model: type[Any],
        *,
        sampling: Mapping[str, float] | None = None,
        reasks: int | None = None,
    ) -> Completion[Any]:
        self.last_stats = None
        started = time.perf_counter()
        try:
            completion = await super().complete(messages, response_model, sampling=sampling, reasks=reasks)
        finally:
            # On failure the stats stay inside llm.py; the time spent in complete() bounds model time.
            self.last_complete_s = time.perf_counter() - started
        self.last_stats = completion.stats
        return completion


def peak_rss_bytes() -> int:
    """Peak resident set of this process, which hosts the embedded server.

    Children are left out on purpose: libraries fork short-lived helpers (ldconfig lookups), and a
    fork of a 2 GB process reports the parent's shared pages as its own peak, so adding children
    counted the model twice (measured: 5.2 GB "tree" against a 2.2 GB VmHWM).
    """
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is bytes on macOS, KiB on Linux
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale)


# --- one run of one system on one article -----------------------------------------------------------


@dataclass
class Run:
    article_id: str
    system: System
    repeat: int
    wall_s: float
    model_s: float
    prompt_tokens: int
    completion_tokens: int
    attempts: int
    peak_rss_bytes: int
    valid: bool
    f1: float
    error: str | None = None
    # The model time is exact (from the LLM or the transport) unless a failed pipeline call hid it.
    model_s_exact: bool = True

    @property
    def overhead_s(self) -> float:
        return max(0.0, self.wall_s - self.model_s)

    @property
    def overhead_fraction(self) -> float:
        return self.overhead_s / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def output_tokens_per_s(self) -> float:
        return self.completion_tokens / self.model_s if self.model_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            overhead_s=self.overhead_s,
            overhead_fraction=self.overhead_fraction,
            output_tokens_per_s=self.output_tokens_per_s,
        )
        return data


def _error(exc: BaseException) -> str:
    kind = getattr(exc, "kind", None) or type(exc).__name__
    return f"{kind}: {str(exc)[:200]}"


def _score(gold: GoldArticle, prediction: ArticleExtraction | None, wall: float) -> ArticleScore:
    return score_article(
        prediction,
        gold.extraction,
        gold.text,
        duration_s=wall,
        speaker_alternatives=gold.speaker_alternatives,
        set_name=gold.set_name,
    )


async def _timed(
    system: System, gold: GoldArticle, llm: MeteredLLM, repeat: int, call: Any
) -> tuple[Run, ArticleScore, ArticleRun]:
    """Run one system on one article; any failure is a scored, empty, invalid prediction."""
    llm.last_stats, llm.last_complete_s = None, 0.0
    started = time.perf_counter()
    prediction: ArticleExtraction | None = None
    failure: Exception | None = None
    error: str | None = None
    try:
        prediction = await call()
    except ValidationError as exc:
        # The lists validated alone but not as one extraction (dangling ids, a bad date precision).
        failure, error = exc, f"contract_invalid: {str(exc)[:200]}"
    except Exception as exc:
        failure, error = exc, _error(exc)
    wall = time.perf_counter() - started
    stats = llm.last_stats
    if stats is not None:
        model_s, usage, attempts, exact = stats.model_seconds, stats.usage, stats.attempts, True
    else:
        # A failed call's errors carry its tokens and attempts (llm._classify) but not its model time.
        failed_usage = getattr(failure, "usage", None)
        model_s, exact = llm.last_complete_s, False
        usage = failed_usage if isinstance(failed_usage, Usage) else Usage()
        attempts = int(getattr(failure, "attempts", 0) or 0)
    score = _score(gold, prediction, wall)
    run = Run(
        article_id=gold.article_id,
        system=system,
        repeat=repeat,
        wall_s=wall,
        model_s=model_s,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        attempts=attempts,
        peak_rss_bytes=peak_rss_bytes(),
        valid=score.valid,
        f1=_article_f1(score),
        error=error,
        model_s_exact=exact,
    )
    kind = error.split(":", 1)[0] if error else None
    return run, score, ArticleRun(gold.article_id, prediction, kind, error, wall)


async def run_pipeline(
    gold: GoldArticle, llm: MeteredLLM, repeat: int
) -> tuple[Run, ArticleScore, ArticleRun]:
    async def call() -> ArticleExtraction:
        return await aextract(
            gold.text,
            published=gold.published,
            article_id=gold.article_id,
            source=gold.source,
            settings=llm.settings,
            llm=llm,
        )

    return await _timed("pipeline", gold, llm, repeat, call)


async def run_baseline(
    gold: GoldArticle, llm: MeteredLLM, repeat: int, *, offsets: bool = False
) -> tuple[Run, ArticleScore, ArticleRun]:
    async def call() -> ArticleExtraction:
        extraction, _ = await plain_extract(
            gold.text,
            published=gold.published,
            article_id=gold.article_id,
            source=gold.source,
            llm=llm,
            offsets=offsets,
        )
        return extraction

    return await _timed("baseline", gold, llm, repeat, call)


def _article_f1(score: ArticleScore) -> float:
    return aggregate([score]).micro.f1


# --- the whole benchmark ----------------------------------------------------------------------------


@dataclass
class Summary:
    system: System
    runs: int
    median_wall_s: float
    median_model_s: float
    median_overhead_s: float
    median_overhead_fraction: float
    total_overhead_fraction: float
    median_prompt_tokens: float
    median_completion_tokens: float
    median_output_tokens_per_s: float
    micro_f1: float
    micro_precision: float
    micro_recall: float
    schema_valid_rate: float
    failed: int


@dataclass
class Target:
    name: str
    value: str
    met: bool | None  # None: not applicable to this run


@dataclass
class Report:
    backend: str
    base_url: str
    model: str
    server_start_s: float
    repeat: int
    runs: list[Run]
    summaries: dict[System, Summary]
    peak_rss_bytes: int
    generation: dict[str, Any] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    # The eval's comparison of the two systems (first repeat): baseline vs candidate = pipeline.
    comparison: Comparison | None = None

    def wall_ratios(self) -> list[float]:
        """pipeline wall / baseline wall per article and repeat (both systems ran it)."""
        walls = {(r.article_id, r.repeat, r.system): r.wall_s for r in self.runs}
        return [
            walls[(a, rep, "pipeline")] / walls[(a, rep, "baseline")]
            for (a, rep, system) in walls
            if system == "baseline" and (a, rep, "pipeline") in walls and walls[(a, rep, "baseline")] > 0
        ]

    def as_dict(self) -> dict[str, Any]:
        return {
            "backend": self.backend,
            "base_url": self.base_url,
            "model": self.model,
            "generation": self.generation,
            "server_start_s": self.server_start_s,
            "repeat": self.repeat,
            "peak_rss_bytes": self.peak_rss_bytes,
            "runs": [r.as_dict() for r in self.runs],
            "summaries": {name: asdict(s) for name, s in self.summaries.items()},
            "targets": [asdict(t) for t in self.targets],
            "median_wall_ratio": statistics.median(self.wall_ratios()) if self.wall_ratios() else None,
        }


def summarize(system: System, runs: Sequence[Run], scores: Sequence[ArticleScore]) -> Summary:
    scored = aggregate(scores)
    wall = sum(r.wall_s for r in runs)
    return Summary(
        system=system,
        runs=len(runs),
        median_wall_s=statistics.median(r.wall_s for r in runs),
        median_model_s=statistics.median(r.model_s for r in runs),
        median_overhead_s=statistics.median(r.overhead_s for r in runs),
        median_overhead_fraction=statistics.median(r.overhead_fraction for r in runs),
        total_overhead_fraction=sum(r.overhead_s for r in runs) / wall if wall > 0 else 0.0,
        median_prompt_tokens=statistics.median(r.prompt_tokens for r in runs),
        median_completion_tokens=statistics.median(r.completion_tokens for r in runs),
        median_output_tokens_per_s=statistics.median(r.output_tokens_per_s for r in runs),
        micro_f1=scored.micro.f1,
        micro_precision=scored.micro.precision,
        micro_recall=scored.micro.recall,
        schema_valid_rate=scored.schema_valid_rate,
        failed=len(scored.failed_articles),
    )


def targets(report: Report) -> list[Target]:
    result: list[Target] = []
    pipeline = report.summaries.get("pipeline")
    comparison = report.comparison
    embedded_only = report.backend == "embedded"
    if comparison is not None:
        cand = comparison.candidate.scores
        per_type = ", ".join(f"{t} {c.f1:.2f}" for t, c in cand.per_type.items())
        result.append(
            Target(
                f"micro F1 >= {TARGET_MICRO_F1:.2f}, every type >= {TARGET_TYPE_F1:.2f} (pipeline)",
                f"micro {cand.micro.f1:.3f}; {per_type}",
                cand.micro.f1 >= TARGET_MICRO_F1
                and all(c.f1 >= TARGET_TYPE_F1 for c in cand.per_type.values()),
            )
        )
        speaker = cand.field_accuracy["claim.speaker"]
        result.append(
            Target(
                f"claim speaker accuracy >= {TARGET_SPEAKER_ACCURACY:.2f}; no claim names the outlet",
                f"{'n/a' if speaker is None else f'{speaker:.3f}'}; {cand.outlet_claims} outlet claim(s)",
                speaker is not None and speaker >= TARGET_SPEAKER_ACCURACY and cand.outlet_claims == 0,
            )
        )
        if comparison.baseline is not None:
            gain = cand.micro.f1 - comparison.baseline.scores.micro.f1
            interval = comparison.delta_intervals.get("micro_f1")
            shown = f" [{interval.low:+.3f}, {interval.high:+.3f}]" if interval else ""
            result.append(
                Target(
                    f"micro F1 >= baseline + {TARGET_GAIN_OVER_BASELINE:.2f}, 95% interval above 0",
                    f"{gain:+.3f}{shown}",
                    gain >= TARGET_GAIN_OVER_BASELINE and interval is not None and interval.low > 0,
                )
            )
        grounding = cand.grounding_rate
        result.append(
            Target(
                "grounding 100% (pipeline)",
                "n/a" if grounding is None else f"{grounding:.1%}",
                grounding is None or grounding == 1.0,
            )
        )
    ratios = report.wall_ratios()
    if ratios:
        median_ratio = statistics.median(ratios)
        result.append(
            Target(
                f"median wall ratio pipeline / baseline <= {TARGET_WALL_RATIO:.1f}",
                f"{median_ratio:.2f} over {len(ratios)} article run(s)",
                median_ratio <= TARGET_WALL_RATIO if embedded_only else None,
            )
        )
    if pipeline is not None:
        result.append(
            Target(
                f"overhead <= {TARGET_OVERHEAD_FRACTION:.0%} of wall (pipeline)",
                f"median {pipeline.median_overhead_fraction:.2%},"
                f" overall {pipeline.total_overhead_fraction:.2%}",
                pipeline.median_overhead_fraction <= TARGET_OVERHEAD_FRACTION,
            )
        )
    result.append(
        Target(
            f"peak RSS <= {TARGET_PEAK_RSS_BYTES / 1e9:.1f} GB (process)",
            f"{report.peak_rss_bytes / 1e9:.2f} GB",
            report.peak_rss_bytes <= TARGET_PEAK_RSS_BYTES if embedded_only else None,
        )
    )
    return result


async def warm_up(base_url: str, api_key: str, model: str) -> None:
    # The first request after loading pages the weights in; neither system should pay for that.
    async with openai.AsyncOpenAI(base_url=base_url, api_key=api_key, max_retries=0) as client:
        await client.chat.completions.create(
            model=model, messages=[{"role": "user", "content": "Say OK."}], max_tokens=1, temperature=0.0
        )


async def run_benchmark(
    golds: Sequence[GoldArticle],
    settings: Settings,
    *,
    repeat: int = 1,
    systems: Sequence[System] = SYSTEMS,
    offsets_baseline: bool = False,
    warmup: bool = True,
    on_run: Callable[[Run], None] | None = None,
) -> Report:
    """Run ``systems`` over ``golds`` ``repeat`` times, alternating systems per article, and score them.

    ``settings.replay`` may be "refresh" (call, then record, so the run can be replayed by
    ``extractor eval``); "off" otherwise: a cache hit would time nothing.
    """
    if settings.replay != "refresh":
        settings = settings.model_copy(update={"replay": "off"})
    server_start_s = 0.0
    if settings.embedded:
        started = time.perf_counter()
        endpoint = embedded.ensure_server(settings)
        server_start_s = time.perf_counter() - started
        base_url, api_key = endpoint.base_url, "embedded"
    else:
        base_url, api_key = settings.base_url or "", settings.api_key or "not-set"
    llm = MeteredLLM(settings)
    runs: list[Run] = []
    scores: dict[System, list[ArticleScore]] = {s: [] for s in systems}
    first: dict[System, list[ArticleRun]] = {s: [] for s in systems}
    try:
        if warmup:
            await warm_up(base_url, api_key, llm.model_name)
        for r in range(repeat):
            for gold in golds:
                for system in systems:
                    if system == "pipeline":
                        run, score, article_run = await run_pipeline(gold, llm, r)
                    else:
                        run, score, article_run = await run_baseline(gold, llm, r, offsets=offsets_baseline)
                    runs.append(run)
                    scores[system].append(score)
                    if r == 0:
                        first[system].append(article_run)
                    if on_run is not None:
                        on_run(run)
    finally:
        await llm.aclose()
    summaries = {s: summarize(s, [r for r in runs if r.system == s], scores[s]) for s in systems if scores[s]}
    baseline_name = OFFSETS_BASELINE if offsets_baseline else PLAIN_BASELINE
    pipeline_name = f"pipeline {settings.prompt_version}"
    comparison = None
    if "pipeline" in systems:
        comparison = comparison_from_runs(
            golds,
            (pipeline_name, first["pipeline"]),
            (baseline_name, first["baseline"]) if "baseline" in systems else None,
        )
    elif "baseline" in systems:
        comparison = comparison_from_runs(golds, (baseline_name, first["baseline"]))
    report = Report(
        backend="embedded" if settings.embedded else "remote",
        base_url=base_url,
        model=llm.model_name,
        server_start_s=server_start_s,
        repeat=repeat,
        runs=runs,
        summaries=summaries,
        peak_rss_bytes=peak_rss_bytes(),
        generation=settings.model_dump(
            mode="json",
            include={"temperature", "max_output_tokens", "seed", "reasks", "prompt_version", "n_threads"},
        ),
        comparison=comparison,
    )
    report.targets = targets(report)
    return report


# --- output -------------------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 1e6:,.0f}"


def runs_table(runs: Sequence[Run]) -> Table:
    table = Table(title="Per article")
    for name in (
        "article",
        "rep",
        "system",
        "wall s",
        "model s",
        "overhead s",
        "overhead %",
        "prompt tok",
        "output tok",
        "out tok/s",
        "calls",
        "F1",
        "peak RSS MB",
        "error",
    ):
        table.add_column(name, justify="left" if name in ("article", "system", "error") else "right")
    for r in runs:
        model = f"{r.model_s:.2f}" if r.model_s_exact else f"<={r.model_s:.2f}"
        table.add_row(
            r.article_id,
            str(r.repeat),
            r.system,
            f"{r.wall_s:.2f}",
            model,
            f"{r.overhead_s:.3f}",
            f"{r.overhead_fraction:.2%}",
            str(r.prompt_tokens),
            str(r.completion_tokens),
            f"{r.output_tokens_per_s:.1f}",
            str(r.attempts),
            f"{r.f1:.3f}" + ("" if r.valid else " (invalid)"),
            _mb(r.peak_rss_bytes),
            (r.error or "")[:60],
        )
    return table


def summary_table(report: Report) -> Table:
    table = Table(title=f"Medians over {report.repeat} repeat(s) ({report.backend}: {report.model})")
    for name in (
        "system",
        "runs",
        "wall s",
        "model s",
        "overhead s",
        "overhead %",
        "prompt tok",
        "output tok",
        "out tok/s",
        "micro P",
        "micro R",
        "micro F1",
        "valid",
    ):
        table.add_column(name, justify="left" if name == "system" else "right")
    for s in report.summaries.values():
        table.add_row(
            s.system,
            str(s.runs),
            f"{s.median_wall_s:.2f}",
            f"{s.median_model_s:.2f}",
            f"{s.median_overhead_s:.3f}",
            f"{s.median_overhead_fraction:.2%}",
            f"{s.median_prompt_tokens:.0f}",
            f"{s.median_completion_tokens:.0f}",
            f"{s.median_output_tokens_per_s:.1f}",
            f"{s.micro_precision:.3f}",
            f"{s.micro_recall:.3f}",
            f"{s.micro_f1:.3f}",
            f"{s.schema_valid_rate:.0%}",
        )
    return table


def targets_table(report: Report) -> Table:
    table = Table(title=f"Targets (peak RSS of the process: {_mb(report.peak_rss_bytes)} MB)")
    table.add_column("target")
    table.add_column("measured")
    table.add_column("met")
    for t in report.targets:
        met = "n/a" if t.met is None else ("[green]yes[/green]" if t.met else "[red]no[/red]")
        table.add_row(t.name, t.value, met)
    return table


def print_report(report: Report, console: Console) -> None:
    console.print(runs_table(report.runs))
    console.print(summary_table(report))
    if report.comparison is not None:
        console.print(comparison_table(report.comparison))
        if len(report.comparison.candidate.set_scores) > 1:
            console.print(set_table(report.comparison))
    console.print(targets_table(report))
    if report.server_start_s:
        console.print(f"embedded server start (not in any figure): {report.server_start_s:.1f} s")


# --- command line -------------------------------------------------------------------------------------


def settings_from_args(args: argparse.Namespace) -> Settings:
    update: dict[str, Any] = {}
    if args.base_url:
        update["base_url"] = args.base_url
    if args.model:
        update["model"] = args.model
    if args.api_key:
        update["api_key"] = args.api_key
    if args.threads is not None:
        update["n_threads"] = args.threads
    if args.prompt:
        update["prompt_version"] = args.prompt
    if args.record:
        update["replay"] = "refresh"
        update["cache_dir"] = repo_path("evals/recordings")
    return Settings().model_copy(update=update)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--set",
        dest="sets",
        action="append",
        help=f"gold set (repeatable): {', '.join(GOLD_SETS)}; default: all",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of every article per system")
    parser.add_argument("--only", choices=SYSTEMS, help="run one system only")
    parser.add_argument(
        "--baseline",
        choices=("quoted", "offsets"),
        default="quoted",
        help="quoted: evidence as quoted text (the fair baseline); offsets: the model writes offsets too",
    )
    parser.add_argument("--prompt", help="pipeline prompt version (default: the default prompt)")
    parser.add_argument("--record", action="store_true", help="write every response to evals/recordings")
    parser.add_argument("--base-url", help="an OpenAI-compatible server instead of the embedded one")
    parser.add_argument("--model", help="model name on --base-url")
    parser.add_argument("--api-key", help="key for --base-url (default: EXTRACTOR_API_KEY, OPENAI_API_KEY)")
    parser.add_argument("--threads", type=int, help="embedded llama.cpp threads (0 = all cores)")
    parser.add_argument("--no-warmup", action="store_true", help="skip the unmeasured warm-up request")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    parser.add_argument("--out", type=Path, help="write the eval comparison (predictions, scores) as JSON")
    parser.add_argument("--report", type=Path, help="write the eval comparison as an HTML report")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Piped output would wrap the tables at 80 columns; they need about 170.
    console = Console() if sys.stdout.isatty() else Console(width=170)
    try:
        golds = load_gold(gold_sets(args.sets))
    except ExtractorError as exc:
        console.print(f"[red]{exc}[/red]")
        return 2
    if not golds:
        console.print("[red]no gold files in the chosen sets[/red]")
        return 2
    systems: tuple[System, ...] = (args.only,) if args.only else SYSTEMS

    def progress(run: Run) -> None:
        status = "ok" if run.error is None else f"[red]{run.error[:80]}[/red]"
        head = f"{run.article_id} {run.system} #{run.repeat}"
        console.print(f"{head}: {run.wall_s:.1f} s, F1 {run.f1:.3f} {status}")

    try:
        report = asyncio.run(
            run_benchmark(
                golds,
                settings_from_args(args),
                repeat=args.repeat,
                systems=systems,
                offsets_baseline=args.baseline == "offsets",
                warmup=not args.no_warmup,
                on_run=progress,
            )
        )
    except ExtractorError as exc:
        console.print(f"[red]{exc.kind}: {exc}[/red]")
        return 1
    print_report(report, console)
    if args.json:
        args.json.write_text(json.dumps(report.as_dict(), indent=2), encoding="utf-8")
        console.print(f"wrote {args.json}")
    if report.comparison is not None and args.out:
        write_json(report.comparison, args.out)
        console.print(f"wrote {args.out}")
    if report.comparison is not None and args.report:
        write_report(report.comparison, golds, args.report)
        console.print(f"wrote {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
