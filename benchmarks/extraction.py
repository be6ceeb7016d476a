"""This project's pipeline against one plain instructor call, on the seed articles, on the same server.

For every seed article (text in ``seeds/``, gold and published date in ``evals/gold/``) it runs

- **pipeline**: ``extractor.pipeline.aextract`` with one shared LLM (numbered sentences, a small draft
  schema, grounding and normalization in code);
- **baseline**: one instructor call in JSON_SCHEMA mode whose response model is the contract's lists,
  so the model itself writes ids, evidence text and character offsets;

alternating per article (pipeline, baseline, pipeline, baseline, ...) so a noisy machine slows both
alike. Each answer is scored field by field against gold with ``extractor.evaluation``.

    python benchmarks/extraction.py                           # the embedded model (starts it once)
    python benchmarks/extraction.py --repeat 3 --json bench.json
    python benchmarks/extraction.py --base-url http://host:8000/v1 --model M --only pipeline

Measured per run: wall time; time inside the model (pipeline: ``CallStats.model_seconds`` from the LLM;
baseline: the summed duration of its HTTP requests, body included); overhead = wall - model time;
prompt and output tokens over every attempt; output tokens per second of model time; the process's
peak RSS (the embedded llama.cpp server runs inside this process).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

import instructor
import openai
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.table import Table

from extractor.core.contract import Actor, ArticleExtraction, Claim, Meeting, Meta, Usage, Visit
from extractor.core.errors import ExtractorError
from extractor.evaluation import aggregate, score_article
from extractor.evaluation.gold import GoldArticle, load_gold
from extractor.evaluation.scoring import ArticleScore
from extractor.pipeline import aextract
from extractor.providers import embedded
from extractor.providers.llm import LLM, CallStats, Completion
from extractor.providers.settings import Settings

REPO = Path(__file__).resolve().parents[1]

System = Literal["pipeline", "baseline"]
SYSTEMS: tuple[System, ...] = ("pipeline", "baseline")

BASELINE_SYSTEM_PROMPT = (
    "Extract actors, visits, meetings and claims from the article as JSON following the schema. "
    "Evidence text must be copied verbatim with its character offsets."
)
BASELINE_PROMPT_VERSION = "baseline"

# The targets.
TARGET_MEDIAN_WALL_S = 45.0
TARGET_OVERHEAD_FRACTION = 0.01
TARGET_PEAK_RSS_BYTES = 2.5e9  # 2.5 GB, decimal


class BaselineExtraction(BaseModel):
    """The baseline's response model: the contract's lists as they are, ids and offsets included."""

    actors: list[Actor]
    visits: list[Visit]
    meetings: list[Meeting]
    claims: list[Claim]


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
    ) -> Completion[Any]:
        self.last_stats = None
        started = time.perf_counter()
        try:
            completion = await super().complete(messages, response_model, sampling=sampling)
        finally:
            # On failure the stats stay inside llm.py; the time spent in complete() bounds model time.
            self.last_complete_s = time.perf_counter() - started
        self.last_stats = completion.stats
        return completion


def openai_http_library() -> ModuleType:
    """The HTTP library the installed openai client is built on: httpx2 from openai 3, httpx before."""
    for cls in openai.DefaultAsyncHttpxClient.__mro__:
        if cls.__name__ == "AsyncClient" and not cls.__module__.startswith("openai"):
            return importlib.import_module(cls.__module__.split(".")[0])
    raise RuntimeError("cannot tell which HTTP library the openai client uses")


class MeteredTransport:
    """Times each HTTP request to the body's last byte and sums the token usage the server reports.

    An async transport by duck typing, so it fits whichever of httpx / httpx2 the openai client uses.
    """

    def __init__(self) -> None:
        self._http = openai_http_library()
        self._inner: Any = self._http.AsyncHTTPTransport()
        self.seconds = 0.0
        self.requests = 0
        self.usage = Usage()

    def reset(self) -> None:
        self.seconds, self.requests, self.usage = 0.0, 0, Usage()

    async def handle_async_request(self, request: Any) -> Any:
        started = time.perf_counter()
        try:
            response = await self._inner.handle_async_request(request)
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
            await response.aclose()
        finally:
            self.seconds += time.perf_counter() - started
            self.requests += 1
        self._count_usage(raw)
        return self._http.Response(
            status_code=response.status_code,
            headers=response.headers,
            content=raw,
            extensions=response.extensions,
            request=request,
        )

    def _count_usage(self, raw: bytes) -> None:
        try:
            usage = json.loads(raw).get("usage") or {}
            self.usage = self.usage + Usage(
                prompt_tokens=int(usage.get("prompt_tokens") or 0),
                completion_tokens=int(usage.get("completion_tokens") or 0),
            )
        except (ValueError, AttributeError, TypeError):
            pass  # an error body, or not JSON: no tokens to count

    async def __aenter__(self) -> MeteredTransport:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._inner.__aexit__(*exc)

    async def aclose(self) -> None:
        await self._inner.aclose()


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


async def run_pipeline(gold: GoldArticle, llm: MeteredLLM, repeat: int) -> tuple[Run, ArticleScore]:
    llm.last_stats, llm.last_complete_s = None, 0.0
    started = time.perf_counter()
    prediction: ArticleExtraction | None = None
    failure: Exception | None = None
    try:
        prediction = await aextract(
            gold.text,
            published=gold.published,
            article_id=gold.article_id,
            source=gold.source,
            settings=llm.settings,
            llm=llm,
        )
    except Exception as exc:
        failure = exc
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
    score = score_article(prediction, gold.extraction, gold.text, duration_s=wall)
    run = Run(
        article_id=gold.article_id,
        system="pipeline",
        repeat=repeat,
        wall_s=wall,
        model_s=model_s,
        prompt_tokens=usage.prompt_tokens,
        completion_tokens=usage.completion_tokens,
        attempts=attempts,
        peak_rss_bytes=peak_rss_bytes(),
        valid=score.valid,
        f1=_article_f1(score),
        error=_error(failure) if failure is not None else None,
        model_s_exact=exact,
    )
    return run, score


class Baseline:
    """One instructor call with the contract's lists as the response model, on the pipeline's server."""

    def __init__(self, settings: Settings, base_url: str, api_key: str, model: str) -> None:
        self.settings = settings
        self.model = model
        self.transport = MeteredTransport()
        http = openai.DefaultAsyncHttpxClient(transport=self.transport, timeout=settings.timeout_s)  # type: ignore[arg-type]
        raw = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key, max_retries=0, timeout=settings.timeout_s, http_client=http
        )
        self._openai = raw
        self.client = instructor.from_openai(raw, mode=instructor.Mode.JSON_SCHEMA)

    def messages(self, gold: GoldArticle) -> list[dict[str, str]]:
        system = BASELINE_SYSTEM_PROMPT
        if gold.published:
            # The pipeline is told the publication date too; without it relative dates cannot resolve.
            system += f" The article was published on {gold.published}."
        return [{"role": "system", "content": system}, {"role": "user", "content": gold.text}]

    async def extract(self, gold: GoldArticle) -> BaselineExtraction:
        extra: dict[str, Any] = {}
        if self.settings.seed is not None:
            extra["seed"] = self.settings.seed
        result: BaselineExtraction = await self.client.chat.completions.create(
            response_model=BaselineExtraction,
            messages=self.messages(gold),  # type: ignore[arg-type]
            model=self.model,
            temperature=self.settings.temperature,
            max_tokens=self.settings.max_output_tokens,
            # The same validation budget as the pipeline's instructor call.
            max_retries=self.settings.reasks,
            **extra,
        )
        return result

    async def aclose(self) -> None:
        await self._openai.close()


async def run_baseline(gold: GoldArticle, baseline: Baseline, repeat: int) -> tuple[Run, ArticleScore]:
    baseline.transport.reset()
    started = time.perf_counter()
    prediction: ArticleExtraction | None = None
    error: str | None = None
    try:
        lists = await baseline.extract(gold)
        prediction = ArticleExtraction(
            article=gold.extraction.article,
            actors=lists.actors,
            visits=lists.visits,
            meetings=lists.meetings,
            claims=lists.claims,
            meta=Meta(
                model=baseline.model,
                prompt_version=BASELINE_PROMPT_VERSION,
                usage=baseline.transport.usage,
                duration_s=round(time.perf_counter() - started, 3),
                attempts=baseline.transport.requests,
            ),
        )
    except ValidationError as exc:
        # The lists validated alone but not as one extraction (dangling actor ids, duplicate ids).
        error = f"contract_invalid: {str(exc)[:200]}"
    except Exception as exc:
        error = _error(exc)
    wall = time.perf_counter() - started
    score = score_article(prediction, gold.extraction, gold.text, duration_s=wall)
    run = Run(
        article_id=gold.article_id,
        system="baseline",
        repeat=repeat,
        wall_s=wall,
        model_s=baseline.transport.seconds,
        prompt_tokens=baseline.transport.usage.prompt_tokens,
        completion_tokens=baseline.transport.usage.completion_tokens,
        attempts=baseline.transport.requests,
        peak_rss_bytes=peak_rss_bytes(),
        valid=score.valid,
        f1=_article_f1(score),
        error=error,
    )
    return run, score


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
    baseline = report.summaries.get("baseline")
    if pipeline is not None:
        wall_ok = pipeline.median_wall_s <= TARGET_MEDIAN_WALL_S
        f1_ok = baseline is None or pipeline.micro_f1 >= baseline.micro_f1
        versus = f" vs baseline {baseline.micro_f1:.3f}" if baseline is not None else " (no baseline run)"
        result.append(
            Target(
                f"embedded median <= {TARGET_MEDIAN_WALL_S:.0f} s per article with F1 >= baseline's",
                f"{pipeline.median_wall_s:.1f} s, F1 {pipeline.micro_f1:.3f}{versus}",
                (wall_ok and f1_ok) if report.backend == "embedded" and baseline is not None else None,
            )
        )
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
            report.peak_rss_bytes <= TARGET_PEAK_RSS_BYTES if report.backend == "embedded" else None,
        )
    )
    return result


async def warm_up(client: openai.AsyncOpenAI, model: str) -> None:
    # The first request after loading pages the weights in; neither system should pay for that.
    await client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": "Say OK."}], max_tokens=1, temperature=0.0
    )


async def run_benchmark(
    golds: Sequence[GoldArticle],
    settings: Settings,
    *,
    repeat: int = 1,
    systems: Sequence[System] = SYSTEMS,
    warmup: bool = True,
    on_run: Callable[[Run], None] | None = None,
) -> Report:
    """Run ``systems`` over ``golds`` ``repeat`` times, alternating systems per article, and score them."""
    settings = settings.model_copy(update={"replay": "off"})  # a cache hit would time nothing
    server_start_s = 0.0
    if settings.embedded:
        started = time.perf_counter()
        endpoint = embedded.ensure_server(settings)
        server_start_s = time.perf_counter() - started
        base_url, api_key = endpoint.base_url, "embedded"
    else:
        base_url, api_key = settings.base_url or "", settings.api_key or "not-set"
    llm = MeteredLLM(settings)
    baseline = Baseline(settings, base_url, api_key, llm.model_name)
    runs: list[Run] = []
    scores: dict[System, list[ArticleScore]] = {s: [] for s in systems}
    try:
        if warmup:
            await warm_up(baseline._openai, llm.model_name)
        for r in range(repeat):
            for gold in golds:
                for system in systems:
                    if system == "pipeline":
                        run, score = await run_pipeline(gold, llm, r)
                    else:
                        run, score = await run_baseline(gold, baseline, r)
                    runs.append(run)
                    scores[system].append(score)
                    if on_run is not None:
                        on_run(run)
    finally:
        await baseline.aclose()
        await llm.aclose()
    summaries = {s: summarize(s, [r for r in runs if r.system == s], scores[s]) for s in systems if scores[s]}
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
    return Settings().model_copy(update=update)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--seeds", type=Path, default=REPO / "seeds", help="article texts (<stem>.txt)")
    parser.add_argument("--gold", type=Path, default=REPO / "evals" / "gold", help="gold files (<stem>.json)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of every article per system")
    parser.add_argument("--only", choices=SYSTEMS, help="run one system only")
    parser.add_argument("--base-url", help="an OpenAI-compatible server instead of the embedded one")
    parser.add_argument("--model", help="model name on --base-url")
    parser.add_argument("--api-key", help="key for --base-url (default: EXTRACTOR_API_KEY, OPENAI_API_KEY)")
    parser.add_argument("--threads", type=int, help="embedded llama.cpp threads (0 = all cores)")
    parser.add_argument("--no-warmup", action="store_true", help="skip the unmeasured warm-up request")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    # Piped output would wrap the tables at 80 columns; they need about 170.
    console = Console() if sys.stdout.isatty() else Console(width=170)
    golds = load_gold(args.gold, args.seeds)
    if not golds:
        console.print(f"[red]no gold files in {args.gold}[/red]")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
