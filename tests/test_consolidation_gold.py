"""Consolidating the five hand-labelled article gold files must reproduce the hand-made gold timeline.

evals/gold/seeds/timeline.json was written by reading the article gold files (its "notes" give the
judgement calls), not by running the consolidation. The comparison covers what defines a correct
consolidation and nothing presentational:

- merged actors: which (article, actor id) mentions each one groups, every name seen, and its kind
  (not the display name, titles or affiliations);
- events, in timeline order: id, kind, their actors (as the mention groups above, so the P numbering
  is not what is tested), destination or location, date and precision, departure, status,
  disclosure (visits), private (meetings), the supporting (article id, item id) pairs, conflicts,
  the visit/meeting links and possibly_same_as.

Not compared: evidence spans, claims, purposes and topics (copied from the articles, not decided
by consolidation).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extractor.consolidation import consolidate, load_extractions, score_timeline
from extractor.consolidation.model import Timeline, VisitEvent
from extractor.core.contract import Place

GOLD = Path(__file__).resolve().parents[1] / "evals" / "gold" / "seeds"


def _article_gold() -> list[Path]:
    files = sorted(p for p in GOLD.glob("*.json") if p.name != "timeline.json")
    assert len(files) == 5, f"expected the five seed gold files in {GOLD}"
    return files


def _gold_timeline() -> Timeline:
    return Timeline.model_validate_json((GOLD / "timeline.json").read_text(encoding="utf-8"))


def _mention_groups(t: Timeline) -> dict[str, tuple[tuple[str, str], ...]]:
    return {a.id: tuple(sorted((m.article_id, m.actor_id) for m in a.mentions)) for a in t.actors}


def _actors(t: Timeline) -> list[tuple[Any, ...]]:
    groups = _mention_groups(t)
    return sorted((groups[a.id], tuple(sorted(a.names)), a.kind) for a in t.actors)


def _place(p: Place | None) -> tuple[str, str | None] | None:
    return None if p is None else (p.name, p.country)


def _events(t: Timeline) -> list[dict[str, Any]]:
    groups = _mention_groups(t)
    out: list[dict[str, Any]] = []
    for e in t.events:
        row: dict[str, Any] = {
            "id": e.id,
            "kind": e.kind,
            "date": (e.date.date, e.date.precision),
            "status": e.status,
            "supports": [(s.article_id, s.item_id) for s in e.supports],
            "conflicts": [
                (c.field, [(v.value, [(s.article_id, s.item_id) for s in v.supports]) for v in c.values])
                for c in e.conflicts
            ],
            "possibly_same_as": e.possibly_same_as,
        }
        if isinstance(e, VisitEvent):
            row |= {
                "actors": sorted(groups[p] for p in e.visitor_ids),
                "place": _place(e.destination),
                "end": None if e.end_date is None else (e.end_date.date, e.end_date.precision),
                "disclosure": e.disclosure,
                "meeting_ids": e.meeting_ids,
            }
        else:
            row |= {
                "actors": sorted(groups[p] for p in e.participant_ids),
                "place": _place(e.location),
                "private": e.private,
                "visit_id": e.visit_id,
            }
        out.append(row)
    return out


def test_gold_timeline_is_a_valid_timeline_with_notes() -> None:
    raw = json.loads((GOLD / "timeline.json").read_text(encoding="utf-8"))
    assert raw["notes"], "the gold timeline should say how it was made"
    gold = _gold_timeline()
    assert {a.id for a in gold.articles} == {x.article.id for x in load_extractions(_article_gold())}


def test_consolidating_the_article_gold_reproduces_the_gold_timeline() -> None:
    got = consolidate(load_extractions(_article_gold()))
    gold = _gold_timeline()
    assert _actors(got) == _actors(gold)
    got_events, gold_events = _events(got), _events(gold)
    for mine, expected in zip(got_events, gold_events, strict=False):
        assert mine == expected, f"event {expected['id']} differs"
    assert len(got_events) == len(gold_events)
    assert [a.id for a in got.articles] == [a.id for a in gold.articles]


def test_gold_timeline_scores_perfectly_against_its_reproduction() -> None:
    got = consolidate(load_extractions(_article_gold()))
    score = score_timeline(got, _gold_timeline())
    assert score["events"]["f1"] == 1.0
    assert score["actors"]["bcubed"]["f1"] == 1.0
    assert score["matched_date_exact"] == 1.0
