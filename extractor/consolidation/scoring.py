"""Scoring a predicted timeline against a gold one.

Events: a predicted and a gold event match when they are of one kind, share an actor (any names of
the two merged actors are ``same_person``), their places are compatible and their dates compatible
at their precisions (the same rules consolidation merges by). Matching is one-to-one and maximal;
among maximal matchings the one with the most exact dates and shared supporting articles wins.
Precision, recall and F1 are reported over all events and per kind.

Actors: the (article, per-article actor) mentions of the two timelines are aligned article by article
by name (the two timelines may come from different extractions, with different per-article ids),
then B-cubed and pairwise precision/recall/F1 measure how the predicted merged actors cluster the
aligned mentions compared with the gold ones. Mentions that align with nothing are counted, not scored.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from itertools import combinations
from typing import Any, TypeVar

import numpy as np
from scipy.optimize import linear_sum_assignment

from extractor.consolidation.events import VISIT_DAY_TOLERANCE, participants_compatible
from extractor.consolidation.model import MeetingEvent, Timeline, VisitEvent
from extractor.consolidation.places import PlaceKey, place_key, places_compatible
from extractor.core.names import normalize_name, same_person
from extractor.core.partial_dates import Span, span, spans_compatible

TimelineLike = Timeline | Mapping[str, Any]
T = TypeVar("T")
U = TypeVar("U")


def _timeline(value: TimelineLike) -> Timeline:
    return value if isinstance(value, Timeline) else Timeline.model_validate(value)


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    precision = tp / n_pred if n_pred else (1.0 if n_gold == 0 else 0.0)
    recall = tp / n_gold if n_gold else (1.0 if n_pred == 0 else 0.0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": n_pred - tp,
        "fn": n_gold - tp,
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def _assign(left: Sequence[T], right: Sequence[U], weight: Callable[[T, U], float]) -> list[tuple[int, int]]:
    """Maximum-weight one-to-one matching; pairs of weight 0 are not matches."""
    if not left or not right:
        return []
    matrix = np.array([[weight(a, b) for b in right] for a in left], dtype=float)
    rows, cols = linear_sum_assignment(matrix, maximize=True)
    return sorted((int(r), int(c)) for r, c in zip(rows, cols, strict=True) if matrix[r, c] > 0)


# --- events -----------------------------------------------------------------------------------

Event = VisitEvent | MeetingEvent


def _names(t: Timeline) -> dict[str, list[str]]:
    return {a.id: list(dict.fromkeys([a.name, *a.names])) for a in t.actors}


def _span(e: Event) -> Span | None:
    end = e.end_date.date if isinstance(e, VisitEvent) and e.end_date is not None else None
    return span(e.date.date, end)


def _place(e: Event) -> PlaceKey | None:
    if isinstance(e, VisitEvent):
        return place_key(e.destination)
    return place_key(e.location) if e.location is not None else None


def _actors(e: Event) -> list[str]:
    return e.visitor_ids if isinstance(e, VisitEvent) else e.participant_ids


class _EventMatcher:
    def __init__(self, pred: Timeline, gold: Timeline) -> None:
        pred_names, gold_names = _names(pred), _names(gold)
        # Which gold actors each predicted actor could be, by any pair of their names.
        self.same: dict[str, set[str]] = {
            p: {g for g, gn in gold_names.items() if any(same_person(x, y) for x in pn for y in gn)}
            for p, pn in pred_names.items()
        }

    def _mapped(self, pred_ids: list[str]) -> frozenset[str]:
        out: set[str] = set()
        for p in pred_ids:
            out |= self.same.get(p, set()) or {f"unmatched:{p}"}
        return frozenset(out)

    def compatible(self, p: Event, g: Event) -> bool:
        if p.kind != g.kind or not places_compatible(_place(p), _place(g)):
            return False
        mapped, gold_actors = self._mapped(_actors(p)), frozenset(_actors(g))
        if isinstance(p, VisitEvent):
            return bool(mapped & gold_actors) and spans_compatible(
                _span(p), _span(g), day_tolerance=VISIT_DAY_TOLERANCE
            )
        return participants_compatible(mapped, gold_actors) and spans_compatible(_span(p), _span(g))

    def weight(self, p: Event, g: Event, base: float) -> float:
        if not self.compatible(p, g):
            return 0.0
        exact_date = p.date == g.date
        pa, ga = {s.article_id for s in p.supports}, {s.article_id for s in g.supports}
        overlap = len(pa & ga) / len(pa | ga) if pa | ga else 0.0
        return base + exact_date + overlap


def _event_scores(pred: Timeline, gold: Timeline) -> dict[str, Any]:
    matcher = _EventMatcher(pred, gold)
    # The base outweighs every tie-breaker summed, so the matching is maximal first.
    base = 3.0 * (min(len(pred.events), len(gold.events)) + 1)
    pairs = _assign(pred.events, gold.events, lambda p, g: matcher.weight(p, g, base))
    matched = [(pred.events[i], gold.events[j]) for i, j in pairs]
    result: dict[str, Any] = {"events": _prf(len(matched), len(pred.events), len(gold.events))}
    for kind in ("visit", "meeting"):
        result[f"{kind}s"] = _prf(
            sum(1 for p, _ in matched if p.kind == kind),
            sum(1 for e in pred.events if e.kind == kind),
            sum(1 for e in gold.events if e.kind == kind),
        )
    gold_articles = sum(len({s.article_id for s in g.supports}) for _, g in matched)
    found_articles = sum(
        len({s.article_id for s in g.supports} & {s.article_id for s in p.supports}) for p, g in matched
    )
    result["matched_date_exact"] = (
        sum(p.date == g.date for p, g in matched) / len(matched) if matched else None
    )
    result["matched_support_article_recall"] = found_articles / gold_articles if gold_articles else None
    matched_pred = {p.id for p, _ in matched}
    matched_gold = {g.id for _, g in matched}
    result["matches"] = [[p.id, g.id] for p, g in matched]
    result["unmatched_pred"] = [e.id for e in pred.events if e.id not in matched_pred]
    result["unmatched_gold"] = [e.id for e in gold.events if e.id not in matched_gold]
    return result


# --- actors -----------------------------------------------------------------------------------

Item = tuple[str, str, str, str]  # article id, per-article actor id, name, merged actor id


def _items(t: Timeline) -> list[Item]:
    return [(m.article_id, m.actor_id, m.name, a.id) for a in t.actors for m in a.mentions]


def _alignment_weight(p: Item, g: Item) -> float:
    if not same_person(p[2], g[2]):
        return 0.0
    return 1.0 + (normalize_name(p[2]) == normalize_name(g[2])) + (p[1] == g[1])


def _align(pred: list[Item], gold: list[Item]) -> list[tuple[Item, Item]]:
    aligned: list[tuple[Item, Item]] = []
    for article in sorted({i[0] for i in pred} & {i[0] for i in gold}):
        ps = [i for i in pred if i[0] == article]
        gs = [i for i in gold if i[0] == article]
        aligned += [(ps[a], gs[b]) for a, b in _assign(ps, gs, _alignment_weight)]
    return aligned


def _bcubed(aligned: list[tuple[Item, Item]]) -> dict[str, float]:
    if not aligned:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    precision = recall = 0.0
    for p, g in aligned:
        same_pred = {k for k, (p2, _) in enumerate(aligned) if p2[3] == p[3]}
        same_gold = {k for k, (_, g2) in enumerate(aligned) if g2[3] == g[3]}
        both = len(same_pred & same_gold)
        precision += both / len(same_pred)
        recall += both / len(same_gold)
    precision /= len(aligned)
    recall /= len(aligned)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / (precision + recall)}


def _pairwise(aligned: list[tuple[Item, Item]]) -> dict[str, float]:
    same_pred = same_gold = both = 0
    for (p1, g1), (p2, g2) in combinations(aligned, 2):
        sp, sg = p1[3] == p2[3], g1[3] == g2[3]
        same_pred += sp
        same_gold += sg
        both += sp and sg
    # No pair merged on a side means that side made no merge errors of that type.
    precision = both / same_pred if same_pred else 1.0
    recall = both / same_gold if same_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def _actor_scores(pred: Timeline, gold: Timeline) -> dict[str, Any]:
    pred_items, gold_items = _items(pred), _items(gold)
    aligned = _align(pred_items, gold_items)
    return {
        "bcubed": _bcubed(aligned),
        "pairwise": _pairwise(aligned),
        "aligned_mentions": len(aligned),
        "pred_only_mentions": len(pred_items) - len(aligned),
        "gold_only_mentions": len(gold_items) - len(aligned),
    }


def score_timeline(pred: TimelineLike, gold: TimelineLike) -> dict[str, Any]:
    """Event-level P/R/F1 and actor-merge quality of ``pred`` against ``gold`` (JSON-serializable)."""
    p, g = _timeline(pred), _timeline(gold)
    return {**_event_scores(p, g), "actors": _actor_scores(p, g)}
