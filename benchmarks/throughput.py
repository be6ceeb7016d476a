"""Articles per second through the async API (``aextract`` with one shared LLM) at bounded concurrency.

The model is tests/fake_upstream.py answering every chat completion after a fixed latency (1 s by
default), run in a child process so its HTTP handling does not share this process's CPU and GIL. Each
seed article gets a realistic Draft built from its gold file, so grounding and assembly do their full
work. At concurrency C the ideal is C / latency articles per second; the printed ratio is
measured / ideal (1.0 = the client adds nothing to the model's own time). CPU per article is this
process's CPU time over the articles of a level: the budget at concurrency C is latency / C per article.

    python benchmarks/throughput.py                              # concurrency 1, 8, 64; 1 s latency
    python benchmarks/throughput.py --concurrency 64 --rounds 5 --profile c64.prof
    python benchmarks/throughput.py --json throughput.json

Bounded by construction: concurrency x rounds articles per level, loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import multiprocessing
import pstats
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # for tests.fake_upstream when run as a script

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from extractor.core.article import prepare  # noqa: E402
from extractor.core.contract import Evidence  # noqa: E402
from extractor.core.draft import Draft  # noqa: E402
from extractor.core.sentences import Sentence, split_sentences  # noqa: E402
from extractor.evaluation.gold import GoldArticle, gold_sets, load_gold  # noqa: E402
from extractor.pipeline import aextract  # noqa: E402
from extractor.providers.llm import LLM  # noqa: E402
from extractor.providers.settings import Settings  # noqa: E402

# Realistic sizes from the recordings of the embedded model on the seeds.
FAKE_USAGE = (1200, 700)


# --- a realistic Draft per seed article, built from its gold ------------------------------------------


def _sentence_numbers(evidence: Sequence[Evidence], sentences: Sequence[Sentence], limit: int) -> list[int]:
    numbers: list[int] = []
    for ev in evidence:
        for s in sentences:
            if s.start <= ev.start < s.end and s.number not in numbers:
                numbers.append(s.number)
    return numbers[:limit]


def _cut(text: str | None, limit: int) -> str | None:
    return text[:limit] if text else None


def draft_from_gold(gold: GoldArticle) -> Draft:
    """The Draft a model that agreed with gold would write, within the Draft's bounds."""
    sentences = split_sentences(prepare(gold.text, max_chars=10**7).text)
    g = gold.extraction
    names = {a.id: a.name[:60] for a in g.actors}

    def who(ids: Sequence[str], limit: int) -> list[str]:
        return [names[i] for i in ids if i in names][:limit]

    actors = [
        {
            "name": a.name[:60],
            "other_names": [n[:60] for n in a.aliases[:3]],
            "kind": a.kind,
            "title": _cut(a.title, 80),
            "affiliation": _cut(a.affiliation, 80),
            "country": _cut(a.country, 60),
            "sentences": _sentence_numbers(a.evidence, sentences, 2),
        }
        for a in g.actors[:14]
    ]
    visits = [
        {
            "sentences": _sentence_numbers(v.evidence, sentences, 3),
            "visitors": who(v.visitor_ids, 3),
            "destination": v.destination.name[:60],
            "destination_country": _cut(v.destination.country, 60),
            "origin": _cut(v.origin.name, 60) if v.origin else None,
            "arrival": _cut(v.arrival.text, 40) if v.arrival else None,
            "departure": _cut(v.departure.text, 40) if v.departure else None,
            "disclosure": v.disclosure,
            "status": v.status,
            "purposes": [p[:80] for p in v.purposes[:3]],
        }
        for v in g.visits[:6]
    ]
    meetings = [
        {
            "sentences": _sentence_numbers(m.evidence, sentences, 3),
            "participants": who(m.participant_ids, 6),
            "location": _cut(m.location.name, 60) if m.location else None,
            "date": _cut(m.date.text, 40) if m.date else None,
            "status": m.status,
            "private": m.private,
            "topics": [t[:80] for t in m.topics[:3]],
        }
        for m in g.meetings
        if len(who(m.participant_ids, 6)) >= 2
    ][:8]
    claims = [
        {
            "sentences": _sentence_numbers(c.evidence, sentences, 2),
            "source": c.source[:80],
            "speaker": names.get(c.speaker_id or ""),
            "attribution": c.attribution,
            "statement": c.statement[:200],
            "quote": _cut(c.quote, 300),
            "about": who(c.about_ids, 3),
        }
        for c in g.claims[:8]
    ]
    return Draft.model_validate({"actors": actors, "visits": visits, "meetings": meetings, "claims": claims})


