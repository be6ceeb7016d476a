"""One-to-one alignment of predicted items with gold items, per type.

Each type has a pair score in [0, 1] (plus small tie-breakers) and gates that make a pair
ineligible. The score matrix, with ineligible pairs set to 0, goes to the Hungarian algorithm
(``scipy.optimize.linear_sum_assignment``, maximizing the total score), and a pair it picks counts
as a match only when it passed the gates. Ineligible pairs are zeroed *before* the assignment, so the
solver never trades one eligible match for two ineligible ones.

Rules (kept in step with evals/README.md):

- Actors: the best ``extractor.core.names.name_similarity`` over every (name or alias) of the
  prediction and every (name or alias) of the gold actor. It is 1.0 when ``same_person`` holds
  (transliteration variants, ``al-`` particles and titles are folded), else 0.9 x Jaro-Winkler of the
  normalized names. Eligible at >= ``ACTOR_MIN_SCORE`` (0.85), so "Iran"/"Iraq" or two people who share
  only a given name do not match. Tie-breaker: +0.01 when the kinds agree.
- The actor alignment gives a map from predicted actor ids to gold actor ids; every other type
  compares actor references through it. An unaligned predicted actor id equals no gold id.
- Visits: eligible when the mapped visitor sets overlap (Jaccard > 0), the destinations are similar
  (``place_similarity`` >= 0.5) and both the arrival and the departure dates are compatible. Score:
  mean of the visitor Jaccard and the destination similarity; tie-breaker +0.01 when the arrival dates
  are equal.
- Meetings: eligible when the mapped participant sets have Jaccard >= ``MEETING_MIN_JACCARD`` (0.5;
  one shared principal such as {Qaani, A} vs {Qaani, B} is 1/3 and does not match) and the dates are
  compatible. Score: the Jaccard; tie-breakers for similar location and equal date.
- Claims, strict (the contract's rule: a claim is who said what). A pair is *located* when the content
  agrees: the evidence overlaps (character IoU of the union of evidence spans >= ``CLAIM_MIN_IOU``,
  0.5) or the statements are similar (rapidfuzz ``token_sort_ratio`` on folded text >=
  ``CLAIM_MIN_STATEMENT``, 0.6). A located pair is a *match* only when the speaker is right: the
  prediction's ``speaker_id`` maps to the gold speaker, or to one of the gold claim's recorded
  ``speaker_alternatives`` (``None`` included: an anonymous gold claim needs a prediction without a
  speaker), and the prediction does not name the publishing outlet as its ``source``. Source strings
  and attributions never make a pair match. Located pairs are assigned first by speaker rightness
  (+1), then by content score, so the solver prefers right-speaker pairs; speaker accuracy is reported
  over every located pair, and a located pair with the wrong speaker counts as a false positive and
  a false negative.

Dates are compatible when either is unknown (no ``When`` or no date) or one date string is a prefix of
the other: "2025-05" is compatible with "2025-05-14" but not with "2025-06"; the contract ties the
string length to the precision, so this compares the dates at the coarser of their precisions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from rapidfuzz import fuzz
from scipy.optimize import linear_sum_assignment

from extractor.core.contract import Actor, ArticleExtraction, Claim, Evidence, Meeting, Visit, When
from extractor.core.names import fold, name_similarity
from extractor.core.partial_dates import compatible
from extractor.core.places import place_similarity

ACTOR_MIN_SCORE = 0.85
PLACE_MIN_SCORE = 0.5
MEETING_MIN_JACCARD = 0.5
CLAIM_MIN_IOU = 0.5
CLAIM_MIN_STATEMENT = 0.6
# Tie-breakers are small enough that they never outweigh a difference in the main score.
_TIE = 0.01

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Pair:
    pred: int
    gold: int
    score: float


@dataclass(frozen=True)
class TypeAlignment:
    """Index-based: ``pred``/``gold`` index into the type's list in the prediction / gold."""

    pairs: tuple[Pair, ...] = ()
    unmatched_pred: tuple[int, ...] = ()
    unmatched_gold: tuple[int, ...] = ()


