"""Draft -> contract on constructed drafts: what code repairs, what it drops, and that it says so."""

from __future__ import annotations

import datetime as dt

from extractor.core.assemble import assemble
from extractor.core.draft import Draft, DraftActor, DraftClaim, DraftMeeting, DraftVisit
from extractor.core.sentences import split_sentences

ARTICLE = (
    "Shafaq News/ Esmail Qaani held private meetings in Baghdad on Thursday with Nouri al-Maliki.\n\n"
    "Qaani arrived in Baghdad on Wednesday and met with Qassem al-Araji.\n\n"
    "A political source said Qaani was “rallying Arab support” ahead of the summit."
)
PUBLISHED = dt.date(2025, 5, 15)


def build(draft: Draft):  # type: ignore[no-untyped-def]
    return assemble(draft, ARTICLE, split_sentences(ARTICLE), PUBLISHED)


def actor(name: str, *others: str, sentences: list[int] | None = None) -> DraftActor:
    return DraftActor(name=name, other_names=list(others), kind="person", sentences=sentences or [1])


def test_one_actor_per_person_and_invented_names_dropped() -> None:
    draft = Draft(
        actors=[actor("Esmail Qaani"), actor("Ismail Qaani", "Qaani"), actor("Abu Nobody")],
        visits=[],
        meetings=[],
        claims=[],
    )
    out = build(draft)
    assert [(a.id, a.name, a.aliases) for a in out.actors] == [("A1", "Esmail Qaani", ["Qaani"])]
    assert any("Ismail Qaani" in w and "not in the article" in w for w in out.warnings)
    assert any("Abu Nobody" in w for w in out.warnings)


def test_arrival_comes_from_the_sentence_stating_the_arrival() -> None:
    visit = DraftVisit(sentences=[1], visitors=["Qaani"], destination="Baghdad", arrival="Thursday")
    out = build(Draft(actors=[actor("Esmail Qaani")], visits=[visit], meetings=[], claims=[]))
    (v,) = out.visits
    assert v.arrival is not None and (v.arrival.date, v.arrival.text) == ("2025-05-14", "on Wednesday")
    assert [e.start for e in v.evidence] == [0, ARTICLE.index("Qaani arrived")]
    for e in v.evidence:
        assert ARTICLE[e.start : e.end] == e.text


def test_date_words_absent_from_the_article_are_not_used() -> None:
    visit = DraftVisit(sentences=[3], visitors=["Qaani"], destination="the summit", arrival="Monday")
    out = build(Draft(actors=[actor("Esmail Qaani")], visits=[visit], meetings=[], claims=[]))
    assert out.visits[0].arrival is None
    assert any("'Monday'" in w and "dropped" in w for w in out.warnings)


def test_wrong_citations_are_re_anchored_and_duplicates_merged() -> None:
    visits = [
        DraftVisit(sentences=[3, 42], visitors=["Esmail Qaani"], destination="Baghdad", arrival="Wednesday"),
        DraftVisit(sentences=[2], visitors=["Qaani"], destination="Baghdad", arrival="Wednesday"),
    ]
    out = build(Draft(actors=[actor("Esmail Qaani")], visits=visits, meetings=[], claims=[]))
    assert len(out.visits) == 1
    assert any("merged" in w for w in out.warnings)
    assert all(ARTICLE[e.start : e.end] == e.text for e in out.visits[0].evidence)


def test_meetings_need_two_actors_and_link_to_their_visit() -> None:
    draft = Draft(
        actors=[actor("Esmail Qaani"), actor("Qassem al-Araji", sentences=[2])],
        visits=[DraftVisit(sentences=[2], visitors=["Qaani"], destination="Baghdad", arrival="on Wednesday")],
        meetings=[
            DraftMeeting(
                sentences=[2], participants=["Qaani", "al-Araji"], location="Baghdad", date="Wednesday"
            ),
            DraftMeeting(sentences=[1], participants=["Qaani", "Someone Unnamed"]),
        ],
        claims=[],
    )
    out = build(draft)
    (m,) = out.meetings
    assert m.participant_ids == ["A1", "A2"] and m.visit_id == "V1"
    assert m.date is not None and m.date.date == "2025-05-14"
    assert any("fewer than two participants" in w for w in out.warnings)


def test_quotes_are_verbatim_or_dropped() -> None:
    claims = [
        DraftClaim(
            sentences=[3],
            source="a political source",
            attribution="anonymous",
            statement="Qaani seeks Arab support.",
            quote='"rallying Arab support"',
            about=["Qaani"],
        ),
        DraftClaim(
            sentences=[3],
            source="a political source",
            attribution="anonymous",
            statement="Invented.",
            quote="words nobody ever wrote in this article at all",
            about=[],
        ),
    ]
    out = build(Draft(actors=[actor("Esmail Qaani")], visits=[], meetings=[], claims=claims))
    first, second = sorted(out.claims, key=lambda c: c.statement != "Qaani seeks Arab support.")
    assert first.quote == "rallying Arab support" and first.about_ids == ["A1"]
    assert second.quote is None
    assert any("quote dropped" in w for w in out.warnings)
    for c in out.claims:
        assert all(ARTICLE[e.start : e.end] == e.text for e in c.evidence)


# --- what code fills in from a claim's own sentence --------------------------------------------------

QUOTED = (
    "Esmail Qaani arrived in Baghdad on Wednesday.\n\n"
    "Rasul Radi said Qaani told Nouri al-Maliki “the talks will not stop this week” after the meeting.\n\n"
    "A source called it a “visit”."
)


def test_a_claim_without_quote_or_subjects_gets_them_from_its_own_sentence() -> None:
    draft = Draft(
        actors=[
            actor("Esmail Qaani"),
            actor("Rasul Radi", sentences=[2]),
            actor("Nouri al-Maliki", sentences=[2]),
        ],
        visits=[],
        meetings=[],
        claims=[
            DraftClaim(
                sentences=[2],
                source="Rasul Radi",
                speaker="Rasul Radi",
                attribution="named",
                statement="Talks go on.",
            ),
            DraftClaim(
                sentences=[3], source="A source", attribution="anonymous", statement="It was a visit."
            ),
        ],
    )
    out = assemble(draft, QUOTED, split_sentences(QUOTED), PUBLISHED)
    named, anonymous = out.claims
    assert named.quote == "the talks will not stop this week"
    assert named.speaker_id == "A2"
    # Qaani and al-Maliki are named in the claim's sentence; the speaker is not what it is about.
    assert named.about_ids == ["A1", "A3"]
    # A one-word quotation is a scare quote, not someone's words.
    assert anonymous.quote is None
    assert out.claims[0].evidence[0].text == split_sentences(QUOTED)[1].text
