"""The field-level scorer on small hand-built extractions with known perturbations."""

from __future__ import annotations

import pytest

from extractor.core.contract import (
    Actor,
    ArticleExtraction,
    ArticleInfo,
    Claim,
    Evidence,
    Meeting,
    Meta,
    Place,
    Usage,
    Visit,
    When,
)
from extractor.evaluation.align import dates_compatible, place_similarity
from extractor.evaluation.scoring import FIELDS, ITEM_TYPES, Tally, aggregate, score_article
from extractor.evaluation.stats import bootstrap_delta, bootstrap_f1

TEXT = (
    "Esmail Qaani arrived in Baghdad on 14 May 2025 and flew on to Erbil on 16 May. "
    "Nouri al-Maliki visited Tehran in April 2025, and Hadi al-Amiri went to Damascus in 2024. "
    "Qaani met al-Maliki and al-Amiri on 14 May. "
    "On 15 May he met Prime Minister Mohammed Shia al-Sudani. "
    'A political source said the visit aimed "to rally Arab support". '
    "Al-Maliki said Iraq would mediate between Tehran and Washington."
)


def ev(phrase: str, occurrence: int = 0) -> Evidence:
    start = -1
    for _ in range(occurrence + 1):
        start = TEXT.index(phrase, start + 1)
    return Evidence(text=phrase, start=start, end=start + len(phrase))


def when(date: str | None) -> When:
    precision = {None: "unknown", 4: "year", 7: "month", 10: "day"}[len(date) if date else None]
    return When.model_validate({"date": date, "precision": precision, "text": date or ""})


def gold_extraction() -> ArticleExtraction:
    return ArticleExtraction(
        article=ArticleInfo(id="sample", published="2025-05-17"),
        actors=[
            Actor(id="A1", name="Esmail Qaani", kind="person", evidence=[ev("Esmail Qaani")]),
            Actor(id="A2", name="Nouri al-Maliki", kind="person", evidence=[ev("Nouri al-Maliki")]),
            Actor(id="A3", name="Hadi al-Amiri", kind="person", evidence=[ev("Hadi al-Amiri")]),
            Actor(
                id="A4",
                name="Mohammed Shia al-Sudani",
                kind="person",
                evidence=[ev("Mohammed Shia al-Sudani")],
            ),
        ],
        visits=[
            Visit(
                id="V1",
                visitor_ids=["A1"],
                destination=Place(name="Baghdad", country="Iraq"),
                arrival=when("2025-05-14"),
                disclosure="announced",
                evidence=[ev("Esmail Qaani arrived in Baghdad on 14 May 2025")],
            ),
            Visit(
                id="V2",
                visitor_ids=["A1"],
                destination=Place(name="Erbil", country="Iraq"),
                arrival=when("2025-05-16"),
                evidence=[ev("flew on to Erbil on 16 May")],
            ),
            Visit(
                id="V3",
                visitor_ids=["A2"],
                destination=Place(name="Tehran", country="Iran"),
                arrival=when("2025-04"),
                evidence=[ev("Nouri al-Maliki visited Tehran in April 2025")],
            ),
            Visit(
                id="V4",
                visitor_ids=["A3"],
                destination=Place(name="Damascus", country="Syria"),
                arrival=when("2024"),
                evidence=[ev("Hadi al-Amiri went to Damascus in 2024")],
            ),
        ],
        meetings=[
            Meeting(
                id="M1",
                participant_ids=["A1", "A2", "A3"],
                visit_id="V1",
                location=Place(name="Baghdad"),
                date=when("2025-05-14"),
                evidence=[ev("Qaani met al-Maliki and al-Amiri on 14 May")],
            ),
            Meeting(
                id="M2",
                participant_ids=["A1", "A4"],
                date=when("2025-05-15"),
                evidence=[ev("On 15 May he met Prime Minister Mohammed Shia al-Sudani")],
            ),
        ],
        claims=[
            Claim(
                id="C1",
                source="a political source",
                attribution="anonymous",
                statement="The visit aimed to rally Arab support.",
                quote="to rally Arab support",
                about_ids=["A1"],
                evidence=[ev('A political source said the visit aimed "to rally Arab support"')],
            ),
            Claim(
                id="C2",
                speaker_id="A2",
                source="Nouri al-Maliki",
                attribution="named",
                statement="Iraq would mediate between Tehran and Washington.",
                evidence=[ev("Al-Maliki said Iraq would mediate between Tehran and Washington.")],
            ),
        ],
        meta=Meta(model="gold", prompt_version="gold"),
    )


