"""Bootstrap confidence intervals over articles for the F1 metrics and for a paired delta.

Articles are the unit of resampling: each resample draws n articles with replacement, pools their
counts and recomputes the metric exactly as ``scoring`` does (same 0/0 conventions). The interval is
the percentile interval. A delta is paired: baseline and candidate are resampled with the same article
indices, so the spread reflects disagreement between the prompts, not the difficulty of the articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from extractor.evaluation.scoring import ITEM_TYPES, ArticleScore

F1_METRICS: tuple[str, ...] = ("micro_f1", "macro_f1", *(f"{t}_f1" for t in ITEM_TYPES))
DEFAULT_RESAMPLES = 1000
DEFAULT_SEED = 20250515

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def as_list(self) -> list[float]:
        return [self.low, self.high]


def article_counts(scores: Sequence[ArticleScore]) -> FloatArray:
    """Shape (articles, types, 3): tp, fp, fn per article and type, types in ``ITEM_TYPES`` order."""
    rows = [[[s.counts[t].tp, s.counts[t].fp, s.counts[t].fn] for t in ITEM_TYPES] for s in scores]
    return np.array(rows, dtype=np.float64).reshape(len(scores), len(ITEM_TYPES), 3)


def _f1(tp: FloatArray, fp: FloatArray, fn: FloatArray) -> FloatArray:
    denominator = 2 * tp + fp + fn
    safe = np.where(denominator == 0, 1.0, denominator)
    return np.where(denominator == 0, 1.0, 2 * tp / safe)


def f1_metrics(pooled: FloatArray) -> dict[str, FloatArray]:
    """F1 metrics from pooled counts of shape (..., types, 3)."""
    tp, fp, fn = pooled[..., 0], pooled[..., 1], pooled[..., 2]
    per_type = _f1(tp, fp, fn)
    present = (tp + fp + fn) > 0
    n_present = present.sum(axis=-1)
    macro = np.where(n_present == 0, 1.0, (per_type * present).sum(axis=-1) / np.maximum(n_present, 1))
    metrics: dict[str, FloatArray] = {
        "micro_f1": _f1(tp.sum(axis=-1), fp.sum(axis=-1), fn.sum(axis=-1)),
        "macro_f1": macro,
    }
    for i, t in enumerate(ITEM_TYPES):
        metrics[f"{t}_f1"] = per_type[..., i]
    return metrics


def _indices(n: int, resamples: int, seed: int) -> npt.NDArray[np.int64]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, n, size=(resamples, n))


def _interval(values: FloatArray, confidence: float) -> Interval:
    alpha = (1 - confidence) / 2
    low, high = np.quantile(values, [alpha, 1 - alpha])
    return Interval(float(low), float(high))


def bootstrap_f1(
    scores: Sequence[ArticleScore],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = 0.95,
) -> dict[str, Interval]:
    if not scores:
        return {}
    counts = article_counts(scores)
    pooled = counts[_indices(len(scores), resamples, seed)].sum(axis=1)
    return {name: _interval(values, confidence) for name, values in f1_metrics(pooled).items()}


def bootstrap_delta(
    baseline: Sequence[ArticleScore],
    candidate: Sequence[ArticleScore],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = DEFAULT_SEED,
    confidence: float = 0.95,
) -> dict[str, Interval]:
    """Interval of candidate - baseline for each F1 metric, paired over the articles both scored."""
    by_id = {s.article_id: s for s in baseline}
    pairs = [(by_id[s.article_id], s) for s in candidate if s.article_id in by_id]
    if not pairs:
        return {}
    base_counts = article_counts([b for b, _ in pairs])
    cand_counts = article_counts([c for _, c in pairs])
    idx = _indices(len(pairs), resamples, seed)
    base = f1_metrics(base_counts[idx].sum(axis=1))
    cand = f1_metrics(cand_counts[idx].sum(axis=1))
    return {name: _interval(cand[name] - base[name], confidence) for name in F1_METRICS}
