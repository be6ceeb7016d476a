"""Replay recorded requests against the embedded llama.cpp server under different server settings.

Levers that live in the server rather than in the request (speculative decoding, flash attention,
threads) leave the request unchanged, so one recorded request measures them all: same prompt, same
schema, same sampling. For each variant a fresh embedded server is started (outside the timing),
every request is sent once, and the table shows wall time, tokens, llama.cpp's own prompt and decode
speeds, how many drafted tokens speculative decoding had accepted, and whether the output is the one
in the recording (greedy decoding; a thread count other than the recording's can change it anyway).

    python benchmarks/server_settings.py     # v2 recordings: base, no flash attention, n-gram variants
    python benchmarks/server_settings.py --variant base --variant no_flash_attn --max-tokens 400
    python benchmarks/server_settings.py evals/recordings/<key>.json --variant ngram_mod

Variants: base (the shipped settings), flash_attn / no_flash_attn (forced on / off; shipped: on),
ngram_simple, ngram_map_k, ngram_mod (draftless speculative decoding from the context's n-grams).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extractor.pipeline.prompts import HEADER_KEYS, load_prompt  # noqa: E402
from extractor.providers.embedded import server_params  # noqa: E402
from extractor.providers.model_files import ensure_model_file  # noqa: E402
from extractor.providers.settings import Settings  # noqa: E402


def _speculative(kind: str) -> Callable[[Any], None]:
    def apply(params: Any) -> None:
        import xllamacpp

        params.speculative.types = [
            getattr(xllamacpp.common_speculative_type, f"COMMON_SPECULATIVE_TYPE_{kind}")
        ]

    return apply


def _flash_attn(on: bool) -> Callable[[Any], None]:
    def apply(params: Any) -> None:
        params.flash_attn_type = 1 if on else 0

    return apply


VARIANTS: dict[str, Callable[[Any], None]] = {
    "base": lambda params: None,
    "flash_attn": _flash_attn(True),
    "no_flash_attn": _flash_attn(False),
    "ngram_simple": _speculative("NGRAM_SIMPLE"),
    "ngram_map_k": _speculative("NGRAM_MAP_K"),
    "ngram_mod": _speculative("NGRAM_MOD"),
}
DEFAULT_VARIANTS = ["base", "no_flash_attn", "ngram_simple", "ngram_map_k", "ngram_mod"]


@dataclass
class Row:
    variant: str
    recording: str
    wall_s: float
    prompt_tokens: int
    output_tokens: int
    prompt_per_s: float
    decode_per_s: float
    drafted: int | None
    accepted: int | None
    same_output: bool


def recordings_of(version: str) -> list[Path]:
    """Recorded requests of this prompt version: its system text and its sampling header, no other."""
    prompt = load_prompt(version)
    found = []
    for path in sorted((REPO / "evals" / "recordings").glob("*.json")):
        request = json.loads(path.read_text(encoding="utf-8"))["request"]
        sampling = {k: request[k] for k in HEADER_KEYS if k in request}
        if request["messages"][0]["content"] == prompt.system and sampling == prompt.sampling:
            found.append(path)
    return found


def run_variant(
    name: str, paths: list[Path], settings: Settings, threads: int, max_tokens: int | None
) -> list[Row]:
    import xllamacpp

    params = server_params(
        settings, ensure_model_file(settings.embedded_model, settings.model_cache_dir), threads
    )
    VARIANTS[name](params)
    server = xllamacpp.Server(params)
    base = str(server.listening_address).rstrip("/")
    rows = []
    try:
        for path in paths:
            record = json.loads(path.read_text(encoding="utf-8"))
            request = dict(record["request"])
            if max_tokens is not None:
                request["max_tokens"] = max_tokens
            started = time.perf_counter()
            response = httpx.post(f"{base}/v1/chat/completions", json=request, timeout=1800).json()
            wall = time.perf_counter() - started
            timings = response.get("timings", {})
            content = response["choices"][0]["message"]["content"]
            rows.append(
                Row(
                    variant=name,
                    recording=path.stem[:10],
                    wall_s=wall,
                    prompt_tokens=int(response["usage"]["prompt_tokens"]),
                    output_tokens=int(response["usage"]["completion_tokens"]),
                    prompt_per_s=float(timings.get("prompt_per_second") or 0.0),
                    decode_per_s=float(timings.get("predicted_per_second") or 0.0),
                    drafted=timings.get("draft_n"),
                    accepted=timings.get("draft_n_accepted"),
                    same_output=content == record["response"]["choices"][0]["message"]["content"],
                )
            )
    finally:
        del server
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("recordings", nargs="*", type=Path, help="recorded requests (default: --prompt's)")
    parser.add_argument("--prompt", default="v2", help="use the recordings of this prompt version")
    parser.add_argument("--variant", action="append", choices=sorted(VARIANTS), help="repeatable")
    parser.add_argument("--threads", type=int, default=0, help="llama.cpp threads (0 = all cores)")
    parser.add_argument("--max-tokens", type=int, help="cap the output, for a quicker speed-only run")
    parser.add_argument("--json", type=Path, help="write every row to this JSON file")
    args = parser.parse_args(argv)
    paths = args.recordings or recordings_of(args.prompt)
    if not paths:
        parser.error(f"no recordings of prompt {args.prompt} in evals/recordings")
    settings = Settings()
    threads = args.threads or os.cpu_count() or 2
    rows = [
        r
        for v in args.variant or DEFAULT_VARIANTS
        for r in run_variant(v, paths, settings, threads, args.max_tokens)
    ]
    table = Table(title=f"Embedded server settings ({threads} threads, {settings.embedded_model})")
    for column in ("variant", "recording", "wall s", "prompt tok", "out tok", "prompt tok/s", "decode tok/s"):
        table.add_column(column, justify="left" if column in ("variant", "recording") else "right")
    table.add_column("accepted/drafted", justify="right")
    table.add_column("same as recorded")
    for r in rows:
        table.add_row(
            r.variant,
            r.recording,
            f"{r.wall_s:.1f}",
            str(r.prompt_tokens),
            str(r.output_tokens),
            f"{r.prompt_per_s:.1f}",
            f"{r.decode_per_s:.1f}",
            f"{r.accepted}/{r.drafted}" if r.drafted is not None else "-",
            "yes" if r.same_output else "no",
        )
    Console().print(table)
    if args.json:
        args.json.write_text(json.dumps([r.__dict__ for r in rows], indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
