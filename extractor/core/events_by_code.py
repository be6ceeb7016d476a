"""Trips and meetings read by code (``encounters.py``), added where no item of the draft covers them:
stated trips, encounters (one meeting per host of a list), and the visit of a guest received at a
stated place or in the dateline's city.
"""

from __future__ import annotations

import re

from extractor.core.attribution import ClaimCue
from extractor.core.builder import Builder, merge_evidence, position_in
from extractor.core.contract import EventStatus, Evidence, Place, When
from extractor.core.encounters import EncounterCue, TripCue, dateline_place, stated_place
from extractor.core.grounding import (
    mentions,
    sentence_evidence,
)
from extractor.core.names import fold, heads_of_bodies, holder_by_role, office_at_end
from extractor.core.pending import PendingMeeting, PendingVisit
from extractor.core.places import place_named, same_place
from extractor.core.repairs import Repair


def add_encounters(
    builder: Builder,
    meetings: list[PendingMeeting],
    encounters: list[EncounterCue],
    claim_cues: list[ClaimCue],
    visits: list[PendingVisit],
) -> None:
    """A meeting for each encounter sentence naming two or more actors that no meeting covers yet."""
    visitors = {i for v in visits for i in v.visitors}
    dateline = dateline_place(builder.article)
    # A named source often took part ("Trump told CNN he met Netanyahu"); an unnamed one or an outlet
    # only reports ("a political source told Shafaq News that Qaani met al-Maliki").
    sources = {
        c.sentence.number: c.source_span
        for c in claim_cues
        if c.source_span is not None and c.attribution_hint != "named"
    }
    for cue in encounters:
        what = f"meeting at sentence {cue.sentence.number}"
        text = cue.sentence.text
        source = sources.get(cue.sentence.number)
        if source is not None:
            # Who reports a meeting is not in it: blank the source phrase out.
            at = source.start - cue.sentence.start
            text = text[:at] + " " * (source.end - source.start) + text[at + source.end - source.start :]
        named = sorted(
            (i for i, a in enumerate(builder.actors) if mentions(text, a.names)),
            key=lambda i: position_in(text, builder.actors[i].names),
        )
        # "Hezbollah leader meets with ...": the body's head, when the article names one.
        for body, head in heads_of_bodies(builder.article):
            spot = next((i for i in named if builder.matches(builder.actors[i], body)), None)
            person = builder.actor_index(head, create=False)
            if (
                spot is not None
                and person is not None
                and re.search(rf"{re.escape(body)}\s+(?:leader|chief|head|commander)\b", text)
            ):
                named = list(dict.fromkeys(person if i == spot else i for i in named))
        people = [i for i in named if builder.actors[i].kind == "person"]
        bodies = [i for i in named if builder.actors[i].kind == "organization"]
        states = [i for i in named if builder.actors[i].kind == "state"]
        # A person stands for their state; states meet only when no person is named ("talks between
        # Washington and Tehran").
        participants = people + bodies if len(people) + len(bodies) >= 2 else states if not people else []
        if len(participants) < 2:
            continue
        evidence = [sentence_evidence(cue.sentence)]
        words = next(iter(builder.date_expressions(cue.sentence.text)), None)
        when = builder.resolve(words, cue.status, what) if words else None
        groups = [participants]
        if cue.several and len(participants) >= 3:
            # "meetings with his counterpart, the president and the prime minister": one per host,
            # each with the visitor (whoever travelled, else the first named).
            guest = next((i for i in participants if i in visitors), participants[0])
            groups = [[guest, other] for other in participants if other != guest]
        for group in groups:
            _add_encounter(builder, meetings, group, when, cue.status, evidence, what, exact=len(groups) > 1)
        if cue.guest_span is None or cue.host_span is None or cue.status != "occurred":
            continue
        guest_text = text[cue.guest_span[0] : cue.guest_span[1]]
        guests = [
            i for i in participants if position_in(guest_text, builder.actors[i].names) < len(guest_text)
        ]
        hosts = {i for i in participants if i not in guests}
        if not guests:
            continue
        # "Assad received Kharazi" in a story filed from Damascus, "hosting Orbán at Mar-a-Lago": the
        # guest travelled to the place the sentence states, else to the dateline's.
        where = stated_place(text[max(cue.guest_span[0], cue.host_span[0]) :]) or dateline
        # A host receiving guests at home did not travel there, nor to the guest's country (a small
        # model says so anyway): its visit stated by this sentence or to this place goes.
        for hosted in [
            v
            for v in visits
            if set(v.visitors) <= hosts
            and (
                (where is not None and fold(v.destination.name) == fold(where))
                or any(ev.start == cue.sentence.start for ev in v.evidence)
            )
        ]:
            visits.remove(hosted)
            visitors.difference_update(hosted.visitors)
            host, place = builder.actors[hosted.visitors[0]].names[0], hosted.destination.name
            builder.note(Repair.ITEM_DROPPED, f"{what}: visit by the host {host!r} to {place!r} dropped")
        if where is None:
            continue
        for guest in guests:
            if guest not in visitors:
                visitors.add(guest)
                builder.note(
                    Repair.ITEM_ADDED,
                    f"{what}: a visit by {builder.actors[guest].names[0]!r} to {where!r}, from the reception",
                )
                visits.append(
                    PendingVisit(
                        visitors=[guest],
                        destination=Place(name=place_named(where, builder.article)),
                        arrival=when,
                        status="occurred",
                        evidence=list(evidence),
                    )
                )


