"""Articles per second of the Ray Data engine vs the local batch, at the same total concurrency.

Both run the batch end to end on the same JSON Lines file (read, extract, write the output) against
tests/fake_upstream.py answering every chat completion after a fixed latency (1 s by default), in a
child process as in throughput.py. Each article is a seed with a unique closing sentence, so neither
engine's result cache can answer for it, and the fake answers with the Draft built from the seed's gold.
Trials alternate (local, ray with 1 actor, ray with 2 actors, local, ...) so a noisy machine slows all
alike; a fresh output file each time, so nothing is resumed. The Ray figures include starting the
actor pool (a few seconds per job on 2 cores), not starting Ray itself (once, before the trials).

    python benchmarks/ray_throughput.py                       # concurrency 16, 20 rounds, 2 trials
    python benchmarks/ray_throughput.py --concurrency 32 --rounds 10 --trials 3 --json ray.json

Needs the ray extra (pip install -e '.[dev,ray]'). Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # for tests.fake_upstream and benchmarks.throughput when run as a script

import ray  # noqa: E402
import ray.data  # noqa: E402

from benchmarks.throughput import ChildUpstream, draft_from_gold, longest_sentence  # noqa: E402
from extractor.evaluation.gold import gold_sets, load_gold  # noqa: E402
from extractor.providers.settings import Settings  # noqa: E402
from extractor.scale.ray_batch import run_ray_batch  # noqa: E402
from extractor.service.batch import arun_batch  # noqa: E402


@dataclass
class Trial:
    engine: str  # "local", "ray x1", "ray x2"
    concurrency: int
    articles: int
    ok: int
    seconds: float

    @property
    def articles_per_s(self) -> float:
        return self.ok / self.seconds


def write_input(path: Path, articles: int) -> None:
    golds = load_gold(gold_sets(["seeds"]))
    with path.open("w", encoding="utf-8") as f:
        for n in range(articles):
            gold = golds[n % len(golds)]
            text = f"{gold.text}\n\nThis is copy number {n} of the article."
            line = {"id": f"a{n}", "text": text, "source": gold.source, "published": gold.published}
            f.write(json.dumps(line, ensure_ascii=False) + "\n")


def run_local(source: Path, out: Path, settings: Settings, concurrency: int) -> tuple[int, float]:
    started = time.perf_counter()
    summary = asyncio.run(arun_batch(source, out, settings, concurrency=concurrency, progress=False))
    return summary.ok, time.perf_counter() - started


def run_ray(source: Path, out: Path, settings: Settings, concurrency: int, actors: int) -> tuple[int, float]:
    started = time.perf_counter()
    summary = run_ray_batch(source, out, settings, actors=actors, in_flight=concurrency // actors)
    return summary.ok, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--concurrency", type=int, default=16, help="articles in flight, in total")
    parser.add_argument("--rounds", type=int, default=20, help="articles = concurrency x rounds")
    parser.add_argument("--trials", type=int, default=2, help="runs of each engine, alternated")
    parser.add_argument("--latency", type=float, default=1.0, help="the fake model's fixed latency, seconds")
    parser.add_argument("--actors", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--json", type=Path, help="write every trial to this JSON file")
    args = parser.parse_args(argv)
    if any(args.concurrency % a for a in args.actors):
        parser.error("--concurrency must be a multiple of every --actors value")

    golds = load_gold(gold_sets(["seeds"]))
    drafts = {longest_sentence(g.text): draft_from_gold(g).model_dump_json() for g in golds}
    articles = args.concurrency * args.rounds
    ideal = args.concurrency / args.latency
    trials: list[Trial] = []
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    ray.data.DataContext.get_current().enable_progress_bars = False
    try:
        with ChildUpstream(drafts, args.latency) as url, tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                base_url=url, api_key="x", model="fake-model", replay="off", timeout_s=60, max_retries=0
            )
            source = Path(tmp) / "in.jsonl"
            write_input(source, articles)
            run_ray(source, Path(tmp) / "warm.jsonl", settings, args.concurrency, 1)  # imports, pools
            for trial in range(args.trials):
                for engine in ["local", *(f"ray x{a}" for a in args.actors)]:
                    out = Path(tmp) / f"{engine.replace(' ', '')}-{trial}.jsonl"
                    if engine == "local":
                        ok, seconds = run_local(source, out, settings, args.concurrency)
                    else:
                        actors = int(engine.split("x")[1])
                        ok, seconds = run_ray(source, out, settings, args.concurrency, actors)
                    t = Trial(engine, args.concurrency, articles, ok, seconds)
                    trials.append(t)
                    print(
                        f"trial {trial + 1} {engine:7} {articles} articles, {ok} ok, {seconds:6.2f} s,"
                        f" {t.articles_per_s:6.2f}/s ({t.articles_per_s / ideal:.3f} of ideal {ideal:.0f}/s)",
                        flush=True,
                    )
    finally:
        ray.shutdown()

    def median_rate(engine: str) -> float:
        return statistics.median(t.articles_per_s for t in trials if t.engine == engine)

    local = median_rate("local")
    print(f"\nconcurrency {args.concurrency}, latency {args.latency:g} s, {articles} articles per run")
    print(f"local batch : {local:6.2f} articles/s  ({local / ideal:.3f} of ideal)")
    for a in args.actors:
        rate = median_rate(f"ray x{a}")
        print(
            f"ray x{a} actor{'s' if a > 1 else ' '}: {rate:6.2f} articles/s  ({rate / ideal:.3f} of ideal)"
            f"  ratio ray/local {rate / local:.3f}"
        )
    if args.json:
        rows: list[dict[str, Any]] = [asdict(t) | {"articles_per_s": t.articles_per_s} for t in trials]
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
