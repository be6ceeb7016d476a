"""The side-by-side terminal table: metric | baseline | candidate | delta, with 95% bootstrap intervals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.table import Table

from extractor.evaluation.results import Comparison, PromptRun
from extractor.evaluation.scoring import FIELD_GROUPS, ITEM_TYPES, EvalScores
from extractor.evaluation.stats import Interval


@dataclass(frozen=True)
class Row:
    label: str
    value: Callable[[EvalScores], float | None]
    # Key into the bootstrap intervals, for the F1 rows.
    interval: str | None = None
    kind: str = "ratio"  # ratio | count | seconds


def _per_type(item_type: str, metric: str) -> Callable[[EvalScores], float | None]:
    return lambda s: float(getattr(s.per_type[item_type], metric))


def _group(group: str) -> Callable[[EvalScores], float | None]:
    return lambda s: s.group_accuracy[group]


def summary_rows() -> list[Row]:
    rows = [
        Row("micro F1", lambda s: s.micro.f1, "micro_f1"),
        Row("macro F1", lambda s: s.macro_f1, "macro_f1"),
        Row("micro precision", lambda s: s.micro.precision),
        Row("micro recall", lambda s: s.micro.recall),
    ]
    for t in ITEM_TYPES:
        rows.append(Row(f"{t} F1", _per_type(t, "f1"), f"{t}_f1"))
        rows.append(Row(f"{t} precision", _per_type(t, "precision")))
        rows.append(Row(f"{t} recall", _per_type(t, "recall")))
    for group in FIELD_GROUPS:
        rows.append(Row(f"field acc. {group}", _group(group)))
    rows += [
        Row("grounding rate", lambda s: s.grounding_rate),
        Row("schema-valid rate", lambda s: s.schema_valid_rate),
        Row("failed articles", lambda s: float(len(s.failed_articles)), kind="count"),
        Row("tokens", lambda s: float(s.total_tokens), kind="count"),
        Row("wall time (s)", lambda s: s.duration_s, kind="seconds"),
    ]
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
    text = _fmt(row.value(run.scores), row.kind)
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
    for row in summary_rows():
        cells = [row.label]
        if base is not None:
            cells.append(_cell(base, row))
        cells.append(_cell(cand, row))
        if base is not None:
            b, c = row.value(base.scores), row.value(cand.scores)
            delta = _fmt(c - b if b is not None and c is not None else None, row.kind, signed=True)
            interval = comparison.delta_intervals.get(row.interval) if row.interval else None
            cells.append(_with_interval(delta, interval, signed=True))
        rows.append(cells)
    return header, rows


def comparison_table(comparison: Comparison) -> Table:
    n = comparison.candidate.scores.n_articles
    table = Table(
        title=f"Eval over {n} gold article(s)", caption="[..]: 95% bootstrap interval over articles"
    )
    header, rows = comparison_cells(comparison)
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right", no_wrap=True)
    for cells in rows:
        table.add_row(*cells)
    return table