def prediction() -> ArticleExtraction:
    pred = gold_extraction().model_copy(deep=True)
    pred.meta = Meta(
        model="fake",
        prompt_version="v1",
        usage=Usage(prompt_tokens=1000, completion_tokens=200),
        duration_s=2.5,
    )
    return pred


def assert_all_perfect(scores: object) -> None:
    s = aggregate([scores]) if not isinstance(scores, list) else aggregate(scores)
    for t in ITEM_TYPES:
        c = s.per_type[t]
        assert (c.precision, c.recall, c.f1) == (1.0, 1.0, 1.0), t
    assert s.micro.f1 == 1.0
    assert s.macro_f1 == 1.0
    assert all(v == 1.0 for v in s.field_accuracy.values()), s.field_accuracy
    assert s.grounding_rate == 1.0
    assert s.schema_valid_rate == 1.0


def test_text_fixture_is_grounded() -> None:
    assert gold_extraction().evidence_errors(TEXT) == []


def test_gold_against_itself_is_perfect_everywhere() -> None:
    gold = gold_extraction()
    score = score_article(gold, gold, TEXT)
    assert_all_perfect(score)
    s = aggregate([score])
    assert s.micro.tp == 4 + 4 + 2 + 2
    # Every field is checked on some pair, so "1.0 everywhere" is not vacuous.
    assert all(s.fields[name].total > 0 for name in FIELDS)


def test_empty_prediction_scores_zero_with_the_0_over_0_convention() -> None:
    gold = gold_extraction()
    empty = ArticleExtraction(article=gold.article, meta=Meta(model="fake", prompt_version="v1"))
    s = aggregate([score_article(empty, gold, TEXT)])
    for t in ITEM_TYPES:
        c = s.per_type[t]
        assert (c.tp, c.fp, c.fn) == (0, 0, len(getattr(gold, t)))
        assert (c.precision, c.recall, c.f1) == (0.0, 0.0, 0.0)
    assert s.micro.f1 == 0.0 and s.macro_f1 == 0.0
    assert all(v is None for v in s.field_accuracy.values())
    assert s.grounding_rate is None
    assert s.schema_valid_rate == 1.0  # empty but valid


def test_a_type_absent_from_both_sides_counts_as_perfect_and_is_left_out_of_macro() -> None:
    gold = gold_extraction()
    gold.meetings = []
    pred = prediction()
    pred.meetings = []
    pred.claims = []  # claims: F1 0
    s = aggregate([score_article(pred, gold, TEXT)])
    assert s.per_type["meetings"].f1 == 1.0
    assert s.per_type["claims"].f1 == 0.0
    # mean over actors, visits, claims only: (1 + 1 + 0) / 3
    assert s.macro_f1 == pytest.approx(2 / 3)


def test_failed_article_is_empty_and_invalid() -> None:
    gold = gold_extraction()
    failed = score_article(None, gold, TEXT, duration_s=7.0)
    ok = score_article(prediction(), gold, TEXT)
    s = aggregate([failed, ok])
    assert not failed.valid
    assert s.schema_valid_rate == 0.5
    assert s.failed_articles == ("sample",)
    assert s.per_type["visits"].recall == 0.5  # 4 of 8 gold visits over the two articles
    assert s.per_type["visits"].precision == 1.0
    assert s.duration_s == pytest.approx(7.0 + 2.5)
    assert s.total_tokens == 1200


