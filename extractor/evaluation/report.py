"""The HTML eval report: one self-contained file (inline CSS, SVG and a small filter script; nothing
fetched).

It holds the summary table, an F1-per-type bar chart per prompt, and per article the matched, missed
and spurious items of each prompt with their evidence marked in the article text. The template is
``templates/report.html.j2``, rendered with autoescape on; only the pre-escaped highlight and chart
markup built here is marked safe.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader
from markupsafe import Markup, escape

from extractor.core.contract import Actor, ArticleExtraction, Claim, Evidence, Meeting, Place, Visit, When
from extractor.evaluation.gold import GoldArticle
from extractor.evaluation.results import Comparison, PromptRun
from extractor.evaluation.scoring import ITEM_TYPES, ArticleScore, FieldCheck, is_grounded
from extractor.evaluation.summary_table import comparison_cells

# The order a mark's classes are listed in; the CSS colours the background by the first and underlines
# the others, so an overlap shows every status instead of letting one hide another.
_PRIORITY = {"missed": 3, "spurious": 2, "matched": 1}
_PROMPT_COLOURS = ("#8c8c8c", "#1f77b4", "#2ca02c", "#d62728", "#9467bd")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    status: str
    label: str


def highlight(text: str, spans: list[Span]) -> Markup:
    """``text`` escaped, with marked stretches wrapped in ``<mark class="status ...">``.

    Where spans overlap, the mark carries every status under it (most alarming first) and its title
    lists every span: a matched claim whose evidence overlaps a spurious item's is still shown as
    matched, with the spurious one beside it, not replaced by it. Neighbouring characters under the
    same spans share one mark.
    """
    spans = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    cuts = sorted({0, len(text), *(s.start for s in spans), *(s.end for s in spans)})
    # (statuses, labels, lo, hi) runs, merged while the same spans cover them.
    runs: list[tuple[tuple[str, ...], list[str], int, int]] = []
    for lo, hi in itertools.pairwise(cuts):
        covering = [s for s in spans if s.start <= lo and hi <= s.end]
        statuses = tuple(sorted({s.status for s in covering}, key=lambda st: -_PRIORITY[st]))
        labels = [s.label for s in covering]
        if runs and runs[-1][0] == statuses and runs[-1][1] == labels:
            runs[-1] = (statuses, labels, runs[-1][2], hi)
        else:
            runs.append((statuses, labels, lo, hi))
    out: list[str] = []
    for statuses, labels, lo, hi in runs:
        chunk = str(escape(text[lo:hi]))
        if not statuses:
            out.append(chunk)
        else:
            title = escape("; ".join(dict.fromkeys(labels)))
            out.append(f'<mark class="{" ".join(statuses)}" title="{title}">{chunk}</mark>')
    return Markup("".join(out))


# --- describing items -------------------------------------------------------------------------------


def _when(when: When | None) -> str:
    if when is None or when.date is None:
        return "date unknown"
    return f"{when.date} ({when.precision})"


def _place(place: Place | None) -> str:
    if place is None:
        return "?"
    return f"{place.name}, {place.country}" if place.country else place.name


def _names(extraction: ArticleExtraction, ids: list[str]) -> str:
    by_id = {a.id: a.name for a in extraction.actors}
    return ", ".join(by_id.get(i, i) for i in ids)


def describe(extraction: ArticleExtraction, item: Actor | Visit | Meeting | Claim) -> str:
    if isinstance(item, Actor):
        return f"{item.id} {item.name} ({item.kind})" + (
            f" aka {', '.join(item.aliases)}" if item.aliases else ""
        )
    if isinstance(item, Visit):
        return (
            f"{item.id} {_names(extraction, item.visitor_ids)} -> {_place(item.destination)}, "
            f"arrival {_when(item.arrival)}, {item.disclosure}, {item.status}"
        )
    if isinstance(item, Meeting):
        return (
            f"{item.id} {_names(extraction, item.participant_ids)} at {_place(item.location)}, "
            f"{_when(item.date)}, {item.status}"
        )
    speaker = f" [{_names(extraction, [item.speaker_id])}]" if item.speaker_id else ""
    return f"{item.id} {item.source}{speaker} ({item.attribution}): {item.statement}"


def _items(
    extraction: ArticleExtraction, item_type: str
) -> list[Actor] | list[Visit] | list[Meeting] | list[Claim]:
    items: list[Actor] | list[Visit] | list[Meeting] | list[Claim] = getattr(extraction, item_type)
    return items


def _field_value(extraction: ArticleExtraction, item: Actor | Visit | Meeting | Claim, name: str) -> str:
    attr = name.split(".", 1)[1]
    if attr in {"visitors", "participants"}:
        ids: list[str] = getattr(item, "visitor_ids" if attr == "visitors" else "participant_ids")
        return _names(extraction, ids)
    if attr == "speaker":
        speaker = getattr(item, "speaker_id", None)
        return _names(extraction, [speaker]) if speaker else "none"
    value = getattr(item, attr)
    return _when(value) if attr in {"arrival", "departure", "date"} else str(value)


@dataclass
class ItemView:
    status: str
    item_type: str
    gold: str | None = None
    pred: str | None = None
    mismatches: list[str] = field(default_factory=list[str])
    ungrounded: list[str] = field(default_factory=list[str])


@dataclass
class RunView:
    prompt_version: str
    error: str | None
    f1: float
    counts: str
    text: Markup
    items: list[ItemView]


@dataclass
class DiffLine:
    """One gold item whose outcome differs between the prompts: ``kind`` gained | lost | changed."""

    kind: str
    item_type: str
    gold: str
    detail: str = ""


@dataclass
class ArticleDiff:
    candidate_f1: float
    baseline_f1: float
    lines: list[DiffLine]
    spurious: str

    @property
    def delta(self) -> float:
        return self.candidate_f1 - self.baseline_f1


@dataclass
class ArticleView:
    article_id: str
    stem: str
    notes: list[str]
    runs: list[RunView]
    set_name: str = ""
    diff: ArticleDiff | None = None


def _outcomes(gold: GoldArticle, run: PromptRun) -> tuple[dict[tuple[str, int], list[str]], dict[str, int]]:
    """Gold items this run matched, each with its wrong fields; and its spurious items per type."""
    score = next(s for s in run.article_scores if s.article_id == gold.article_id)
    matched: dict[tuple[str, int], list[str]] = {}
    spurious: dict[str, int] = {}
    for item_type in ITEM_TYPES:
        alignment = score.alignment.by_type(item_type)
        for pair in alignment.pairs:
            matched[(item_type, pair.gold)] = _mismatches(
                score, item_type, pair.pred, pair.gold, score.prediction, gold.extraction
            )
        spurious[item_type] = len(alignment.unmatched_pred)
    return matched, spurious


def article_diff(gold: GoldArticle, candidate: PromptRun, baseline: PromptRun) -> ArticleDiff:
    """Item by item, what the candidate does that the baseline did not, keyed by the gold item."""
    new, new_spurious = _outcomes(gold, candidate)
    old, old_spurious = _outcomes(gold, baseline)
    truth = gold.extraction
    lines: list[DiffLine] = []
    for item_type in ITEM_TYPES:
        golds: list[Actor] | list[Visit] | list[Meeting] | list[Claim] = _items(truth, item_type)
        for index in range(len(golds)):
            item = golds[index]
            key = (item_type, index)
            said = describe(truth, item)
            if key in new and key not in old:
                lines.append(DiffLine("gained", item_type, said, "; ".join(new[key])))
            elif key in old and key not in new:
                lines.append(DiffLine("lost", item_type, said))
            elif key in new and key in old and new[key] != old[key]:
                fixed = [
                    f for f in old[key] if f.split(":", 1)[0] not in {g.split(":", 1)[0] for g in new[key]}
                ]
                broken = [f for f in new[key] if f not in old[key]]
                detail = "; ".join(
                    [
                        *(f"now wrong: {f}" for f in broken),
                        *(f"now right: {f.split(':', 1)[0]}" for f in fixed),
                    ]
                )
                lines.append(DiffLine("changed", item_type, said, detail))
    spurious = ", ".join(
        f"{item_type} {old_spurious[item_type]} -> {new_spurious[item_type]}"
        for item_type in ITEM_TYPES
        if old_spurious[item_type] != new_spurious[item_type]
    )
    return ArticleDiff(_run_f1(gold, candidate), _run_f1(gold, baseline), lines, spurious)


def _run_f1(gold: GoldArticle, run: PromptRun) -> float:
    score = next(s for s in run.article_scores if s.article_id == gold.article_id)
    total = (
        score.counts["actors"] + score.counts["visits"] + score.counts["meetings"] + score.counts["claims"]
    )
    return total.f1


def _evidence_spans(evidence: list[Evidence], status: str, label: str) -> list[Span]:
    return [Span(ev.start, ev.end, status, label) for ev in evidence]


def run_view(gold: GoldArticle, run: PromptRun) -> RunView:
    score = next(s for s in run.article_scores if s.article_id == gold.article_id)
    article_run = next(r for r in run.runs if r.article_id == gold.article_id)
    pred, truth, text = score.prediction, gold.extraction, gold.text
    spans: list[Span] = []
    items: list[ItemView] = []
    for item_type in ITEM_TYPES:
        alignment = score.alignment.by_type(item_type)
        golds, preds = _items(truth, item_type), _items(pred, item_type)
        for pair in alignment.pairs:
            g, p = golds[pair.gold], preds[pair.pred]
            view = ItemView("matched", item_type, describe(truth, g), describe(pred, p))
            view.mismatches = _mismatches(score, item_type, pair.pred, pair.gold, pred, truth)
            view.ungrounded = [ev.text for ev in p.evidence if not is_grounded(ev, text)]
            spans += _evidence_spans(g.evidence, "matched", f"matched {item_type}: {g.id}")
            items.append(view)
        for i in alignment.unmatched_gold:
            g = golds[i]
            items.append(ItemView("missed", item_type, gold=describe(truth, g)))
            spans += _evidence_spans(g.evidence, "missed", f"missed {item_type}: {g.id}")
        for i in alignment.unmatched_pred:
            p = preds[i]
            grounded = [ev for ev in p.evidence if is_grounded(ev, text)]
            view = ItemView("spurious", item_type, pred=describe(pred, p))
            view.ungrounded = [ev.text for ev in p.evidence if not is_grounded(ev, text)]
            spans += _evidence_spans(grounded, "spurious", f"spurious {item_type}: {p.id}")
            items.append(view)
    total = (
        score.counts["actors"] + score.counts["visits"] + score.counts["meetings"] + score.counts["claims"]
    )
    error = f"{article_run.error_kind}: {article_run.error_message}" if article_run.failed else None
    return RunView(
        prompt_version=run.prompt_version,
        error=error,
        f1=total.f1,
        counts=f"{total.tp} matched, {total.fn} missed, {total.fp} spurious",
        text=highlight(text, spans),
        items=items,
    )


def _mismatches(
    score: ArticleScore, item_type: str, p: int, g: int, pred: ArticleExtraction, gold: ArticleExtraction
) -> list[str]:
    checks: list[FieldCheck] = [
        c for c in score.checks if c.item_type == item_type and c.pred_index == p and c.gold_index == g
    ]
    p_item, g_item = _items(pred, item_type)[p], _items(gold, item_type)[g]
    return [
        f"{c.field}: {_field_value(pred, p_item, c.field)} (gold: {_field_value(gold, g_item, c.field)})"
        for c in checks
        if not c.correct
    ]


# --- the chart --------------------------------------------------------------------------------------


def f1_chart(runs: list[PromptRun]) -> Markup:
    """Grouped bars: F1 per type (and micro, macro), one bar per prompt, values printed on the bars."""
    groups = [*ITEM_TYPES, "micro", "macro"]

    def value(run: PromptRun, group: str) -> float:
        if group == "micro":
            return run.scores.micro.f1
        if group == "macro":
            return run.scores.macro_f1
        return run.scores.per_type[group].f1

    bar_w, gap, plot_h, top, left = 34, 26, 200, 20, 40
    group_w = bar_w * len(runs) + gap
    width = left + group_w * len(groups) + 160
    height = top + plot_h + 50
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="F1 per type per prompt">'
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + plot_h * (1 - tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + group_w * len(groups)}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick:.2f}</text>')
    for gi, group in enumerate(groups):
        x0 = left + gi * group_w + gap / 2
        for ri, run in enumerate(runs):
            v = value(run, group)
            h = plot_h * v
            x = x0 + ri * bar_w
            colour = _PROMPT_COLOURS[ri % len(_PROMPT_COLOURS)]
            parts.append(
                f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 4}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(run.prompt_version)} {group} F1 {v:.3f}</title></rect>'
            )
            parts.append(
                f'<text x="{x + (bar_w - 4) / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                f'class="value">{v:.2f}</text>'
            )
        label_x = x0 + bar_w * len(runs) / 2
        parts.append(f'<text x="{label_x:.1f}" y="{top + plot_h + 18}" text-anchor="middle">{group}</text>')
    legend_x = left + group_w * len(groups) + 16
    for ri, run in enumerate(runs):
        colour = _PROMPT_COLOURS[ri % len(_PROMPT_COLOURS)]
        y = top + 10 + ri * 20
        parts.append(f'<rect x="{legend_x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{legend_x + 18}" y="{y}">{escape(run.prompt_version)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# --- the page ----------------------------------------------------------------------------------------


def render_report(comparison: Comparison, golds: list[GoldArticle]) -> str:
    env = Environment(loader=PackageLoader("extractor.evaluation", "templates"), autoescape=True)
    runs = comparison.runs
    # Candidate first in each article: it is what a reviewer is judging.
    ordered = list(reversed(runs))
    baseline = comparison.baseline
    articles = [
        ArticleView(
            g.article_id,
            g.stem,
            g.notes,
            [run_view(g, run) for run in ordered],
            set_name=g.set_name,
            diff=article_diff(g, comparison.candidate, baseline) if baseline is not None else None,
        )
        for g in golds
    ]
    # Worst first: the articles a reviewer of a prompt change must look at before any average.
    regressions = sorted(
        (a for a in articles if a.diff is not None and a.diff.delta < 0),
        key=lambda a: a.diff.delta if a.diff else 0,
    )
    header, rows = comparison_cells(comparison)
    return env.get_template("report.html.j2").render(
        generated=datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        comparison=comparison,
        runs=runs,
        header=header,
        rows=rows,
        chart=f1_chart(runs),
        articles=articles,
        regressions=regressions,
        sets=sorted({a.set_name for a in articles}),
        item_types=ITEM_TYPES,
        script=Markup(_FILTER_SCRIPT),
    )


# Filters act on data-type (item rows and diff lines) and data-set (article sections); no library.
_FILTER_SCRIPT = """
(function () {
  var typeBox = document.getElementById("filter-type");
  var setBox = document.getElementById("filter-set");
  var changedBox = document.getElementById("filter-changed");
  function apply() {
    var type = typeBox.value, set = setBox.value, changed = changedBox.checked;
    document.querySelectorAll("[data-type]").forEach(function (row) {
      row.hidden = type !== "" && row.getAttribute("data-type") !== type;
    });
    var shown = 0;
    document.querySelectorAll("section.article").forEach(function (section) {
      var off = (set !== "" && section.getAttribute("data-set") !== set) ||
        (changed && section.getAttribute("data-changed") !== "yes");
      section.hidden = off;
      if (!off) { shown += 1; }
    });
    document.querySelectorAll("#regressions li").forEach(function (li) {
      li.hidden = set !== "" && li.getAttribute("data-set") !== set;
    });
    document.getElementById("filter-count").textContent = shown + " article(s) shown";
  }
  [typeBox, setBox, changedBox].forEach(function (box) { box.addEventListener("change", apply); });
  apply();
})();
"""


def write_report(comparison: Comparison, golds: list[GoldArticle], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(comparison, golds), encoding="utf-8")
