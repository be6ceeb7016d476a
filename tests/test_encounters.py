"""Meetings read by code (core/encounters.py) and added by assemble where the draft has none."""

from __future__ import annotations

import datetime as dt

from extractor.core.assemble import assemble
from extractor.core.attribution import find_cues
from extractor.core.draft import DraftActor, DraftMeeting, EventsDraft
from extractor.core.encounters import encounter_in, find_encounters
from extractor.core.sentences import split_sentences


def status_of(text: str) -> tuple[str, bool] | None:
    (sentence,) = split_sentences(text)
    cue = encounter_in(sentence)
    return (cue.status, cue.several) if cue else None


def test_encounter_sentences() -> None:
    assert status_of("Qaani arrived in Baghdad on Wednesday and met with Qassem al-Araji.") == (
        "occurred",
        False,
    )
    assert status_of("He is expected to meet Khamenei on Friday.") == ("planned", False)
    assert status_of("His visit will include meetings with Fuad Hussein and Barham Salih.") == (
        "planned",
        True,
    )
    assert status_of("President Bashar al-Assad on Sunday received Kamal Kharazi.") == ("occurred", False)
    # Not in person, denied, or no meeting at all.
    assert status_of("Trump has also spoken by phone with Mohammed bin Salman.") is None
    assert status_of("Peskov said there was no secret second meeting between Trump and Putin.") is None
    assert status_of("Moon sent a message to Trump.") is None
    assert status_of("Lavrov arrived in New Delhi on Monday.") is None


TEXT = (
    "Esmail Qaani arrived in Baghdad on Wednesday and met with Qassem al-Araji. "
    "A political source told Shafaq News that Qaani met with Nouri al-Maliki. "
    "Araghchi's visit will include meetings with Fuad Hussein, Abdullatif Rashid and Mohammed al-Sudani."
)
ACTORS = [
    "Esmail Qaani",
    "Qassem al-Araji",
    "Nouri al-Maliki",
    "Araghchi",
    "Fuad Hussein",
    "Abdullatif Rashid",
    "Mohammed al-Sudani",
]


def meetings(draft_meetings: list[DraftMeeting]) -> list[tuple[list[str], str | None, str]]:
    sentences = split_sentences(TEXT)
    built = assemble(
        EventsDraft(
            actors=[DraftActor(name=n, kind="person") for n in ACTORS], visits=[], meetings=draft_meetings
        ),
        TEXT,
        sentences,
        dt.date(2025, 5, 15),
        claim_cues=find_cues(sentences, TEXT),
        encounters=find_encounters(sentences),
        outlet="Shafaq News",
    )
    names = {a.id: a.name for a in built.actors}
    return [
        (sorted(names[i] for i in m.participant_ids), m.date.date if m.date else None, m.status)
        for m in built.meetings
    ]


def test_encounters_become_meetings_one_per_host_and_never_with_the_reporting_source() -> None:
    assert meetings([]) == [
        (["Esmail Qaani", "Qassem al-Araji"], "2025-05-14", "occurred"),
        (["Esmail Qaani", "Nouri al-Maliki"], None, "occurred"),
        (["Araghchi", "Fuad Hussein"], None, "planned"),
        (["Abdullatif Rashid", "Araghchi"], None, "planned"),
        (["Araghchi", "Mohammed al-Sudani"], None, "planned"),
    ]


def test_a_meeting_of_the_draft_is_not_added_twice() -> None:
    draft = DraftMeeting(sentences=[1], participants=["Esmail Qaani", "Qassem al-Araji"], date="Wednesday")
    found = meetings([draft])
    assert sum(1 for p, _, _ in found if p == ["Esmail Qaani", "Qassem al-Araji"]) == 1


RECEPTION = (
    "Damascus, SANA – President Bashar al-Assad on Sunday received Kamal Kharazi and the accompanying"
    " delegation.\n"
    "Kharazi stressed the importance of cooperation."
)


def test_a_guest_received_in_the_dateline_city_travelled_there_and_the_host_did_not() -> None:
    sentences = split_sentences(RECEPTION)
    draft = EventsDraft(
        actors=[
            DraftActor(name="Bashar al-Assad", kind="person"),
            DraftActor(name="Kamal Kharazi", kind="person"),
        ],
        # A small model's reading: the host "visited" his own capital.
        visits=[{"sentences": [1], "visitors": ["Bashar al-Assad"], "destination": "Damascus"}],  # type: ignore[list-item]
        meetings=[],
    )
    built = assemble(
        draft,
        RECEPTION,
        sentences,
        dt.date(2018, 1, 21),
        claim_cues=find_cues(sentences, RECEPTION),
        encounters=find_encounters(sentences),
        outlet="SANA",
    )
    names = {a.id: a.name for a in built.actors}
    assert [
        ([names[i] for i in v.visitor_ids], v.destination.name, v.arrival.date if v.arrival else None)
        for v in built.visits
    ] == [(["Kamal Kharazi"], "Damascus", "2018-01-21")]
    assert [sorted(names[i] for i in m.participant_ids) for m in built.meetings] == [
        ["Bashar al-Assad", "Kamal Kharazi"]
    ]


def test_stated_trips_the_draft_missed_become_visits() -> None:
    text = "Araghchi arrived in Baghdad on Sunday. Following his visit, Araghchi will head to Muscat."
    sentences = split_sentences(text)
    built = assemble(
        EventsDraft(actors=[DraftActor(name="Araghchi", kind="person")], visits=[], meetings=[]),
        text,
        sentences,
        dt.date(2024, 10, 13),
        claim_cues=find_cues(sentences, text),
        encounters=find_encounters(sentences),
    )
    assert [(v.destination.name, v.status, v.arrival.date if v.arrival else None) for v in built.visits] == [
        ("Baghdad", "occurred", "2024-10-13"),
        ("Muscat", "planned", None),
    ]
