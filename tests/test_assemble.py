"""Draft -> contract on constructed drafts: what code repairs, what it drops, and that it says so."""

from __future__ import annotations

import datetime as dt

from extractor.core.assemble import assemble
from extractor.core.attribution import find_cues
from extractor.core.draft import Draft, DraftActor, DraftClaim, DraftMeeting, DraftVisit, EventsDraft
from extractor.core.encounters import find_encounters
from extractor.core.repairs import Repair
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


# --- code that reads more (each case is a real corpus pattern, shortened) -----------------------------


def assemble_text(text: str, draft: EventsDraft, published: dt.date | None = None):  # type: ignore[no-untyped-def]
    sentences = split_sentences(text)
    return assemble(
        draft,
        text,
        sentences,
        published,
        claim_cues=find_cues(sentences, text),
        encounters=find_encounters(sentences),
    )


def test_every_repair_carries_its_code() -> None:
    draft = Draft(actors=[actor("Esmail Qaani"), actor("Abu Nobody")], visits=[], meetings=[], claims=[])
    out = build(draft)
    assert [n.code for n in out.notes if "Abu Nobody" in n.message] == [Repair.ACTOR_DROPPED]
    assert out.warnings == [n.message for n in out.notes]


def test_headline_words_and_bylines_are_not_actors() -> None:
    text = (
        "Syrian President Holds High-Level Talks with Lebanese Prime Minister in Damascus\n"
        "Kardo Roj\n"
        "Lebanese Prime Minister Nawaf Salam arrived in Damascus on Monday for talks with Syria’s "
        "transitional president, Ahmad al-Shara, the holds of the ship aside."
    )
    draft = EventsDraft(
        actors=[
            actor("Holds High-Level Talks"),
            actor("Kardo Roj"),
            actor("Syrian President"),
            actor("Nawaf Salam"),
        ],
        visits=[],
        meetings=[],
    )
    out = assemble_text(text, draft)
    names = [a.name for a in out.actors]
    assert "Holds High-Level Talks" not in names and "Kardo Roj" not in names
    # The office resolves to the one person the article names with it, in apposition.
    assert "Ahmad al-Shara" in names and "Syrian President" not in names


def test_a_demonym_destination_is_the_capital_the_article_names() -> None:
    text = "Abbas Araghchi will head to the Omani capital, Muscat, to continue his consultations."
    draft = EventsDraft(
        actors=[actor("Abbas Araghchi")],
        visits=[DraftVisit(sentences=[1], visitors=["Araghchi"], destination="Omani", status="planned")],
        meetings=[],
    )
    (visit,) = assemble_text(text, draft).visits
    assert visit.destination.name == "Muscat"


def test_a_list_of_places_is_one_trip_each_and_a_called_off_trip_none() -> None:
    text = (
        "Iranian Foreign Minister Abbas Araghchi arrived in Baghdad on Sunday.\n"
        "Recently, the Iranian foreign minister visited Qatar, Saudi Arabia, and Lebanon.\n"
        "He canceled a planned visit to Kuwait."
    )
    out = assemble_text(
        text, EventsDraft(actors=[actor("Abbas Araghchi")], visits=[], meetings=[]), dt.date(2024, 10, 14)
    )
    assert sorted(v.destination.name for v in out.visits) == ["Baghdad", "Lebanon", "Qatar", "Saudi Arabia"]


def test_a_passive_reception_makes_the_guest_the_visitor_and_drops_the_hosts_visit() -> None:
    text = (
        "Argentine President Alberto Fernandez visited Brazil on Monday, where he was received by "
        "President Luiz Inacio Lula da Silva at the Planalto Palace."
    )
    draft = EventsDraft(
        actors=[actor("Alberto Fernandez"), actor("Luiz Inacio Lula da Silva")],
        visits=[DraftVisit(sentences=[1], visitors=["Lula"], destination="Planalto Palace")],
        meetings=[],
    )
    out = assemble_text(text, draft, dt.date(2023, 6, 27))
    visitors = {out.actors[int(i[1:]) - 1].name for v in out.visits for i in v.visitor_ids}
    assert visitors == {"Alberto Fernandez"}
    assert any(n.code == Repair.ITEM_DROPPED and "host" in n.message for n in out.notes)


def test_a_body_named_for_its_head_is_the_head() -> None:
    text = "Hezbollah chief Hassan Nasrallah recently made a secret visit to Iran, Azzaman reported."
    draft = EventsDraft(
        actors=[DraftActor(name="Hezbollah", kind="organization", sentences=[1])],
        visits=[DraftVisit(sentences=[1], visitors=["Hezbollah"], destination="Iran", disclosure="secret")],
        meetings=[],
    )
    out = assemble_text(text, draft)
    (visit,) = out.visits
    assert [a.name for a in out.actors if a.id in visit.visitor_ids] == ["Hassan Nasrallah"]


def test_sources_in_apposition_offices_and_outlets_link_their_speakers() -> None:
    text = (
        "The army was on alert, according to Israeli Army Chief of Staff, Hertzi Halevi.\n"
        "According to Al-Sudani's media office, Prime Minister Mohammed Shia Al-Sudani will travel.\n"
        "Talks dealt with the constitution, SANA news agency reported."
    )
    out = assemble_text(text, EventsDraft(actors=[], visits=[], meetings=[]))
    speakers = {
        c.source: next((a.name for a in out.actors if a.id == c.speaker_id), None) for c in out.claims
    }
    assert speakers["Israeli Army Chief of Staff, Hertzi Halevi"] == "Hertzi Halevi"
    assert speakers["Al-Sudani's media office"] == "Mohammed Shia Al-Sudani"
    assert speakers["SANA news agency"] == "SANA"


def test_a_filing_stamp_is_not_the_date_of_the_visit() -> None:
    text = "date 2025-01-08 Shafaq News/ The secret visit of Ismail Qaani to Baghdad worried Washington."
    draft = EventsDraft(
        actors=[actor("Ismail Qaani")],
        visits=[DraftVisit(sentences=[1], visitors=["Qaani"], destination="Baghdad", arrival="2025-01-08")],
        meetings=[],
    )
    (visit,) = assemble_text(text, draft, dt.date(2025, 1, 8)).visits
    assert visit.arrival is None


def test_a_host_in_his_own_capital_is_not_a_visitor() -> None:
    text = (
        "Lebanese Prime Minister Nawaf Salam arrived in Damascus on Monday for talks with Syria’s "
        "transitional president, Ahmad al-Shara, the first such visit in years."
    )
    draft = EventsDraft(
        actors=[actor("Nawaf Salam"), actor("Ahmad al-Shara")],
        visits=[DraftVisit(sentences=[1], visitors=["Salam", "al-Shara"], destination="Damascus")],
        meetings=[],
    )
    out = assemble_text(text, draft)
    (visit,) = out.visits
    assert [a.name for a in out.actors if a.id in visit.visitor_ids] == ["Nawaf Salam"]
    assert any("at home" in n.message for n in out.notes)
