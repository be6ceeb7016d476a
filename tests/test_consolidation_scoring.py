"""score_timeline: event-level P/R/F1 and actor-merge quality."""

from __future__ import annotations

import json

import pytest

from extractor.consolidation import consolidate, render_json, score_timeline
from extractor.consolidation.model import Timeline
from extractor.core.contract import ArticleExtraction
from tests.test_consolidation_builders import actor, article, meeting, qaani_visit, visit


def _gold_articles() -> list[ArticleExtraction]:
    return [
        article(
            "a",
            [actor("A1", "Esmail Qaani"), actor("A2", "Hadi al-Amiri")],
            visits=[visit("V1", ["A1"], "Baghdad", "2024-09-16")],
            meetings=[meeting("M1", ["A1", "A2"], visit_id="V1")],
        ),
        qaani_visit("b", "Baghdad", "2025-01-05", name="Ismail Qaani"),
        article("c", [actor("A1", "Ali Khamenei"), actor("A2", "Mojtaba Khamenei")]),
    ]


def _gold() -> Timeline:
    return consolidate(_gold_articles())


def test_a_timeline_scores_perfectly_against_itself_and_accepts_plain_json() -> None:
    gold = _gold()
    score = score_timeline(json.loads(render_json(gold)), gold)
    assert score["events"] == {"tp": 3, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert score["visits"]["tp"] == 2 and score["meetings"]["tp"] == 1
    assert score["matched_date_exact"] == 1.0 and score["matched_support_article_recall"] == 1.0
    assert score["actors"]["bcubed"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert score["actors"]["aligned_mentions"] == 5
    json.dumps(score)  # the eval runner writes it as it is


def test_missing_and_extra_events_count_as_fn_and_fp() -> None:
    pred = consolidate(
        [
            qaani_visit("b", "Iraq", "2025-01", name="Qaani"),  # the January trip, vaguer: still a match
            qaani_visit("x", "Tehran", "2025-02-01"),  # not in gold
        ]
    )
    score = score_timeline(pred, _gold())
    assert score["events"]["tp"] == 1 and score["events"]["fp"] == 1 and score["events"]["fn"] == 2
    assert score["events"]["precision"] == pytest.approx(0.5)
    assert score["events"]["recall"] == pytest.approx(1 / 3)
    assert score["matched_date_exact"] == 0.0
    assert score["unmatched_gold"] == ["E1", "E2"]


def test_matching_is_one_to_one() -> None:
    gold = consolidate([qaani_visit("a", "Baghdad", "2024-09-16")])
    doc = json.loads(render_json(gold))
    doc["events"].append({**doc["events"][0], "id": "E2"})  # the trip predicted twice
    score = score_timeline(doc, gold)
    assert (score["events"]["tp"], score["events"]["fp"], score["events"]["fn"]) == (1, 1, 0)
    assert score["matches"] == [["E1", "E1"]] and score["unmatched_pred"] == ["E2"]


def test_a_near_miss_date_does_not_match() -> None:
    pred = consolidate([qaani_visit("b", "Baghdad", "2025-02")])
    gold = consolidate([qaani_visit("b", "Baghdad", "2025-01-05")])
    assert score_timeline(pred, gold)["events"]["tp"] == 0


def test_over_merged_actors_lower_bcubed_precision_only() -> None:
    gold = _gold()
    merged = gold.model_copy(deep=True)
    ali, mojtaba = (a for a in merged.actors if "Khamenei" in a.name)
    ali.mentions += mojtaba.mentions
    merged.actors = [a for a in merged.actors if a is not mojtaba]
    score = score_timeline(merged, gold)["actors"]
    assert score["bcubed"]["recall"] == 1.0
    assert score["bcubed"]["precision"] == pytest.approx((3 * 1 + 2 * 0.5) / 5)
    assert score["pairwise"]["precision"] == pytest.approx(1 / 2)


def test_actor_mentions_align_by_name_when_per_article_ids_differ() -> None:
    # The same facts extracted with different per-article ids and a split Qaani.
    pred = consolidate(
        [
            article(
                "a",
                [actor("A1", "Hadi al-Amiri"), actor("A2", "Esmail Qaani")],
                visits=[visit("V1", ["A2"], "Baghdad", "2024-09-16")],
            ),
            article("b", [actor("A1", "Ismail Qaani", kind="organization")], visits=[]),
        ]
    )
    score = score_timeline(pred, _gold())["actors"]
    assert score["aligned_mentions"] == 3
    assert score["gold_only_mentions"] == 2  # article c was not extracted
    assert score["bcubed"]["precision"] == 1.0
    assert score["bcubed"]["recall"] == pytest.approx((0.5 + 0.5 + 1) / 3)
