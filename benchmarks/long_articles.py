"""Long articles read in windows: how requests, tokens and time grow with the article's length.

Articles of growing length are built by joining real corpus articles (for length only: their meaning
is not scored here; the two long gold articles are scored by ``extractor eval --set long``). For each
length it prints the windows planned and the estimated prompt tokens of each request; with
``--live`` it also extracts the article on the model and prints wall time, real tokens and seconds
per window, so the cost per window can be checked to stay flat as articles grow.

    python benchmarks/long_articles.py                         # the plan only, no model
    python benchmarks/long_articles.py --live --chars 6000 --chars 12000 --chars 24000
    python benchmarks/long_articles.py --live --base-url http://host:8000/v1 --model M
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from extractor.core.article import split_front_matter
from extractor.core.sentences import split_sentences
from extractor.core.windows import estimate_tokens, plan_windows, sentence_tokens
from extractor.pipeline.extraction import aextract
from extractor.pipeline.prompts import load_prompt
from extractor.pipeline.windows import window_budget
from extractor.providers.llm import build_llm
from extractor.providers.settings import Settings

REPO = Path(__file__).resolve().parents[1]
# English articles only, so the joined text is one language; about 70,000 characters in all, so
# lengths up to that are new text (a repeated sentence would be read once: the splitter dedupes).
SOURCES = [REPO / "evals" / "corpus" / "short", REPO / "evals" / "corpus" / "long", REPO / "seeds"]


def joined(chars: int) -> str:
    paths = [p for folder in SOURCES for p in sorted(folder.glob("*.txt"))]
    bodies = [split_front_matter(p.read_text(encoding="utf-8")).body.strip() for p in paths]
    text = ""
    while len(text) < chars:
        for body in bodies:
            text = f"{text}\n\n{body}" if text else body
            if len(text) >= chars:
                break
    # End on a sentence: cut at the last sentence end before the target.
    cut = text.rfind(".", 0, chars) + 1
    return text[: cut or chars]


def plan(text: str, settings: Settings) -> list[int]:
    prompt = load_prompt(settings.prompt_version)
    budget = window_budget(prompt, "unknown", settings.context_window, settings.max_output_tokens)
    sentences = split_sentences(text)
    windows = plan_windows(sentences, budget)
    if len(windows) > 1:
        windows = plan_windows(sentences, budget - 300)
    frame = estimate_tokens(prompt.system) + estimate_tokens(
        prompt.render_user(sentences="", published="unknown")
    )
    return [frame + sum(sentence_tokens(s) for s in w) for w in windows]


async def live(text: str, settings: Settings) -> dict[str, float]:
    llm = build_llm(settings)
    try:
        started = time.perf_counter()
        result = await aextract(text, settings=settings, llm=llm)
        wall = time.perf_counter() - started
    finally:
        await llm.aclose()
    windows = next((int(w.split()[3]) for w in result.meta.warnings if w.startswith("article read in")), 1)
    return {
        "windows": windows,
        "wall_s": round(wall, 1),
        "s_per_window": round(wall / windows, 1),
        "prompt_tokens": result.meta.usage.prompt_tokens,
        "completion_tokens": result.meta.usage.completion_tokens,
        "actors": len(result.actors),
        "visits": len(result.visits),
        "meetings": len(result.meetings),
        "claims": len(result.claims),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, action="append", help="article lengths (repeatable)")
    parser.add_argument("--live", action="store_true", help="extract each article on the model")
    parser.add_argument("--base-url")
    parser.add_argument("--model")
    parser.add_argument("--context-tokens", type=int)
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    update: dict[str, object] = {"timeout_s": 3600.0}
    if args.base_url:
        update.update(base_url=args.base_url, model=args.model)
    if args.context_tokens:
        update["context_tokens"] = args.context_tokens
    settings = Settings().model_copy(update=update)
    rows = []
    for chars in args.chars or [3_000, 6_000, 12_000, 24_000, 50_000]:
        text = joined(chars)
        requests = plan(text, settings)
        row: dict[str, object] = {
            "chars": len(text),
            "windows": len(requests),
            "est_prompt_tokens_per_request": max(requests),
            "est_prompt_tokens_total": sum(requests),
        }
        if args.live:
            row.update(asyncio.run(live(text, settings)))
        rows.append(row)
        print(json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