def longest_sentence(text: str) -> str:
    # Appears verbatim in the numbered prompt, and tells the seeds apart.
    return max((s.text for s in split_sentences(text)), key=len)


# --- the fake upstream in a child process -------------------------------------------------------------


def serve_upstream(drafts: dict[str, str], latency_s: float, conn: Connection) -> None:
    """Child process: a fake upstream answering each request with the Draft of the article it carries."""
    from http.server import ThreadingHTTPServer

    from tests.fake_upstream import FakeUpstream, ok, user_messages

    # socketserver listens with a backlog of 5: 64 clients connecting at once would be refused.
    ThreadingHTTPServer.request_queue_size = 1024
    fallback = next(iter(drafts.values()))

    def answer(request: dict[str, Any]) -> str:
        first_user = next(iter(user_messages(request)), "")
        return next((d for marker, d in drafts.items() if marker in first_user), fallback)

    with FakeUpstream(default=ok(answer, usage=FAKE_USAGE), latency_s=latency_s) as fake:
        conn.send(fake.url)
        conn.recv()  # block until the parent says stop


class ChildUpstream:
    def __init__(self, drafts: dict[str, str], latency_s: float) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._conn, child_conn = ctx.Pipe()
        self._process = ctx.Process(target=serve_upstream, args=(drafts, latency_s, child_conn), daemon=True)

    def __enter__(self) -> str:
        self._process.start()
        if not self._conn.poll(60):
            self._process.kill()
            raise RuntimeError("the fake upstream did not start within 60 s")
        return str(self._conn.recv())

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._process.join(10)
        if self._process.is_alive():
            self._process.kill()


# --- measuring ------------------------------------------------------------------------------------------


@dataclass
class Level:
    concurrency: int
    articles: int
    failed: int
    seconds: float
    cpu_seconds: float
    latency_s: float

    @property
    def articles_per_s(self) -> float:
        return (self.articles - self.failed) / self.seconds

    @property
    def ideal_per_s(self) -> float:
        return self.concurrency / self.latency_s

    @property
    def ratio(self) -> float:
        return self.articles_per_s / self.ideal_per_s

    @property
    def cpu_ms_per_article(self) -> float:
        return 1000 * self.cpu_seconds / self.articles

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {
            "articles_per_s": self.articles_per_s,
            "ideal_per_s": self.ideal_per_s,
            "ratio": self.ratio,
            "cpu_ms_per_article": self.cpu_ms_per_article,
        }


async def run_level(
    llm: LLM, golds: Sequence[GoldArticle], concurrency: int, articles: int, latency_s: float
) -> tuple[Level, list[str]]:
    gate = asyncio.Semaphore(concurrency)
    errors: list[str] = []

    async def one(n: int) -> None:
        gold = golds[n % len(golds)]
        async with gate:
            try:
                await aextract(
                    gold.text,
                    published=gold.published,
                    article_id=f"{gold.article_id}-{concurrency}-{n}",
                    source=gold.source,
                    settings=llm.settings,
                    llm=llm,
                )
            except Exception as exc:
                errors.append(f"{getattr(exc, 'kind', type(exc).__name__)}: {exc}")

    cpu = time.process_time()
    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(articles)))
    level = Level(
        concurrency=concurrency,
        articles=articles,
        failed=len(errors),
        seconds=time.perf_counter() - started,
        cpu_seconds=time.process_time() - cpu,
        latency_s=latency_s,
    )
    return level, errors


