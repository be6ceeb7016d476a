"""Field-level scores of predicted extractions against gold, per article and over a set of articles.

Pure functions over contract models: no I/O, no model calls. Alignment rules are in ``align``.

Conventions (kept in step with evals/README.md):

- Item counts per type: a matched pair is a true positive, an unmatched prediction a false positive,
  an unmatched gold item a false negative. Precision = tp / (tp + fp), recall = tp / (tp + fn),
  F1 = 2 tp / (2 tp + fp + fn).
- 0/0: when a type has nothing in gold and nothing predicted (tp = fp = fn = 0) its precision, recall
  and F1 are 1.0 (nothing to find, nothing wrongly found). Any other zero denominator gives 0.0, so an
  empty prediction against non-empty gold has precision 0, recall 0, F1 0, and a spurious-only
  prediction against empty gold has precision 0 and recall 0.
- Micro: the four types' counts pooled, then P/R/F1. Macro: mean of the per-type F1 over the types
  that have any gold or predicted item (1.0 when there are none).
- Field accuracy: over matched pairs only, the fraction whose field equals gold. Dates compare exactly,
  precision included (a missing ``When`` equals an unknown one); actor-id sets compare through the
  actor alignment, so a visitor that is not an aligned actor makes the set wrong. ``None`` when no
  pair has that field (e.g. no matched visits). Claim speaker and attribution are read over the
  *located* claim pairs (content agrees, speaker right or not; see ``align``), since a strict match
  has the right speaker by definition; a speaker is right when it is the gold speaker or a recorded
  alternative.
- Outlet claims: predicted claims whose ``source`` names the outlet publishing the article, which
  the contract never allows (what sources told the outlet is theirs); reported as a count.
- Grounding rate: the fraction of predicted evidence spans with ``text[start:end] == evidence.text``;
  ``None`` when the predictions carry no evidence at all.
- Schema-valid rate: the fraction of articles whose prediction validated. A failed article (the
  pipeline raised, or its output did not re-validate) scores as an empty prediction and as invalid.
- Tokens and time: ``meta.usage`` and ``meta.duration_s`` summed over the valid predictions, plus the
  caller-measured time of failed articles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from extractor.core.contract import ArticleExtraction, Evidence, Meta
from extractor.evaluation.align import (
    ArticleAlignment,
    align_articles,
    map_ids,
    names_outlet,
    same_when,
    speaker_right,
)

ITEM_TYPES: tuple[str, ...] = ("actors", "visits", "meetings", "claims")

# Field name -> the group it is reported under in summaries.
FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "date": ("visit.arrival", "visit.departure", "meeting.date"),
    "disclosure": ("visit.disclosure",),
    "status": ("visit.status", "meeting.status"),
    "attribution": ("claim.attribution",),
    "speaker": ("claim.speaker",),
    "visitors": ("visit.visitors",),
    "participants": ("meeting.participants",),
    "kind": ("actor.kind",),
}
FIELDS: tuple[str, ...] = tuple(f for fields in FIELD_GROUPS.values() for f in fields)


@dataclass(frozen=True)
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def empty(self) -> bool:
        return self.tp == self.fp == self.fn == 0

    @property
    def precision(self) -> float:
        if self.empty:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        if self.empty:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return f1_score(self.tp, self.fp, self.fn)


def f1_score(tp: int, fp: int, fn: int) -> float:
    if tp == fp == fn == 0:
        return 1.0
    return 2 * tp / (2 * tp + fp + fn)


@dataclass(frozen=True)
class Tally:
    correct: int = 0
    total: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.correct + other.correct, self.total + other.total)

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.total if self.total else None


@dataclass(frozen=True)
class FieldCheck:
    """One field of one matched pair: ``item_type`` list indices into prediction and gold."""

    item_type: str
    pred_index: int
    gold_index: int
    field: str
    correct: bool


@dataclass(frozen=True)
class ArticleScore:
    article_id: str
    valid: bool
    counts: dict[str, Counts]
    checks: tuple[FieldCheck, ...]
    evidence_spans: int
    grounded_spans: int
    prompt_tokens: int
    completion_tokens: int
    duration_s: float
    alignment: ArticleAlignment
    # The prediction actually scored (an empty one for a failed article).
    prediction: ArticleExtraction
    set_name: str = ""
    outlet_claims: int = 0

    @property
    def fields(self) -> dict[str, Tally]:
        return field_tallies(self.checks)


def field_tallies(checks: Iterable[FieldCheck]) -> dict[str, Tally]:
    tallies = {name: Tally() for name in FIELDS}
    for check in checks:
        tallies[check.field] = tallies[check.field] + Tally(int(check.correct), 1)
    return tallies


def empty_prediction(gold: ArticleExtraction) -> ArticleExtraction:
    return ArticleExtraction(article=gold.article, meta=Meta(model="none", prompt_version="none"))


def _field_checks(
    pred: ArticleExtraction,
    gold: ArticleExtraction,
    alignment: ArticleAlignment,
    speaker_alternatives: Mapping[str, frozenset[str | None]],
) -> list[FieldCheck]:
    amap = alignment.actor_map
    checks: list[FieldCheck] = []

    def add(item_type: str, p: int, g: int, name: str, ok: bool) -> None:
        checks.append(FieldCheck(item_type, p, g, name, ok))

    for pair in alignment.actors.pairs:
        add(
            "actors",
            pair.pred,
            pair.gold,
            "actor.kind",
            pred.actors[pair.pred].kind == gold.actors[pair.gold].kind,
        )
    for pair in alignment.visits.pairs:
        pv, gv = pred.visits[pair.pred], gold.visits[pair.gold]
        add("visits", pair.pred, pair.gold, "visit.arrival", same_when(pv.arrival, gv.arrival))
        add("visits", pair.pred, pair.gold, "visit.departure", same_when(pv.departure, gv.departure))
        add("visits", pair.pred, pair.gold, "visit.disclosure", pv.disclosure == gv.disclosure)
        add("visits", pair.pred, pair.gold, "visit.status", pv.status == gv.status)
        add(
            "visits",
            pair.pred,
            pair.gold,
            "visit.visitors",
            map_ids(pv.visitor_ids, amap) == set(gv.visitor_ids),
        )
    for pair in alignment.meetings.pairs:
        pm, gm = pred.meetings[pair.pred], gold.meetings[pair.gold]
        add("meetings", pair.pred, pair.gold, "meeting.date", same_when(pm.date, gm.date))
        add("meetings", pair.pred, pair.gold, "meeting.status", pm.status == gm.status)
        participants_ok = map_ids(pm.participant_ids, amap) == set(gm.participant_ids)
        add("meetings", pair.pred, pair.gold, "meeting.participants", participants_ok)
    for pair in alignment.claims_located.pairs:
        pc, gc = pred.claims[pair.pred], gold.claims[pair.gold]
        add("claims", pair.pred, pair.gold, "claim.attribution", pc.attribution == gc.attribution)
        alternatives = speaker_alternatives.get(gc.id, frozenset())
        add("claims", pair.pred, pair.gold, "claim.speaker", speaker_right(pc, gc, amap, alternatives))
    return checks


def all_evidence(extraction: ArticleExtraction) -> list[Evidence]:
    return [
        ev
        for items in (extraction.actors, extraction.visits, extraction.meetings, extraction.claims)
        for item in items
        for ev in item.evidence
    ]


def is_grounded(evidence: Evidence, article_text: str) -> bool:
    return article_text[evidence.start : evidence.end] == evidence.text


def score_article(
    prediction: ArticleExtraction | None,
    gold: ArticleExtraction,
    article_text: str,
    *,
    duration_s: float = 0.0,
    speaker_alternatives: Mapping[str, frozenset[str | None]] | None = None,
    set_name: str = "",
) -> ArticleScore:
    """Score one article. ``prediction=None`` is a failed article: empty and invalid.

    ``duration_s`` is the caller-measured time, used only when there is no prediction meta to read.
    ``speaker_alternatives``: gold claim id -> other speakers the gold accepts (``GoldArticle``).
    """
    valid = prediction is not None
    pred = prediction if prediction is not None else empty_prediction(gold)
    alternatives = speaker_alternatives or {}
    alignment = align_articles(pred, gold, alternatives)
    counts: dict[str, Counts] = {}
    for item_type in ITEM_TYPES:
        a = alignment.by_type(item_type)
        counts[item_type] = Counts(len(a.pairs), len(a.unmatched_pred), len(a.unmatched_gold))
    evidence = all_evidence(pred)
    usage = pred.meta.usage
    return ArticleScore(
        article_id=gold.article.id,
        valid=valid,
        counts=counts,
        checks=tuple(_field_checks(pred, gold, alignment, alternatives)),
        evidence_spans=len(evidence),
        grounded_spans=sum(is_grounded(ev, article_text) for ev in evidence),
        prompt_tokens=usage.prompt_tokens if valid else 0,
        completion_tokens=usage.completion_tokens if valid else 0,
        duration_s=pred.meta.duration_s if valid else duration_s,
        alignment=alignment,
        prediction=pred,
        set_name=set_name,
        outlet_claims=sum(names_outlet(c.source, gold.article.source) for c in pred.claims),
    )


# --- aggregation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalScores:
    n_articles: int
    per_type: dict[str, Counts]
    fields: dict[str, Tally]
    evidence_spans: int
    grounded_spans: int
    valid_articles: int
    prompt_tokens: int
    completion_tokens: int
    duration_s: float
    failed_articles: tuple[str, ...] = field(default_factory=tuple)
    outlet_claims: int = 0

    @property
    def micro(self) -> Counts:
        total = Counts()
        for c in self.per_type.values():
            total = total + c
        return total

    @property
    def macro_f1(self) -> float:
        return macro_f1(self.per_type)

    @property
    def field_accuracy(self) -> dict[str, float | None]:
        return {name: tally.accuracy for name, tally in self.fields.items()}

    @property
    def group_accuracy(self) -> dict[str, float | None]:
        result: dict[str, float | None] = {}
        for group, names in FIELD_GROUPS.items():
            tally = Tally()
            for name in names:
                tally = tally + self.fields[name]
            result[group] = tally.accuracy
        return result

    @property
    def grounding_rate(self) -> float | None:
        return self.grounded_spans / self.evidence_spans if self.evidence_spans else None

    @property
    def schema_valid_rate(self) -> float:
        return self.valid_articles / self.n_articles if self.n_articles else 1.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def as_dict(self) -> dict[str, object]:
        def prf(c: Counts) -> dict[str, float | int]:
            return {
                "tp": c.tp,
                "fp": c.fp,
                "fn": c.fn,
                "precision": c.precision,
                "recall": c.recall,
                "f1": c.f1,
            }

        return {
            "n_articles": self.n_articles,
            "per_type": {t: prf(c) for t, c in self.per_type.items()},
            "micro": prf(self.micro),
            "macro_f1": self.macro_f1,
            "field_accuracy": self.field_accuracy,
            "field_group_accuracy": self.group_accuracy,
            "grounding_rate": self.grounding_rate,
            "evidence_spans": self.evidence_spans,
            "schema_valid_rate": self.schema_valid_rate,
            "failed_articles": list(self.failed_articles),
            "outlet_claims": self.outlet_claims,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "duration_s": self.duration_s,
        }


def macro_f1(per_type: dict[str, Counts]) -> float:
    present = [c.f1 for c in per_type.values() if not c.empty]
    return sum(present) / len(present) if present else 1.0


def aggregate(scores: Sequence[ArticleScore]) -> EvalScores:
    def total(get: Callable[[ArticleScore], int]) -> int:
        return sum(get(s) for s in scores)

    per_type = {t: Counts() for t in ITEM_TYPES}
    fields = {name: Tally() for name in FIELDS}
    for s in scores:
        for t in ITEM_TYPES:
            per_type[t] = per_type[t] + s.counts[t]
        for name, tally in s.fields.items():
            fields[name] = fields[name] + tally
    return EvalScores(
        n_articles=len(scores),
        per_type=per_type,
        fields=fields,
        evidence_spans=total(lambda s: s.evidence_spans),
        grounded_spans=total(lambda s: s.grounded_spans),
        valid_articles=sum(s.valid for s in scores),
        prompt_tokens=total(lambda s: s.prompt_tokens),
        completion_tokens=total(lambda s: s.completion_tokens),
        duration_s=sum(s.duration_s for s in scores),
        failed_articles=tuple(s.article_id for s in scores if not s.valid),
        outlet_claims=total(lambda s: s.outlet_claims),
    )
