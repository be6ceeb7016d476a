"""``extractor batch IN.jsonl -o OUT.jsonl --engine ray``: the batch command on Ray Data.

Input lines are read exactly as the local batch reads them (``extractor.service.batch.read_items``);
lines that are not articles are failed at once, on the driver, and never reach Ray. The output has
the local batch's lines, one per input line, in input order, written whole at the end (a temporary
file, then a rename).

Resuming is by article id, not by a state database (a cluster's driver may not keep local files):
results stream back into ``OUT.jsonl.checkpoint`` as Ray delivers them, and a run skips every id
that the checkpoint or an earlier ``OUT.jsonl`` already holds as a result or as a final failure.
Transient failures (the backend was unavailable) are tried again; ``retry_failed`` also retries
model-output and configuration failures. With repeated ids, the n-th line of an id takes the n-th
earlier result of that id. Change the model or prompt, or edit an article's text under the same id,
and the earlier result is still reused: delete the output to start afresh.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ray
import ray.data

from extractor.providers.settings import Settings
from extractor.scale.ray_engine import extract_dataset
from extractor.service.batch import RETRYABLE_KINDS, TRANSIENT_KINDS, check_paths, read_items
from extractor.service.outcomes import outcome_line
from extractor.service.store import ItemOutcome, NewItem

# Failures decided by the input alone: recomputing them costs no model call, and a fixed line must
# not keep an old verdict.
INPUT_KINDS = frozenset({"bad_line", "bad_encoding", "empty_text", "too_large", "bad_input"})


@dataclass(frozen=True)
class RayBatchSummary:
    total: int
    ok: int
    failed: int
    already_done: int  # reused from an earlier run's output or checkpoint
    out_path: Path
    checkpoint_path: Path


def checkpoint_path(out_path: Path) -> Path:
    return out_path.with_name(out_path.name + ".checkpoint")


def connect(address: str | None = None, num_cpus: int | None = None) -> bool:
    """Join the cluster at ``address`` (or RAY_ADDRESS), else start a local Ray. True if this started it."""
    if ray.is_initialized():
        return False
    address = address or os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address)
    else:
        ray.init(num_cpus=num_cpus or os.cpu_count() or 1, include_dashboard=False)
    return True


def _earlier_records(paths: Iterable[Path]) -> dict[str, list[dict[str, Any]]]:
    """Records of earlier runs by article id, the first path's first (the checkpoint is the newest)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        if not path.exists():
            continue
        for raw in path.read_bytes().split(b"\n"):
            try:
                record = json.loads(raw)
            except ValueError:
                continue  # blank, or cut short by a crash: that article is simply done again
            if isinstance(record, dict) and isinstance(record.get("article_id"), str):
                found.setdefault(record["article_id"], []).append(record)
    return found


def _reusable(record: dict[str, Any], retry_kinds: frozenset[str]) -> bool:
    if record.get("status") == "ok":
        return isinstance(record.get("result"), dict)
    if record.get("status") == "failed":
        error = record.get("error")
        kind = error.get("kind") if isinstance(error, dict) else None
        return isinstance(kind, str) and kind not in retry_kinds and kind not in INPUT_KINDS
    return False


def _failed_line(index: int, article_id: str | None, kind: str, message: str) -> str:
    outcome = ItemOutcome(
        index=index,
        article_id=article_id,
        source=None,
        url=None,
        published=None,
        text="",
        status="failed",
        result_json=None,
        error_kind=kind,
        error_message=message,
    )
    return outcome_line(outcome)


def _row(index: int, item: NewItem) -> dict[str, Any]:
    return {
        "index": index,
        "id": item.article_id,
        "text": item.text,
        "source": item.source,
        "url": item.url,
        "published": item.published,
    }


def run_ray_batch(
    in_path: str | Path,
    out_path: str | Path,
    settings: Settings | None = None,
    *,
    actors: int = 1,
    in_flight: int = 8,
    address: str | None = None,
    retry_failed: bool = False,
    num_cpus: float = 1.0,
    batch_size: int | None = None,
    progress: bool = False,
) -> RayBatchSummary:
    in_path, out_path = Path(in_path), Path(out_path)
    settings = settings or Settings()
    checkpoint = checkpoint_path(out_path)
    # Refused before Ray starts: a missing input, -o naming the input or a directory.
    check_paths(in_path, out_path, checkpoint)
    _, items = read_items(in_path, settings.max_article_chars)
    retry_kinds = frozenset(RETRYABLE_KINDS if retry_failed else TRANSIENT_KINDS)
    earlier = _earlier_records([checkpoint, out_path])
    lines: dict[int, str] = {}
    rows: list[dict[str, Any]] = []
    reused = 0
    for index, item in enumerate(items):
        previous = earlier.get(item.article_id or "", [])
        record = previous.pop(0) if previous else None
        if item.error is not None:
            lines[index] = _failed_line(index, item.article_id, *item.error)
        elif record is not None and _reusable(record, retry_kinds):
            lines[index] = json.dumps({**record, "index": index}, ensure_ascii=False) + "\n"
            reused += 1
        else:
            rows.append(_row(index, item))
    if rows:
        _extract_on_ray(
            rows, lines, checkpoint, settings, actors, in_flight, address, num_cpus, batch_size, progress
        )
    for index, item in enumerate(items):
        if index not in lines:  # Ray finished without this row: recorded, never silently dropped
            lines[index] = _failed_line(index, item.article_id, "internal", "no result came back from Ray")
    _write_whole(out_path, [lines[index] for index in range(len(items))])
    checkpoint.unlink(missing_ok=True)
    statuses = [json.loads(line).get("status") for line in lines.values()]
    ok = statuses.count("ok")
    return RayBatchSummary(len(items), ok, len(items) - ok, reused, out_path, checkpoint)


def _extract_on_ray(
    rows: list[dict[str, Any]],
    lines: dict[int, str],
    checkpoint: Path,
    settings: Settings,
    actors: int,
    in_flight: int,
    address: str | None,
    num_cpus: float,
    batch_size: int | None,
    progress: bool,
) -> None:
    started_here = connect(address, num_cpus=max(os.cpu_count() or 1, int(actors * num_cpus + 0.999)))
    try:
        ray.data.DataContext.get_current().enable_progress_bars = progress
        ds = ray.data.from_items(rows)
        results = extract_dataset(
            ds, settings, concurrency=actors, in_flight=in_flight, batch_size=batch_size, num_cpus=num_cpus
        )
        checkpoint.parent.mkdir(parents=True, exist_ok=True)
        with checkpoint.open("a", encoding="utf-8") as saved:
            for batch in results.iter_batches(batch_format="numpy", batch_size=None):
                for index, line in zip(batch["index"], batch["line"], strict=True):
                    key = int(index)
                    if key in lines:  # a row is written once, whatever the engine delivers twice
                        continue
                    lines[key] = str(line)
                    saved.write(str(line))
                saved.flush()
                os.fsync(saved.fileno())
    finally:
        if started_here:
            ray.shutdown()


def _write_whole(out_path: Path, lines: list[str]) -> None:
    out_path.parent.mkdir(parents=True, exist_ok=True)
    partial = out_path.with_name(out_path.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        out.writelines(lines)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, out_path)