async def run_all(
    url: str,
    golds: Sequence[GoldArticle],
    concurrencies: Sequence[int],
    rounds: int,
    latency_s: float,
    profile_at: int | None,
    profiler: cProfile.Profile | None,
    console: Console,
) -> list[Level]:
    settings = Settings(
        base_url=url, api_key="x", model="fake-model", replay="off", timeout_s=60, max_retries=0
    )
    llm = LLM(settings)
    levels: list[Level] = []
    try:
        # Unmeasured: the first call imports lazily and builds the clients.
        await run_level(llm, golds, 1, 1, latency_s)
        for c in concurrencies:
            profiled = profiler is not None and c == profile_at
            if profiled:
                assert profiler is not None
                profiler.enable()
            level, errors = await run_level(llm, golds, c, c * rounds, latency_s)
            if profiled:
                assert profiler is not None
                profiler.disable()
            levels.append(level)
            console.print(
                f"concurrency {c}: {level.articles} articles in {level.seconds:.2f} s,"
                f" {level.articles_per_s:.2f}/s (ratio {level.ratio:.3f}),"
                f" CPU {level.cpu_ms_per_article:.1f} ms/article"
            )
            for error in errors[:3]:
                console.print(f"[red]  {error[:200]}[/red]")
    finally:
        await llm.aclose()
    return levels


def levels_table(levels: Sequence[Level]) -> Table:
    table = Table(title="aextract throughput against a fixed-latency upstream")
    columns = ("concurrency", "articles", "failed", "seconds", "articles/s", "ideal/s", "ratio", "CPU ms/art")
    for name in columns:
        table.add_column(name, justify="right")
    for lv in levels:
        table.add_row(
            str(lv.concurrency),
            str(lv.articles),
            str(lv.failed),
            f"{lv.seconds:.2f}",
            f"{lv.articles_per_s:.2f}",
            f"{lv.ideal_per_s:.2f}",
            f"{lv.ratio:.3f}",
            f"{lv.cpu_ms_per_article:.1f}",
        )
    return table


def profile_summary(profiler: cProfile.Profile, articles: int, limit: int = 30) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    out.write(f"cProfile over {articles} articles (divide times by it for per-article figures)\n")
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)
    return out.getvalue()


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    # 16 rounds: long enough for the steady state of a pipeline. With few rounds the first burst
    # (every task preparing its request at once, every answer arriving together) dominates.
    parser.add_argument("--rounds", type=int, default=16, help="articles per level = concurrency x rounds")
    parser.add_argument("--latency", type=float, default=1.0, help="the fake model's fixed latency, seconds")
    parser.add_argument(
        "--set", dest="sets", action="append", help="gold set whose articles are sent (default: seeds)"
    )
    parser.add_argument("--profile", type=Path, help="cProfile one level into this file and print its top")
    parser.add_argument("--profile-at", type=int, help="the concurrency to profile (default: the highest)")
    parser.add_argument("--json", type=Path, help="write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.rounds < 1 or min(args.concurrency) < 1 or args.latency <= 0:
        parser.error("--rounds and --concurrency must be >= 1, --latency > 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console = Console() if sys.stdout.isatty() else Console(width=120)
    golds = load_gold(gold_sets(args.sets or ["seeds"]))
    if not golds:
        console.print("[red]no gold files in the chosen sets[/red]")
        return 2
    drafts = {longest_sentence(g.text): draft_from_gold(g).model_dump_json() for g in golds}
    profiler = cProfile.Profile() if args.profile else None
    profile_at = args.profile_at or max(args.concurrency)
    with ChildUpstream(drafts, args.latency) as url:
        levels = asyncio.run(
            run_all(url, golds, args.concurrency, args.rounds, args.latency, profile_at, profiler, console)
        )
    console.print(levels_table(levels))
    if profiler is not None:
        profiler.dump_stats(args.profile)
        console.print(profile_summary(profiler, profile_at * args.rounds), markup=False, highlight=False)
        console.print(f"wrote {args.profile}")
    if args.json:
        args.json.write_text(json.dumps([lv.as_dict() for lv in levels], indent=2), encoding="utf-8")
        console.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