def test_dropping_one_of_four_visits() -> None:
    pred = prediction()
    del pred.visits[3]
    s = aggregate([score_article(pred, gold_extraction(), TEXT)])
    assert s.per_type["visits"].recall == 0.75
    assert s.per_type["visits"].precision == 1.0
    assert s.per_type["visits"].f1 == pytest.approx(2 * 3 / (2 * 3 + 0 + 1))
    assert s.micro.recall == pytest.approx(11 / 12)
    assert s.per_type["actors"].f1 == 1.0


def test_a_spurious_claim() -> None:
    pred = prediction()
    pred.claims.append(
        Claim(
            id="C3",
            source="Shafaq News",
            attribution="media",
            statement="Turkiye keeps troops in northern Iraq.",
            evidence=[ev("Qaani met al-Maliki")],
        )
    )
    s = aggregate([score_article(pred, gold_extraction(), TEXT)])
    assert s.per_type["claims"].precision == pytest.approx(2 / 3)
    assert s.per_type["claims"].recall == 1.0
    assert s.micro.precision == pytest.approx(12 / 13)


def test_changing_one_date_precision_keeps_the_match_and_costs_date_accuracy() -> None:
    pred = prediction()
    pred.visits[0].arrival = when("2025-05")  # compatible with 2025-05-14, but not exact
    s = aggregate([score_article(pred, gold_extraction(), TEXT)])
    assert s.per_type["visits"].f1 == 1.0
    assert s.field_accuracy["visit.arrival"] == 0.75
    # date group: 4 arrivals + 4 departures + 2 meeting dates, one wrong
    assert s.group_accuracy["date"] == pytest.approx(9 / 10)
    assert s.field_accuracy["visit.disclosure"] == 1.0


def test_an_incompatible_date_breaks_the_match() -> None:
    pred = prediction()
    pred.visits[0].arrival = when("2025-05-13")
    s = aggregate([score_article(pred, gold_extraction(), TEXT)])
    c = s.per_type["visits"]
    assert (c.tp, c.fp, c.fn) == (3, 1, 1)


def test_wrong_disclosure_and_status_are_field_errors_not_misses() -> None:
    pred = prediction()
    pred.visits[0].disclosure = "secret"
    pred.meetings[1].status = "planned"
    s = aggregate([score_article(pred, gold_extraction(), TEXT)])
    assert s.per_type["visits"].f1 == 1.0
    assert s.field_accuracy["visit.disclosure"] == 0.75
    assert s.field_accuracy["meeting.status"] == 0.5
    assert s.group_accuracy["status"] == pytest.approx(5 / 6)


def test_transliteration_variant_and_renumbered_ids_still_match() -> None:
    pred = prediction()
    renumber = {"A1": "A7", "A2": "A5", "A3": "A9", "A4": "A6"}
    for actor in pred.actors:
        actor.id = renumber[actor.id]
    pred.actors[0].name = "General Ismael al-Qaani"
    pred.actors[3].name = "Mohamed al-Sudani"
    for visit in pred.visits:
        visit.visitor_ids = [renumber[i] for i in visit.visitor_ids]
    for meeting in pred.meetings:
        meeting.participant_ids = [renumber[i] for i in meeting.participant_ids]
    for claim in pred.claims:
        claim.about_ids = [renumber[i] for i in claim.about_ids]
        claim.speaker_id = renumber[claim.speaker_id] if claim.speaker_id else None
    pred.actors.reverse()  # order must not matter either
    score = score_article(pred, gold_extraction(), TEXT)
    assert_all_perfect(score)
    assert score.alignment.actor_map == {"A7": "A1", "A5": "A2", "A9": "A3", "A6": "A4"}


def test_a_different_person_does_not_match() -> None:
    pred = prediction()
    pred.actors[1].name = "Nouri al-Sistani"  # same given name, different surname
    s = aggregate([score_article(pred, gold_extraction(), TEXT)])
    assert s.per_type["actors"].recall == 0.75
    # the visit by A2 and the claim spoken by A2 now refer to an unaligned actor
    assert s.per_type["visits"].recall == 0.75
    assert s.field_accuracy["meeting.participants"] == 0.5