def _add_encounter(
    builder: Builder,
    meetings: list[PendingMeeting],
    participants: list[int],
    when: When | None,
    status: EventStatus,
    evidence: list[Evidence],
    what: str,
    *,
    exact: bool = False,
) -> None:
    """Add the meeting unless one with (about) these participants and a compatible date exists."""
    need = 1.0 if exact else 0.5
    covered = next(
        (
            m
            for m in meetings
            if len(set(m.participants) & set(participants)) / len(set(m.participants) | set(participants))
            >= need
            and (m.date is None or when is None or m.date.date == when.date)
        ),
        None,
    )
    if covered is not None:
        merge_evidence(covered.evidence, evidence)
        return
    builder.note(Repair.ITEM_ADDED, f"{what}: added from the sentence (no meeting of the draft covered it)")
    meetings.append(
        PendingMeeting(participants=participants, date=when, status=status, evidence=list(evidence))
    )


def add_trips(builder: Builder, visits: list[PendingVisit], trips: list[TripCue]) -> None:
    """A visit for each stated trip whose traveller is an actor and that no visit covers yet."""
    for trip in trips:
        what = f"visit at sentence {trip.sentence.number}"
        head = trip.sentence.text[: trip.verb_at]
        # The traveller: the person named last before the trip words ("Qaani arrived", "Araghchi's trip").
        named = [
            (pos, i)
            for i, a in enumerate(builder.actors)
            if a.kind == "person" and (pos := _last_position(head, a.names)) >= 0
        ]
        if not named:
            # "the Iranian foreign minister visited Qatar": the one actor holding that office.
            office = office_at_end(head)
            holder = holder_by_role(office, builder.article) if office else None
            found = builder.actor_index(holder, create=False) if holder else None
            if found is None:
                continue
            named = [(0, found)]
        visitor = max(named)[1]
        if builder.matches(builder.actors[visitor], trip.place) or any(
            builder.matches(a, trip.place) for a in builder.actors if a.kind == "person"
        ):
            continue  # "visited Assad": a person, not a place
        place = Place(name=place_named(trip.place, builder.article))
        if any(visitor in v.visitors and same_place(v.destination.name, place.name) for v in visits):
            continue
        words = next(iter(builder.date_expressions(trip.sentence.text[trip.verb_at :])), None)
        when = builder.resolve(words, trip.status, what) if words else None
        builder.note(
            Repair.ITEM_ADDED,
            f"{what}: a trip by {builder.actors[visitor].names[0]!r} to {trip.place!r} the draft missed",
        )
        visits.append(
            PendingVisit(
                visitors=[visitor],
                destination=place,
                arrival=when,
                status=trip.status,
                evidence=[sentence_evidence(trip.sentence)],
            )
        )


def _last_position(text: str, names: list[str]) -> int:
    spots = [text.rfind(w) for n in names for w in (n, n.split()[-1]) if w]
    return max(spots, default=-1)