@dataclass(frozen=True)
class ArticleAlignment:
    actors: TypeAlignment
    visits: TypeAlignment
    meetings: TypeAlignment
    # Strict: located claims whose speaker (and source) are right.
    claims: TypeAlignment
    # Predicted actor id -> gold actor id, for aligned actors only.
    actor_map: dict[str, str] = field(default_factory=dict[str, str])
    # Every claim pair whose content agrees, right speaker or not (speaker accuracy is read here).
    claims_located: TypeAlignment = field(default_factory=TypeAlignment)

    def by_type(self, item_type: str) -> TypeAlignment:
        alignment: TypeAlignment = getattr(self, item_type)
        return alignment


# --- generic assignment -------------------------------------------------------------------------


def assign(preds: Sequence[T], golds: Sequence[U], similarity: Callable[[T, U], float]) -> TypeAlignment:
    """Maximum-total-score one-to-one matching; ``similarity`` returns 0 for ineligible pairs."""
    if not preds or not golds:
        return TypeAlignment(unmatched_pred=tuple(range(len(preds))), unmatched_gold=tuple(range(len(golds))))
    scores = np.array([[similarity(p, g) for g in golds] for p in preds], dtype=float)
    rows, cols = linear_sum_assignment(scores, maximize=True)
    pairs = tuple(
        Pair(int(r), int(c), float(scores[r, c])) for r, c in zip(rows, cols, strict=True) if scores[r, c] > 0
    )
    matched_pred = {p.pred for p in pairs}
    matched_gold = {p.gold for p in pairs}
    return TypeAlignment(
        pairs=tuple(sorted(pairs, key=lambda p: p.gold)),
        unmatched_pred=tuple(i for i in range(len(preds)) if i not in matched_pred),
        unmatched_gold=tuple(i for i in range(len(golds)) if i not in matched_gold),
    )


# --- building blocks ----------------------------------------------------------------------------


def dates_compatible(a: When | None, b: When | None) -> bool:
    return compatible(a.date if a is not None else None, b.date if b is not None else None)


def same_when(a: When | None, b: When | None) -> bool:
    """Exact date equality including precision; a missing ``When`` equals an unknown one."""
    da, pa = (a.date, a.precision) if a is not None else (None, "unknown")
    db, pb = (b.date, b.precision) if b is not None else (None, "unknown")
    return da == db and pa == pb


