"""The consolidation score of a prompt run: its predictions merged into one timeline, scored against
the gold timeline (``evals/gold/timeline.json``).

Informational only: the gate never looks at it. A timeline mixes every article's errors with the
merge rules' own, over one timeline per run (no per-article resampling, so no interval either).
Failed articles are left out of the consolidation, the way a user would merge what did come back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extractor.consolidation import Timeline, consolidate, score_timeline
from extractor.core.contract import ArticleExtraction
from extractor.core.errors import ExtractorError

# Stable keys of the headline numbers (JSON output, deltas, table rows), in display order.
TIMELINE_METRICS: tuple[str, ...] = (
    "event_f1",
    "event_precision",
    "event_recall",
    "visit_f1",
    "meeting_f1",
    "actor_mention_recall",
    "actor_bcubed_f1",
    "actor_pairwise_f1",
)


@dataclass(frozen=True)
class TimelineScore:
    consolidated: tuple[str, ...]  # article ids whose predictions went into the timeline
    skipped: tuple[str, ...]  # failed articles, left out
    metrics: dict[str, float | None]  # TIMELINE_METRICS -> value (None: n/a)
    # score_timeline's full answer; None when consolidation itself refused the predictions.
    detail: dict[str, Any] | None = None
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "consolidated_articles": list(self.consolidated),
            "skipped_articles": list(self.skipped),
            "error": self.error,
            "metrics": dict(self.metrics),
            "detail": self.detail,
        }


def headline(detail: dict[str, Any]) -> dict[str, float | None]:
    actors = detail["actors"]
    aligned = int(actors["aligned_mentions"])
    gold_mentions = aligned + int(actors["gold_only_mentions"])
    # B-cubed and pairwise only judge the mentions that aligned; with none aligned their 1.0 would say
    # "perfect merging" of nothing, so they are n/a and the mention recall carries the bad news.
    merged = aligned > 0
    return {
        "event_f1": float(detail["events"]["f1"]),
        "event_precision": float(detail["events"]["precision"]),
        "event_recall": float(detail["events"]["recall"]),
        "visit_f1": float(detail["visits"]["f1"]),
        "meeting_f1": float(detail["meetings"]["f1"]),
        "actor_mention_recall": aligned / gold_mentions if gold_mentions else None,
        "actor_bcubed_f1": float(actors["bcubed"]["f1"]) if merged else None,
        "actor_pairwise_f1": float(actors["pairwise"]["f1"]) if merged else None,
    }


def score_consolidation(
    predictions: Sequence[tuple[str, ArticleExtraction | None]], gold: Timeline
) -> TimelineScore:
    """Consolidate the (article id, prediction) pairs that have a prediction; score against ``gold``."""
    kept = [(article_id, p) for article_id, p in predictions if p is not None]
    consolidated = tuple(article_id for article_id, _ in kept)
    skipped = tuple(article_id for article_id, p in predictions if p is None)
    try:
        detail = score_timeline(consolidate(p for _, p in kept), gold)
    except Exception as exc:
        # An informational number must not cost the run its gated results (a live run may have taken
        # an hour): the failure is reported in its place, in the table, the JSON and the report.
        kind = exc.kind if isinstance(exc, ExtractorError) else type(exc).__name__
        return TimelineScore(consolidated, skipped, dict.fromkeys(TIMELINE_METRICS), error=f"{kind}: {exc}")
    return TimelineScore(consolidated, skipped, headline(detail), detail=detail)


def timeline_deltas(base: TimelineScore | None, cand: TimelineScore | None) -> dict[str, float | None]:
    """Candidate minus baseline per headline metric; None where either side has no number."""
    if base is None or cand is None:
        return {}
    out: dict[str, float | None] = {}
    for key in TIMELINE_METRICS:
        b, c = base.metrics.get(key), cand.metrics.get(key)
        out[key] = c - b if b is not None and c is not None else None
    return out
