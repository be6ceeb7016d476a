"""Cross-article consolidation on constructed cases: what must merge, what must not, and determinism."""

from __future__ import annotations

import random

import pytest

from extractor.consolidation import consolidate, render_json
from extractor.consolidation.model import MeetingEvent, Timeline, VisitEvent
from extractor.core.contract import ArticleExtraction
from extractor.core.errors import InputError
from tests.test_consolidation_builders import actor, article, claim, meeting, qaani_visit, visit


def _visits(t: Timeline) -> list[VisitEvent]:
    return [e for e in t.events if isinstance(e, VisitEvent)]


def _meetings(t: Timeline) -> list[MeetingEvent]:
    return [e for e in t.events if isinstance(e, MeetingEvent)]


def _refs(e: VisitEvent | MeetingEvent) -> list[tuple[str, str]]:
    return [(s.article_id, s.item_id) for s in e.supports]


# --- actors -----------------------------------------------------------------------------------


def test_transliteration_variants_are_one_actor_listing_names_and_mentions() -> None:
    t = consolidate(
        [
            article("a", [actor("A1", "Esmail Qaani")]),
            article("b", [actor("A1", "Hadi al-Amiri"), actor("A2", "General Ismail Qaani")]),
            article("c", [actor("A3", "Ismael Qaani", aliases=["Mr Qaani"])]),
        ]
    )
    assert [a.name for a in t.actors] == ["Esmail Qaani", "Hadi al-Amiri"]
    qaani = t.actors[0]
    assert qaani.names == ["Esmail Qaani", "General Ismail Qaani", "Ismael Qaani", "Mr Qaani"]
    assert [(m.article_id, m.actor_id) for m in qaani.mentions] == [("a", "A1"), ("b", "A2"), ("c", "A3")]
    assert qaani.article_ids == ["a", "b", "c"]


def test_partial_name_joins_the_one_full_name_it_matches() -> None:
    t = consolidate(
        [
            article("a", [actor("A1", "Mohammed Shia al-Sudani")]),
            article("b", [actor("A1", "Al-Sudani")]),
            article("c", [actor("A1", "Mohammed Shia' Al-Sudani", title="Prime Minister")]),
        ]
    )
    assert len(t.actors) == 1
    assert t.actors[0].name in {"Mohammed Shia al-Sudani", "Mohammed Shia' Al-Sudani"}
    assert t.actors[0].titles == ["Prime Minister"]


def test_same_surname_different_people_do_not_merge_and_ambiguous_surname_stays_alone() -> None:
    t = consolidate(
        [
            article("a", [actor("A1", "Ali Khamenei")]),
            article("b", [actor("A1", "Mojtaba Khamenei")]),
            article("c", [actor("A1", "Khamenei")]),
        ]
    )
    assert sorted(a.name for a in t.actors) == ["Ali Khamenei", "Khamenei", "Mojtaba Khamenei"]


def test_alias_bridge_cannot_merge_two_people_with_different_names() -> None:
    # "Khamenei" as an alias matches both; the two full names conflict, so neither union happens.
    t = consolidate(
        [
            article("a", [actor("A1", "Ali Khamenei", aliases=["Khamenei"])]),
            article("b", [actor("A1", "Mojtaba Khamenei", aliases=["Khamenei"])]),
            article("c", [actor("A1", "Qassem Soleimani", aliases=["Quds Force commander"])]),
            article("d", [actor("A1", "Esmail Qaani", aliases=["Quds Force commander"])]),
        ]
    )
    assert len(t.actors) == 4


def test_organizations_merge_by_name_but_not_into_a_longer_different_name() -> None:
    t = consolidate(
        [
            article(
                "a",
                [actor("A1", "Iran", kind="state"), actor("A2", "Kata'ib Hezbollah", kind="organization")],
            ),
            article("b", [actor("A1", "Iran", kind="state"), actor("A2", "Hezbollah", kind="organization")]),
            article(
                "c",
                [actor("A1", "Badr Organization", kind="organization"), actor("A2", "Badr", kind="person")],
            ),
            article("d", [actor("A1", "Badr Organisation", kind="organization")]),
        ]
    )
    by_name = {a.name: a for a in t.actors}
    assert by_name["Iran"].article_ids == ["a", "b"]
    assert by_name["Kata'ib Hezbollah"].article_ids == ["a"]
    assert by_name["Hezbollah"].article_ids == ["b"]
    assert by_name["Badr Organization"].names == ["Badr Organisation", "Badr Organization"]
    assert by_name["Badr Organization"].article_ids == ["c", "d"]
    assert by_name["Badr"].kind == "person"