def test_meetings_sharing_only_the_principal_do_not_match() -> None:
    pred = prediction()
    pred.meetings = [pred.meetings[1].model_copy(update={"participant_ids": ["A1", "A3"]})]
    gold = gold_extraction()
    gold.meetings = [gold.meetings[1]]  # {A1, A4} vs {A1, A3}: Jaccard 1/3
    s = aggregate([score_article(pred, gold, TEXT)])
    assert (s.per_type["meetings"].tp, s.per_type["meetings"].fp, s.per_type["meetings"].fn) == (0, 1, 1)


def test_claims_match_by_statement_when_evidence_differs() -> None:
    pred = prediction()
    pred.claims[0].evidence = []
    pred.claims[0].statement = "The visit aimed to rally Arab support"
    s = aggregate([score_article(pred, gold_extraction(), TEXT)])
    assert s.per_type["claims"].f1 == 1.0


def test_claims_with_a_different_speaker_do_not_match() -> None:
    pred = prediction()
    pred.claims[1].speaker_id = "A3"
    pred.claims[1].source = "Hadi al-Amiri"
    s = aggregate([score_article(pred, gold_extraction(), TEXT)])
    c = s.per_type["claims"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)


def claim_counts(pred: ArticleExtraction, gold: ArticleExtraction, **kwargs: object) -> tuple[int, int, int]:
    c = aggregate([score_article(pred, gold, TEXT, **kwargs)]).per_type["claims"]  # type: ignore[arg-type]
    return c.tp, c.fp, c.fn


def test_strict_a_named_claim_without_its_speaker_does_not_match() -> None:
    # The lenient rule used to accept this: same evidence, same attribution words, no speaker.
    pred = prediction()
    pred.claims[1].speaker_id = None
    s = aggregate([score_article(pred, gold_extraction(), TEXT)])
    assert (s.per_type["claims"].tp, s.per_type["claims"].fp, s.per_type["claims"].fn) == (1, 1, 1)
    # It is still located (same content), so it counts against speaker accuracy.
    assert s.fields["claim.speaker"] == Tally(correct=1, total=2)


def test_strict_source_strings_never_make_a_claim_match() -> None:
    pred = prediction()
    pred.claims[1].speaker_id = "A3"
    pred.claims[1].source = "Nouri al-Maliki"  # the right words, the wrong actor
    pred.claims[1].attribution = "named"
    assert claim_counts(pred, gold_extraction()) == (1, 1, 1)


def test_strict_an_anonymous_claim_needs_no_speaker() -> None:
    pred = prediction()
    pred.claims[0].speaker_id = "A2"  # gold: an unnamed political source
    assert claim_counts(pred, gold_extraction()) == (1, 1, 1)
    pred.claims[0].speaker_id = None
    pred.claims[0].source = "sources"  # any wording of an anonymous source is fine
    pred.claims[0].attribution = "unattributed"
    assert claim_counts(pred, gold_extraction()) == (2, 0, 0)


def test_strict_a_recorded_speaker_alternative_is_accepted() -> None:
    pred = prediction()
    pred.claims[1].speaker_id = "A1"
    alternatives = {"C2": frozenset({"A1"})}
    assert claim_counts(pred, gold_extraction()) == (1, 1, 1)
    assert claim_counts(pred, gold_extraction(), speaker_alternatives=alternatives) == (2, 0, 0)
    # An alternative of one claim does not carry over to another.
    assert claim_counts(pred, gold_extraction(), speaker_alternatives={"C1": frozenset({"A1"})}) == (1, 1, 1)
    # None as an alternative accepts a prediction without a speaker.
    pred.claims[1].speaker_id = None
    assert claim_counts(pred, gold_extraction(), speaker_alternatives={"C2": frozenset({None})}) == (2, 0, 0)


