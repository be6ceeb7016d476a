"""Results of an eval run: per-article pipeline outcomes, scored prompt runs, the comparison, and
their JSON form (``extractor eval --out``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from extractor.core.contract import ArticleExtraction
from extractor.evaluation.scoring import ArticleScore, EvalScores
from extractor.evaluation.stats import Interval
from extractor.evaluation.timeline_scores import TimelineScore, timeline_deltas

EXIT_OK, EXIT_GATE_FAILED, EXIT_NOTHING_TO_EVALUATE = 0, 1, 2


@dataclass(frozen=True)
class ArticleRun:
    article_id: str
    prediction: ArticleExtraction | None
    error_kind: str | None = None
    error_message: str | None = None
    elapsed_s: float = 0.0

    @property
    def failed(self) -> bool:
        return self.prediction is None


@dataclass(frozen=True)
class PromptRun:
    prompt_version: str
    runs: tuple[ArticleRun, ...]
    article_scores: tuple[ArticleScore, ...]
    scores: EvalScores
    intervals: dict[str, Interval]
    # Informational, never gated; None when the gold set has no timeline.
    timeline: TimelineScore | None = None
    # The same scores per gold set (seeds, short, ...), in set order.
    set_scores: dict[str, EvalScores] = field(default_factory=dict[str, EvalScores])
    set_intervals: dict[str, dict[str, Interval]] = field(default_factory=dict[str, dict[str, Interval]])

    @property
    def models(self) -> list[str]:
        return sorted({r.prediction.meta.model for r in self.runs if r.prediction is not None})


@dataclass(frozen=True)
class Comparison:
    candidate: PromptRun
    baseline: PromptRun | None
    delta_intervals: dict[str, Interval]
    threshold: float
    gate_failures: tuple[str, ...] = field(default_factory=tuple)
    set_delta_intervals: dict[str, dict[str, Interval]] = field(
        default_factory=dict[str, dict[str, Interval]]
    )

    @property
    def exit_code(self) -> int:
        return EXIT_GATE_FAILED if self.gate_failures else EXIT_OK

    @property
    def runs(self) -> list[PromptRun]:
        return [self.baseline, self.candidate] if self.baseline is not None else [self.candidate]


# --- JSON output --------------------------------------------------------------------------------------


def _interval_dict(intervals: dict[str, Interval]) -> dict[str, list[float]]:
    return {name: interval.as_list() for name, interval in intervals.items()}


def prompt_run_dict(run: PromptRun) -> dict[str, object]:
    scores_by_id = {s.article_id: s for s in run.article_scores}
    articles = []
    for r in run.runs:
        s = scores_by_id[r.article_id]
        articles.append(
            {
                "article_id": r.article_id,
                "set": s.set_name,
                "error_kind": r.error_kind,
                "error_message": r.error_message,
                "elapsed_s": r.elapsed_s,
                "counts": {t: {"tp": c.tp, "fp": c.fp, "fn": c.fn} for t, c in s.counts.items()},
                "field_accuracy": {k: v.accuracy for k, v in s.fields.items()},
                "evidence_spans": s.evidence_spans,
                "grounded_spans": s.grounded_spans,
                "prediction": r.prediction.model_dump(mode="json") if r.prediction is not None else None,
            }
        )
    return {
        "prompt_version": run.prompt_version,
        "models": run.models,
        "scores": run.scores.as_dict(),
        "confidence_intervals_95": _interval_dict(run.intervals),
        "sets": {
            name: {
                "scores": scores.as_dict(),
                "confidence_intervals_95": _interval_dict(run.set_intervals.get(name, {})),
            }
            for name, scores in run.set_scores.items()
        },
        "timeline": run.timeline.as_dict() if run.timeline is not None else None,
        "articles": articles,
    }


def comparison_dict(comparison: Comparison) -> dict[str, object]:
    base = comparison.baseline
    delta = None
    if base is not None:
        cand = comparison.candidate.scores
        delta = {
            "micro_f1": cand.micro.f1 - base.scores.micro.f1,
            "macro_f1": cand.macro_f1 - base.scores.macro_f1,
            **{f"{t}_f1": cand.per_type[t].f1 - base.scores.per_type[t].f1 for t in cand.per_type},
            **{
                f"timeline_{key}": value
                for key, value in timeline_deltas(base.timeline, comparison.candidate.timeline).items()
            },
        }
    return {
        "candidate": prompt_run_dict(comparison.candidate),
        "baseline": prompt_run_dict(base) if base is not None else None,
        "delta": delta,
        "delta_confidence_intervals_95": _interval_dict(comparison.delta_intervals),
        "set_delta_confidence_intervals_95": {
            name: _interval_dict(intervals) for name, intervals in comparison.set_delta_intervals.items()
        },
        "gate": {
            "threshold": comparison.threshold,
            "failures": list(comparison.gate_failures),
            "exit_code": comparison.exit_code,
        },
    }


def write_json(comparison: Comparison, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(comparison_dict(comparison), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