# --- visits -----------------------------------------------------------------------------------


def test_same_trip_reported_by_two_outlets_is_one_event_with_both_supports() -> None:
    a = article(
        "000",
        [actor("A1", "Esmail Qaani")],
        visits=[
            visit(
                "V1",
                ["A1"],
                "Baghdad",
                "2025-05-14",
                evidence=[("Qaani arrived in Baghdad on Wednesday", 10)],
            )
        ],
    )
    b = article(
        "001",
        [actor("A1", "Qasim Al Araji"), actor("A2", "Esmail Qaani")],
        visits=[visit("V1", ["A2"], "Iraq", "2025-05-14", disclosure="announced")],
    )
    t = consolidate([a, b])
    (e,) = t.events
    assert isinstance(e, VisitEvent)
    assert _refs(e) == [("000", "V1"), ("001", "V1")]
    assert (e.destination.name, e.destination.country) == ("Baghdad", "Iraq")
    assert (e.date.date, e.date.precision) == ("2025-05-14", "day")
    assert e.disclosure == "announced" and e.conflicts == []
    assert e.supports[0].evidence[0].text == "Qaani arrived in Baghdad on Wednesday"
    assert e.supports[1].disclosure == "announced"


@pytest.mark.parametrize(
    "place", ["the Iraqi capital, Baghdad", "Baghdad, Iraq", "Iraq", "the Iraqi capital"]
)
def test_destination_spellings_of_baghdad_merge(place: str) -> None:
    t = consolidate([qaani_visit("a", "Baghdad", "2025-01-05"), qaani_visit("b", place, "2025-01-05")])
    (e,) = t.events
    assert isinstance(e, VisitEvent) and e.destination.name == "Baghdad"


def test_month_report_merges_into_day_report_and_takes_the_most_precise_date() -> None:
    t = consolidate([qaani_visit("a", "Baghdad", "2025-05"), qaani_visit("b", "Baghdad", "2025-05-14")])
    (e,) = t.events
    assert (e.date.date, e.date.precision) == ("2025-05-14", "day")
    assert e.conflicts == []


@pytest.mark.parametrize(
    ("first", "second"),
    [("2025-05-14", "2025-05-20"), ("2024-04", "2024-05"), ("2024", "2025")],
)
def test_incompatible_dates_are_different_trips(first: str, second: str) -> None:
    t = consolidate([qaani_visit("a", "Baghdad", first), qaani_visit("b", "Baghdad", second)])
    assert [e.date.date for e in t.events] == [first, second]
    assert all(e.possibly_same_as == [] for e in t.events)


def test_different_cities_or_visitors_are_different_trips() -> None:
    t = consolidate(
        [
            qaani_visit("a", "Baghdad", "2025-05-14"),
            qaani_visit("b", "Erbil", "2025-05-14"),
            article(
                "c", [actor("A1", "Masoud Pezeshkian")], visits=[visit("V1", ["A1"], "Baghdad", "2025-05-14")]
            ),
        ]
    )
    assert len(t.events) == 3


def test_arrival_days_one_apart_merge_with_a_flagged_conflict() -> None:
    t = consolidate(
        [
            qaani_visit("a", "Baghdad", "2025-05-14", disclosure="announced"),
            qaani_visit("b", "Baghdad", "2025-05-15", disclosure="secret"),
        ]
    )
    (e,) = t.events
    assert isinstance(e, VisitEvent)
    conflicts = {
        c.field: [(v.value, [s.article_id for s in v.supports]) for v in c.values] for c in e.conflicts
    }
    assert conflicts == {
        "arrival": [("2025-05-14", ["a"]), ("2025-05-15", ["b"])],
        "disclosure": [("announced", ["a"]), ("secret", ["b"])],
    }
    # The consolidated values are what every report agrees on; nothing is overwritten by one side.
    assert (e.date.date, e.date.precision) == ("2025-05", "month")
    assert e.disclosure == "unknown"
    assert [s.date.date for s in e.supports if s.date] == ["2025-05-14", "2025-05-15"]


def test_vague_report_that_fits_two_trips_is_kept_apart_and_cross_listed() -> None:
    t = consolidate(
        [
            qaani_visit("a", "Baghdad", "2024-05-03"),
            qaani_visit("b", "Baghdad", "2024-05-20"),
            qaani_visit("c", "Iraq", "2024-05"),
            qaani_visit("d", "Baghdad", None),
        ]
    )
    assert [(e.id, e.date.date, _refs(e)) for e in t.events] == [
        ("E1", "2024-05", [("c", "V1")]),
        ("E2", "2024-05-03", [("a", "V1")]),
        ("E3", "2024-05-20", [("b", "V1")]),
        ("E4", None, [("d", "V1")]),
    ]
    assert t.events[0].possibly_same_as == ["E2", "E3", "E4"]
    assert t.events[3].possibly_same_as == ["E1", "E2", "E3"]