def jaccard(a: set[str], b: set[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def map_ids(ids: Sequence[str], actor_map: dict[str, str]) -> set[str]:
    # An unaligned predicted id is kept in a namespace no gold id lives in.
    return {actor_map.get(i, f"unaligned:{i}") for i in ids}


def _spans(evidence: Sequence[Evidence]) -> set[int]:
    covered: set[int] = set()
    for ev in evidence:
        covered.update(range(ev.start, ev.end))
    return covered


def evidence_iou(a: Sequence[Evidence], b: Sequence[Evidence]) -> float:
    """Character-offset IoU of the union of each side's spans; 0 when either has none."""
    sa, sb = _spans(a), _spans(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def text_similarity(a: str, b: str) -> float:
    return float(fuzz.token_sort_ratio(fold(a), fold(b))) / 100


# --- per-type similarities ----------------------------------------------------------------------


def actor_similarity(pred: Actor, gold: Actor) -> float:
    best = max(name_similarity(p, g) for p in (pred.name, *pred.aliases) for g in (gold.name, *gold.aliases))
    if best < ACTOR_MIN_SCORE:
        return 0.0
    return best + (_TIE if pred.kind == gold.kind else 0.0)


def visit_similarity(pred: Visit, gold: Visit, actor_map: dict[str, str]) -> float:
    if not (
        dates_compatible(pred.arrival, gold.arrival) and dates_compatible(pred.departure, gold.departure)
    ):
        return 0.0
    visitors = jaccard(map_ids(pred.visitor_ids, actor_map), set(gold.visitor_ids))
    place = place_similarity(pred.destination, gold.destination)
    if visitors == 0 or place < PLACE_MIN_SCORE:
        return 0.0
    return (visitors + place) / 2 + (_TIE if same_when(pred.arrival, gold.arrival) else 0.0)


def meeting_similarity(pred: Meeting, gold: Meeting, actor_map: dict[str, str]) -> float:
    if not dates_compatible(pred.date, gold.date):
        return 0.0
    participants = jaccard(map_ids(pred.participant_ids, actor_map), set(gold.participant_ids))
    if participants < MEETING_MIN_JACCARD:
        return 0.0
    bonus = _TIE * place_similarity(pred.location, gold.location)
    bonus += _TIE if same_when(pred.date, gold.date) else 0.0
    return participants + bonus


def names_outlet(source: str, outlet: str | None) -> bool:
    """Whether a claim's ``source`` names the outlet publishing the article ("Shafaq News")."""
    if not outlet:
        return False
    outlet_tokens = set(fold(outlet).split())
    source_tokens = set(fold(source).split())
    return bool(outlet_tokens) and (
        outlet_tokens <= source_tokens or fuzz.token_set_ratio(fold(source), fold(outlet)) >= 90
    )


def claim_content_score(pred: Claim, gold: Claim) -> float:
    """How well the content agrees (evidence overlap or statement); 0 when it does not locate."""
    iou = evidence_iou(pred.evidence, gold.evidence)
    statement = text_similarity(pred.statement, gold.statement)
    if iou < CLAIM_MIN_IOU and statement < CLAIM_MIN_STATEMENT:
        return 0.0
    return max(iou, statement)


def speaker_right(
    pred: Claim, gold: Claim, actor_map: dict[str, str], alternatives: frozenset[str | None] = frozenset()
) -> bool:
    """The prediction's speaker is the gold speaker or a recorded alternative (None = no speaker)."""
    allowed = {gold.speaker_id, *alternatives}
    speaker = (
        None if pred.speaker_id is None else actor_map.get(pred.speaker_id, f"unaligned:{pred.speaker_id}")
    )
    return speaker in allowed


def claim_right(
    pred: Claim,
    gold: Claim,
    actor_map: dict[str, str],
    alternatives: frozenset[str | None] = frozenset(),
    outlet: str | None = None,
) -> bool:
    return speaker_right(pred, gold, actor_map, alternatives) and not names_outlet(pred.source, outlet)


def claim_similarity(
    pred: Claim,
    gold: Claim,
    actor_map: dict[str, str],
    alternatives: frozenset[str | None] = frozenset(),
    outlet: str | None = None,
) -> float:
    """Assignment score of a located pair: +1 when it is right, so right pairs are preferred."""
    content = claim_content_score(pred, gold)
    if content == 0:
        return 0.0
    return content + (1.0 if claim_right(pred, gold, actor_map, alternatives, outlet) else 0.0)


# --- the article ----------------------------------------------------------------------------------


def align_articles(
    pred: ArticleExtraction,
    gold: ArticleExtraction,
    speaker_alternatives: Mapping[str, frozenset[str | None]] | None = None,
) -> ArticleAlignment:
    """``speaker_alternatives``: gold claim id -> other accepted speakers (see gold.py)."""
    alternatives = speaker_alternatives or {}
    outlet = gold.article.source
    actors = assign(pred.actors, gold.actors, actor_similarity)
    actor_map = {pred.actors[p.pred].id: gold.actors[p.gold].id for p in actors.pairs}
    located = assign(
        pred.claims,
        gold.claims,
        lambda p, g: claim_similarity(p, g, actor_map, alternatives.get(g.id, frozenset()), outlet),
    )
    right = tuple(
        pair
        for pair in located.pairs
        if claim_right(
            pred.claims[pair.pred],
            gold.claims[pair.gold],
            actor_map,
            alternatives.get(gold.claims[pair.gold].id, frozenset()),
            outlet,
        )
    )
    right_pred, right_gold = {p.pred for p in right}, {p.gold for p in right}
    claims = TypeAlignment(
        pairs=right,
        unmatched_pred=tuple(i for i in range(len(pred.claims)) if i not in right_pred),
        unmatched_gold=tuple(i for i in range(len(gold.claims)) if i not in right_gold),
    )
    return ArticleAlignment(
        actors=actors,
        visits=assign(pred.visits, gold.visits, lambda p, g: visit_similarity(p, g, actor_map)),
        meetings=assign(pred.meetings, gold.meetings, lambda p, g: meeting_similarity(p, g, actor_map)),
        claims=claims,
        actor_map=actor_map,
        claims_located=located,
    )
