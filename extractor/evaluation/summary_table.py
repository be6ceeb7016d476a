"""The side-by-side terminal table: metric | baseline | candidate | delta, with 95% bootstrap intervals.

Rows read a PromptRun: the per-article scores, then (when the gold set has a timeline) the
consolidation rows, which are informational and carry no interval.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.table import Table

from extractor.evaluation.results import Comparison, PromptRun
from extractor.evaluation.scoring import FIELD_GROUPS, ITEM_TYPES, EvalScores
from extractor.evaluation.stats import Interval
from extractor.evaluation.timeline_scores import TIMELINE_METRICS


@dataclass(frozen=True)
class Row:
    label: str
    value: Callable[[PromptRun], float | None]
    # Key into the bootstrap intervals, for the F1 rows.
    interval: str | None = None
    kind: str = "ratio"  # ratio | count | seconds


def _scores(metric: Callable[[EvalScores], float | None]) -> Callable[[PromptRun], float | None]:
    return lambda run: metric(run.scores)


def _per_type(item_type: str, metric: str) -> Callable[[PromptRun], float | None]:
    return lambda run: float(getattr(run.scores.per_type[item_type], metric))


def _group(group: str) -> Callable[[PromptRun], float | None]:
    return lambda run: run.scores.group_accuracy[group]


def _timeline(metric: str) -> Callable[[PromptRun], float | None]:
    return lambda run: run.timeline.metrics.get(metric) if run.timeline is not None else None


TIMELINE_LABELS: dict[str, str] = {
    "event_f1": "timeline event F1",
    "event_precision": "timeline event precision",
    "event_recall": "timeline event recall",
    "visit_f1": "timeline visit F1",
    "meeting_f1": "timeline meeting F1",
    "actor_mention_recall": "actor merge: mention recall",
    "actor_bcubed_f1": "actor merge: B-cubed F1",
    "actor_pairwise_f1": "actor merge: pairwise F1",
}


def summary_rows(*, timeline: bool = False) -> list[Row]:
    """Every row of the table; the consolidation rows only when ``timeline`` (a gold timeline exists)."""
    rows = [
        Row("micro F1", _scores(lambda s: s.micro.f1), "micro_f1"),
        Row("macro F1", _scores(lambda s: s.macro_f1), "macro_f1"),
        Row("micro precision", _scores(lambda s: s.micro.precision)),
        Row("micro recall", _scores(lambda s: s.micro.recall)),
    ]
    for t in ITEM_TYPES:
        rows.append(Row(f"{t} F1", _per_type(t, "f1"), f"{t}_f1"))
        rows.append(Row(f"{t} precision", _per_type(t, "precision")))
        rows.append(Row(f"{t} recall", _per_type(t, "recall")))
    for group in FIELD_GROUPS:
        rows.append(Row(f"field acc. {group}", _group(group)))
    rows += [
        Row("claims naming the outlet", _scores(lambda s: float(s.outlet_claims)), kind="count"),
        Row("grounding rate", _scores(lambda s: s.grounding_rate)),
        Row("schema-valid rate", _scores(lambda s: s.schema_valid_rate)),
        Row("failed articles", _scores(lambda s: float(len(s.failed_articles))), kind="count"),
        Row("tokens", _scores(lambda s: float(s.total_tokens)), kind="count"),
        Row("wall time (s)", _scores(lambda s: s.duration_s), kind="seconds"),
    ]
    if timeline:
        rows += [Row(TIMELINE_LABELS.get(key, key), _timeline(key)) for key in TIMELINE_METRICS]
    return rows


def _fmt(value: float | None, kind: str, signed: bool = False) -> str:
    if value is None:
        return "n/a"
    sign = "+" if signed else ""
    if kind == "count":
        return f"{value:{sign},.0f}"
    if kind == "seconds":
        return f"{value:{sign}.1f}"
    return f"{value:{sign}.3f}"


def _with_interval(text: str, interval: Interval | None, signed: bool = False) -> str:
    if interval is None:
        return text
    sign = "+" if signed else ""
    # On its own line, so the four columns fit an 80-column CI log.
    return f"{text}\n[{interval.low:{sign}.2f}, {interval.high:{sign}.2f}]"


def _cell(run: PromptRun, row: Row) -> str:
    text = _fmt(row.value(run), row.kind)
    return _with_interval(text, run.intervals.get(row.interval) if row.interval else None)


def comparison_cells(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    """Header and rows as text: metric | baseline | candidate | delta (no baseline: metric | candidate)."""
    cand, base = comparison.candidate, comparison.baseline
    header = ["metric"]
    if base is not None:
        header.append(f"baseline {base.prompt_version}")
    header.append(f"candidate {cand.prompt_version}")
    if base is not None:
        header.append("delta")
    rows: list[list[str]] = []
    has_timeline = any(run.timeline is not None for run in comparison.runs)
    for row in summary_rows(timeline=has_timeline):
        cells = [row.label]
        if base is not None:
            cells.append(_cell(base, row))
        cells.append(_cell(cand, row))
        if base is not None:
            b, c = row.value(base), row.value(cand)
            delta = _fmt(c - b if b is not None and c is not None else None, row.kind, signed=True)
            interval = comparison.delta_intervals.get(row.interval) if row.interval else None
            cells.append(_with_interval(delta, interval, signed=True))
        rows.append(cells)
    return header, rows


def comparison_table(comparison: Comparison) -> Table:
    n = comparison.candidate.scores.n_articles
    caption = "[..]: 95% bootstrap interval over articles"
    if any(run.timeline is not None for run in comparison.runs):
        caption += "; timeline and actor-merge rows: informational, not gated"
    table = Table(title=f"Eval over {n} gold article(s)", caption=caption)
    header, rows = comparison_cells(comparison)
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right", no_wrap=True)
    for cells in rows:
        table.add_row(*cells)
    return table


SET_COLUMNS: tuple[tuple[str, str], ...] = (
    ("micro F1", "micro_f1"),
    *((f"{t} F1", f"{t}_f1") for t in ITEM_TYPES),
)


def _set_value(scores: EvalScores, key: str) -> float:
    if key == "micro_f1":
        return scores.micro.f1
    return scores.per_type[key.removesuffix("_f1")].f1


def set_cells(comparison: Comparison) -> tuple[list[str], list[list[str]]]:
    """One row per gold set (and system): n articles, micro and per-type F1 with intervals."""
    header = ["set", "system", "n", *(label for label, _ in SET_COLUMNS)]
    rows: list[list[str]] = []
    cand, base = comparison.candidate, comparison.baseline
    for name, scores in cand.set_scores.items():
        for run in comparison.runs:
            run_scores = run.set_scores.get(name)
            if run_scores is None:
                continue
            intervals = run.set_intervals.get(name, {})
            cells = [name, run.prompt_version, str(run_scores.n_articles)]
            for _, key in SET_COLUMNS:
                cells.append(_with_interval(_fmt(_set_value(run_scores, key), "ratio"), intervals.get(key)))
            rows.append(cells)
        if base is not None and name in base.set_scores:
            deltas = comparison.set_delta_intervals.get(name, {})
            cells = [name, "delta", str(scores.n_articles)]
            for _, key in SET_COLUMNS:
                value = _set_value(scores, key) - _set_value(base.set_scores[name], key)
                cells.append(_with_interval(_fmt(value, "ratio", signed=True), deltas.get(key), signed=True))
            rows.append(cells)
    return header, rows


def set_table(comparison: Comparison) -> Table:
    table = Table(title="By gold set", caption="[..]: 95% bootstrap interval over the set's articles")
    header, rows = set_cells(comparison)
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i < 2 else "right", no_wrap=True)
    for cells in rows:
        table.add_row(*cells)
    return table