def test_vague_report_with_a_single_candidate_joins_it() -> None:
    t = consolidate([qaani_visit("a", "Baghdad", "2025-01-05"), qaani_visit("b", "Baghdad", None)])
    (e,) = t.events
    assert e.date.date == "2025-01-05" and len(e.supports) == 2


def test_planned_then_occurred_keeps_both_statuses() -> None:
    t = consolidate(
        [qaani_visit("a", "Tehran", "2025-01", status="planned"), qaani_visit("b", "Tehran", "2025-01-12")]
    )
    (e,) = t.events
    assert e.status == "occurred"
    assert [(c.field, [v.value for v in c.values]) for c in e.conflicts] == [
        ("status", ["occurred", "planned"])
    ]


# --- meetings ---------------------------------------------------------------------------------


def _meeting_articles() -> list[ArticleExtraction]:
    a = article(
        "000",
        [actor("A1", "Esmail Qaani"), actor("A2", "Qassem al-Araji"), actor("A3", "Nouri al-Maliki")],
        visits=[visit("V1", ["A1"], "Baghdad", "2025-05-14")],
        meetings=[
            meeting("M1", ["A1", "A2"], date="2025-05-14", visit_id="V1", private=True),
            meeting("M2", ["A1", "A3"], date="2025-05-15", visit_id="V1", private=True),
        ],
    )
    b = article(
        "001",
        [actor("A1", "Qasim Al Araji"), actor("A2", "Esmail Qaani")],
        visits=[visit("V1", ["A2"], "Iraq", "2025-05-14")],
        meetings=[meeting("M1", ["A2", "A1"], place="Baghdad", date="2025-05-14", private=False)],
    )
    return [a, b]


def test_same_meeting_merges_and_other_meetings_of_the_trip_do_not() -> None:
    t = consolidate(_meeting_articles())
    (trip,) = _visits(t)
    araji, maliki = _meetings(t)
    assert _refs(araji) == [("000", "M1"), ("001", "M1")]
    assert _refs(maliki) == [("000", "M2")]
    assert araji.visit_id == trip.id and maliki.visit_id == trip.id
    assert trip.meeting_ids == [araji.id, maliki.id]
    assert [t.actor(p).name for p in araji.participant_ids] == ["Esmail Qaani", "Qassem al-Araji"]
    assert araji.location is not None and araji.location.name == "Baghdad"
    assert araji.private is None and [c.field for c in araji.conflicts] == ["private"]


def test_meetings_of_different_trips_do_not_merge_even_with_the_same_people() -> None:
    def art(aid: str, day: str) -> ArticleExtraction:
        return article(
            aid,
            [actor("A1", "Esmail Qaani"), actor("A2", "Hadi al-Amiri")],
            visits=[visit("V1", ["A1"], "Baghdad", day)],
            meetings=[meeting("M1", ["A1", "A2"], visit_id="V1")],
        )

    t = consolidate([art("a", "2024-01-28"), art("b", "2024-09-16")])
    assert len(_meetings(t)) == 2


def test_a_participant_subset_merges_but_a_single_shared_participant_does_not() -> None:
    a = article(
        "a",
        [actor("A1", "Esmail Qaani"), actor("A2", "Hadi al-Amiri"), actor("A3", "Nouri al-Maliki")],
        meetings=[meeting("M1", ["A1", "A2", "A3"], place="Baghdad", date="2025-05-15")],
    )
    b = article(
        "b",
        [actor("A1", "Qaani"), actor("A2", "Hadi al-Amiri")],
        meetings=[meeting("M1", ["A1", "A2"], place="Baghdad", date="2025-05-15")],
    )
    c = article(
        "c",
        [actor("A1", "Qaani"), actor("A2", "Qais al-Khazali")],
        meetings=[meeting("M1", ["A1", "A2"], place="Baghdad", date="2025-05-15")],
    )
    t = consolidate([a, b, c])
    assert sorted(_refs(m) for m in _meetings(t)) == [[("a", "M1"), ("b", "M1")], [("c", "M1")]]


# --- claims -----------------------------------------------------------------------------------


