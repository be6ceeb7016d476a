"""Articles per second through the HTTP API against a fake upstream with a fixed model latency.

The service runs in-process under uvicorn on 127.0.0.1 with the real pipeline; the model is
tests/fake_upstream.py answering every call after ``--latency`` seconds. At concurrency C, each job's
articles are extracted C at a time, so the ideal throughput is C / latency articles per second; the
printed ratio is measured / ideal (1.0 = the service adds no overhead to the model's own time).

    python benchmarks/load_service.py                      # concurrency 1, 8 and 64, 1 s latency
    python benchmarks/load_service.py --concurrency 8 --articles 64 --latency 0.5
    python benchmarks/load_service.py --scripted           # without the pipeline: the service alone

Bounded by construction: a fixed number of articles per run, a deadline per run, loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import uvicorn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # for tests.fake_upstream when run as a script

from extractor.core.contract import ArticleExtraction, ArticleInfo, Meta  # noqa: E402
from extractor.providers.settings import Settings  # noqa: E402
from extractor.service.app import create_app  # noqa: E402
from extractor.service.config import ServiceSettings  # noqa: E402
from extractor.service.extraction import ExtractFn  # noqa: E402
from tests.fake_upstream import FakeUpstream, ok  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def article(run: int, n: int) -> str:
    # Distinct texts: identical ones would be served from the result store without a model call.
    return f"Run {run} article {n}: the minister arrived in Oslo on Monday for talks. Officials confirmed it."


def scripted_extract(latency: float) -> ExtractFn:
    """No pipeline at all: waits like the model, then returns an empty result. Isolates the service's cost."""

    async def extract(text: str, **kwargs: Any) -> ArticleExtraction:
        await asyncio.sleep(latency)
        info = ArticleInfo(id=kwargs.get("article_id") or "x")
        return ArticleExtraction(article=info, meta=Meta(model="fake-model", prompt_version="v1"))

    return extract


def run_once(
    upstream: FakeUpstream,
    concurrency: int,
    articles: int,
    latency: float,
    run: int,
    extract: ExtractFn | None,
) -> float:
    """Seconds from submitting a job of ``articles`` to its last result, with ``concurrency`` workers."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            base_url=upstream.url, api_key="x", model="fake-model", replay="off", timeout_s=30
        )
        config = ServiceSettings(
            database_url=f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
            job_concurrency=concurrency,
            worker_poll_s=0.05,
        )
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, config, extract=extract),
                host="127.0.0.1",
                port=port,
                log_level="warning",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(base_url=base, timeout=30) as client:
                while not server.started:
                    time.sleep(0.05)
                # Warm-up: the first extraction in a process pays one-off imports and caches.
                warm = client.post("/v1/extract", json={"text": article(-1 - run, 0)})
                warm.raise_for_status()
                body = {"articles": [{"id": f"a{n}", "text": article(run, n)} for n in range(articles)]}
                started = time.perf_counter()
                job_id = client.post("/v1/jobs", json=body).json()["job_id"]
                deadline = started + 10 * articles * latency / concurrency + 60
                while True:
                    counts = client.get(f"/v1/jobs/{job_id}").json()["counts"]
                    if counts["pending"] == 0:
                        break
                    if time.perf_counter() > deadline:
                        raise TimeoutError(f"concurrency {concurrency}: job not done by its deadline")
                    time.sleep(0.02)
                elapsed = time.perf_counter() - started
                if counts["done"] != articles:
                    raise RuntimeError(f"concurrency {concurrency}: {counts}")
        finally:
            server.should_exit = True
            thread.join(timeout=30)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--latency", type=float, default=1.0, help="fake model latency per call, seconds")
    parser.add_argument("--rounds", type=int, default=6, help="articles per worker: articles = rounds x C")
    parser.add_argument(
        "--articles", type=int, default=None, help="fixed article count instead of rounds x C"
    )
    parser.add_argument(
        "--scripted",
        action="store_true",
        help="skip the pipeline (a stub that only waits): the service's own cost",
    )
    args = parser.parse_args()
    extract = scripted_extract(args.latency) if args.scripted else None

    print(
        f"{'concurrency':>11} {'articles':>8} {'seconds':>8} {'articles/s':>10} {'ideal/s':>8} {'ratio':>6}"
    )
    with FakeUpstream(default=ok(usage=(500, 50)), latency_s=args.latency) as upstream:
        for run, concurrency in enumerate(args.concurrency):
            count = args.articles or args.rounds * concurrency
            elapsed = run_once(upstream, concurrency, count, args.latency, run, extract)
            rate = count / elapsed
            ideal = concurrency / args.latency
            ratio = rate / ideal
            print(f"{concurrency:>11} {count:>8} {elapsed:>8.2f} {rate:>10.2f} {ideal:>8.2f} {ratio:>6.2f}")


if __name__ == "__main__":
    main()