def test_strict_the_publishing_outlet_as_source_never_matches_and_is_counted() -> None:
    gold = gold_extraction()
    gold.article.source = "Shafaq News"
    pred = prediction()
    pred.article.source = "Shafaq News"
    pred.claims[0].source = "Shafaq News"  # "A political source told Shafaq News ..."
    scores = aggregate([score_article(pred, gold, TEXT)])
    c = scores.per_type["claims"]
    assert (c.tp, c.fp, c.fn) == (1, 1, 1)
    assert scores.outlet_claims == 1
    # Without a known outlet nothing is counted.
    assert aggregate([score_article(pred, gold_extraction(), TEXT)]).outlet_claims == 0


def test_strict_the_right_speaker_wins_the_assignment() -> None:
    # Two predictions locate the same gold claim; the one with the right speaker is the match.
    pred = prediction()
    wrong = pred.claims[1].model_copy(update={"id": "C3", "speaker_id": "A3"})
    pred.claims = [pred.claims[0], wrong, pred.claims[1]]
    assert claim_counts(pred, gold_extraction()) == (2, 1, 0)


def test_grounding_rate_counts_spans_that_do_not_match_the_text() -> None:
    pred = prediction()
    first = pred.actors[0].evidence[0]
    pred.actors[0].evidence = [Evidence(text=first.text, start=first.start + 1, end=first.end + 1)]
    score = score_article(pred, gold_extraction(), TEXT)
    s = aggregate([score])
    total = score.evidence_spans
    assert total == 12
    assert s.grounding_rate == pytest.approx((total - 1) / total)


def test_pooled_counts_over_articles() -> None:
    gold = gold_extraction()
    perfect = score_article(prediction(), gold, TEXT)
    dropped = prediction()
    dropped.visits = dropped.visits[:2]
    half = score_article(dropped, gold, TEXT)
    s = aggregate([perfect, half])
    assert s.per_type["visits"].recall == pytest.approx(6 / 8)
    assert s.n_articles == 2


def test_date_compatibility() -> None:
    assert dates_compatible(when("2025-05"), when("2025-05-14"))
    assert dates_compatible(when("2025"), when("2025-05-14"))
    assert dates_compatible(when(None), when("2025-05-14"))
    assert dates_compatible(None, when("2024"))
    assert not dates_compatible(when("2025-06"), when("2025-05-14"))
    assert not dates_compatible(when("2025-05-13"), when("2025-05-14"))


def test_place_similarity() -> None:
    assert place_similarity(Place(name="Baghdad"), Place(name="baghdad")) == 1.0
    assert place_similarity(Place(name="the Iraqi capital, Baghdad"), Place(name="Baghdad")) >= 0.8
    assert place_similarity(Place(name="Iraq"), Place(name="Baghdad", country="Iraq")) == 0.5
    assert place_similarity(Place(name="Tehran"), Place(name="Baghdad")) == 0.0


def test_bootstrap_of_identical_runs() -> None:
    gold = gold_extraction()
    scores = [score_article(prediction(), gold, TEXT) for _ in range(5)]
    intervals = bootstrap_f1(scores, resamples=200)
    assert intervals["micro_f1"].low == intervals["micro_f1"].high == 1.0
    delta = bootstrap_delta(scores, scores, resamples=200)
    assert delta["micro_f1"].low == delta["micro_f1"].high == 0.0


def test_bootstrap_interval_brackets_the_point_estimate() -> None:
    gold = gold_extraction()
    scores = []
    for keep in (4, 3, 2, 4, 1):
        pred = prediction()
        pred.visits = pred.visits[:keep]
        scores.append(score_article(pred, gold, TEXT))
    point = aggregate(scores).per_type["visits"].f1
    interval = bootstrap_f1(scores, resamples=500)["visits_f1"]
    assert interval.low < point < interval.high
    assert interval.high <= 1.0
    # fixed seed: the same numbers every time
    assert bootstrap_f1(scores, resamples=500)["visits_f1"] == interval