def test_claims_attach_to_actors_and_to_the_event_they_are_about() -> None:
    sentence = ("Qaani arrived in Baghdad on Wednesday", 100)
    a = article(
        "a",
        [actor("A1", "Esmail Qaani"), actor("A2", "Rasul Radi")],
        visits=[
            visit("V1", ["A1"], "Baghdad", "2024-09-16", evidence=[sentence]),
            visit("V2", ["A1"], "Iraq", "2024-04"),
        ],
        claims=[
            claim(
                "C1", "The visit aimed to strengthen relations", ["A1"], evidence=[sentence], speaker_id="A2"
            ),
            claim("C2", "Qaani is close to the factions", ["A1"], evidence=[("Qaani is close", 900)]),
        ],
    )
    t = consolidate([a, qaani_visit("b", "Baghdad", "2024-04-10")])
    c1, c2 = t.claims
    sept = next(e for e in t.events if e.date.date == "2024-09-16")
    assert (c1.item_id, c1.event_ids, c1.about_ids) == ("C1", [sept.id], ["P1"])
    assert c1.speaker_id == "P2"
    assert c2.event_ids == []  # two trips in that article and no shared evidence: not guessed
    assert sept.claim_ids == [c1.id]


def test_claim_in_an_article_with_one_visit_attaches_to_it() -> None:
    a = article(
        "a",
        [actor("A1", "Esmail Qaani")],
        visits=[visit("V1", ["A1"], "Baghdad", "2025-01-05")],
        claims=[claim("C1", "The visit lasted only a few hours", ["A1"])],
    )
    t = consolidate([a])
    assert t.claims[0].event_ids == ["E1"] and t.events[0].claim_ids == ["C1"]


# --- timeline ---------------------------------------------------------------------------------


def test_events_are_ordered_by_date_with_undated_last_and_meetings_after_their_visit() -> None:
    a = article(
        "a",
        [actor("A1", "Esmail Qaani"), actor("A2", "Hadi al-Amiri")],
        visits=[visit("V1", ["A1"], "Baghdad", "2025-01-05"), visit("V2", ["A1"], "Erbil")],
        meetings=[meeting("M1", ["A1", "A2"], visit_id="V1"), meeting("M2", ["A1", "A2"], place="Damascus")],
    )
    t = consolidate([a, qaani_visit("b", "Tehran", "2024")])
    assert [(e.id, e.kind, e.date.date, _refs(e)[0]) for e in t.events] == [
        ("E1", "visit", "2024", ("b", "V1")),
        ("E2", "visit", "2025-01-05", ("a", "V1")),
        ("E3", "meeting", None, ("a", "M1")),
        ("E4", "visit", None, ("a", "V2")),
        ("E5", "meeting", None, ("a", "M2")),
    ]


def _corpus() -> list[ArticleExtraction]:
    return [
        *_meeting_articles(),
        qaani_visit("002", "Baghdad", "2024-09-16", name="Ismail Qaani", disclosure="unannounced"),
        qaani_visit("003", "the Iraqi capital, Baghdad", None, name="Ismael Qaani"),
        qaani_visit("004", "Baghdad", "2025-01-05", name="Ismail Qaani", disclosure="secret"),
        qaani_visit("005", "Baghdad", "2025-05-15", disclosure="secret"),
        article(
            "006", [actor("A1", "Ali Khamenei"), actor("A2", "Mojtaba Khamenei"), actor("A3", "Khamenei")]
        ),
        qaani_visit("007", "Iraq", "2024-05"),
        qaani_visit("008", "Iraq", "2024-04"),
    ]


def test_shuffled_input_gives_identical_json() -> None:
    corpus = _corpus()
    expected = render_json(consolidate(corpus))
    rng = random.Random(7)
    for _ in range(20):
        shuffled = corpus[:]
        rng.shuffle(shuffled)
        assert render_json(consolidate(shuffled)) == expected


def test_ids_follow_the_final_order() -> None:
    t = consolidate(_corpus())
    assert [e.id for e in t.events] == [f"E{n}" for n in range(1, len(t.events) + 1)]
    assert [a.id for a in t.actors] == [f"P{n}" for n in range(1, len(t.actors) + 1)]
    dated = [e.date.date for e in t.events if e.date.date]
    assert dated == sorted(dated)


def test_the_same_article_twice_is_fine_but_two_different_versions_are_not() -> None:
    a = qaani_visit("a", "Baghdad", "2025-01-05")
    assert render_json(consolidate([a, a])) == render_json(consolidate([a]))
    with pytest.raises(InputError, match="'a'"):
        consolidate([a, qaani_visit("a", "Baghdad", "2025-01-06")])


def test_empty_input_is_an_empty_timeline() -> None:
    t = consolidate([])
    assert (t.articles, t.actors, t.events, t.claims) == ([], [], [], [])
