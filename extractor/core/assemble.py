"""Draft -> contract: ids, grounded evidence, resolved dates, one actor per entity.

The draft's actors, visits, meetings and claims are resolved here; with a prompt that leaves claims to
code, ``claims_by_code`` and ``events_by_code`` add what code reads in the article itself. All of them
share one ``Builder`` (builder.py).

Everything here is deterministic code over the article text; each repair or drop is reported as a
warning in meta so nothing changes silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from extractor.core.attribution import ClaimCue
from extractor.core.builder import MAX_EVIDENCE, ActorDraft, Builder, best_name, merge_evidence, named_in
from extractor.core.claims_by_code import claims_from_cues
from extractor.core.contract import (
    Actor,
    Claim,
    Evidence,
    Meeting,
    Place,
    Visit,
)
from extractor.core.dates import date_expressions, resolve
from extractor.core.draft import Draft, EventsDraft
from extractor.core.encounters import EncounterCue, find_trips, is_called_off
from extractor.core.events_by_code import add_encounters, add_trips
from extractor.core.grounding import (
    containing_sentence,
    locate,
    mentions,
    quoted_span,
    sentence_evidence,
    sentences_mentioning,
    words_in_article,
)
from extractor.core.names import office_holders, same_person
from extractor.core.places import place_named
from extractor.core.sentences import Sentence


@dataclass
class Assembled:
    actors: list[Actor]
    visits: list[Visit]
    meetings: list[Meeting]
    claims: list[Claim]
    warnings: list[str]


def assemble(
    draft: Draft | EventsDraft,
    article: str,
    sentences: list[Sentence],
    published: dt.date | None,
    *,
    claim_cues: list[ClaimCue] | None = None,
    encounters: list[EncounterCue] | None = None,
    outlet: str | None = None,
) -> Assembled:
    """``claim_cues``: claims read by code (``attribution.find_cues``) instead of the draft's;
    ``encounters``: sentences code read as meetings (``encounters.find_encounters``), added where no
    meeting of the draft covers them; ``outlet``: the publishing outlet, never a claim's source."""
    b = Builder(article, sentences, published, outlet)
    for actor in draft.actors:
        b.add_actor(actor)
    if claim_cues is not None or encounters is not None:
        # Code reads the article too: a person an office names ("Polish President Andrzej Duda") is an
        # actor even when the model's list, bounded and prone to loop, left them out.
        for name, office in office_holders(article):
            if b.actor_index(name, create=False) is None and b._in_article(name):
                b.actors.append(ActorDraft(names=[name], kind="person", title=office))
                b.warn(f"actor {name!r} added: named with an office ({office!r})")

    visits: list[tuple[list[int], Visit]] = []
    for i, dv in enumerate(draft.visits, start=1):
        what = f"visit {i}"
        visitor_idx = b.actor_ids(dv.visitors, what, b.cited_text(dv.sentences))
        if not visitor_idx:
            b.warn(f"{what} dropped: no visitor is an actor of this article")
            continue
        names = [n for j in visitor_idx for n in b.actors[j].names]
        evidence = b.evidence(dv.sentences, names, what)
        if not evidence:
            b.warn(f"{what} dropped: no sentence of the article supports it")
            continue
        if _called_off(evidence, dv.destination):
            b.warn(f"{what} dropped: its sentence says the trip to {dv.destination!r} was called off")
            continue
        visit = Visit(
            id="V1",  # placeholder; numbered after sorting
            visitor_ids=["A1"],
            destination=Place(name=place_named(dv.destination, article), country=dv.destination_country),
            origin=Place(name=place_named(dv.origin, article)) if dv.origin else None,
            arrival=b.when(dv.arrival, dv.status, what, evidence),
            departure=b.when(dv.departure, dv.status, what, evidence),
            disclosure=dv.disclosure,
            status=dv.status,
            purposes=list(dv.purposes),
            evidence=evidence,
        )
        visit = _anchor_arrival(b, visit, names, what)
        duplicate = next((v for idx, v in visits if _same_visit(idx, v, visitor_idx, visit)), None)
        if duplicate is not None:
            merge_evidence(duplicate.evidence, evidence)
            b.warn(f"{what} merged into an identical earlier visit")
            continue
        visits.append((visitor_idx, visit))

    meetings: list[tuple[list[int], Meeting]] = []
    for i, dm in enumerate(draft.meetings, start=1):
        what = f"meeting {i}"
        participant_idx = b.actor_ids(dm.participants, what, b.cited_text(dm.sentences))
        if len(participant_idx) < 2:
            b.warn(f"{what} dropped: fewer than two participants are actors of this article")
            continue
        names = [n for j in participant_idx for n in b.actors[j].names]
        evidence = b.evidence(dm.sentences, names, what)
        if not evidence:
            b.warn(f"{what} dropped: no sentence of the article supports it")
            continue
        meeting = Meeting(
            id="M1",  # placeholder
            participant_ids=["A1"],
            location=Place(name=place_named(dm.location, article)) if dm.location else None,
            date=b.when(dm.date, dm.status, what, evidence),
            status=dm.status,
            private=dm.private,
            topics=list(dm.topics),
            evidence=evidence,
        )
        same_meeting = next(
            (m for idx, m in meetings if set(idx) == set(participant_idx) and m.date == meeting.date), None
        )
        if same_meeting is not None:
            merge_evidence(same_meeting.evidence, evidence)
            b.warn(f"{what} merged into an identical earlier meeting")
            continue
        meetings.append((participant_idx, meeting))

    if encounters is not None:
        add_trips(b, visits, find_trips(sentences))
        add_encounters(b, meetings, encounters, claim_cues or [], visits)

    claims: list[tuple[int | None, list[int], Claim]] = []
    if claim_cues is not None:
        claims = claims_from_cues(b, claim_cues, outlet)
    for i, dc in enumerate(draft.claims if isinstance(draft, Draft) else [], start=1):
        what = f"claim {i}"
        speaker = b.actor_index(dc.speaker, create=True) if dc.speaker else None
        about_idx = b.actor_ids(dc.about, what)
        quote_ev = locate(article, dc.quote) if dc.quote else None
        if dc.quote and quote_ev is None:
            b.warn(f"{what}: quote dropped: not found in the article")
        evidence = [quote_ev] if quote_ev is not None else []
        anchor_names = [dc.source, *([dc.speaker] if dc.speaker else [])]
        quote_sentence = containing_sentence(sentences, quote_ev) if quote_ev else None
        cited = b.evidence(dc.sentences, [], what)
        for ev in cited:
            # The quote already points into its sentence; other cited sentences add context.
            if quote_sentence is None or ev.start != quote_sentence.start:
                merge_evidence(evidence, [ev])
        if not evidence:
            evidence = [sentence_evidence(s) for s in sentences_mentioning(sentences, anchor_names)]
        if not evidence:
            b.warn(f"{what} dropped: no sentence of the article supports it")
            continue
        if quote_ev is None:
            # The model copied no quote (a small one rarely does): the quoted words of its sentence.
            quote_ev = next((q for ev in cited if (q := _quote_in(article, sentences, ev))), None)
        if not about_idx:
            about_idx = named_in(b, cited or evidence[:1], exclude=speaker)
        claim = Claim(
            id="C1",  # placeholder
            source=dc.source,
            attribution=dc.attribution,
            statement=dc.statement,
            quote=quote_ev.text if quote_ev else None,
            evidence=evidence[:MAX_EVIDENCE],
        )
        claims.append((speaker, about_idx, claim))

    used = {i for idx, _ in visits for i in idx} | {i for idx, _ in meetings for i in idx}
    used |= {i for speaker, about, _ in claims for i in (speaker, *about) if i is not None}
    things = {i for i, a in enumerate(b.actors) if i not in used and _a_thing(b, a)}
    for i in sorted(things):
        b.warn(f"actor {b.actors[i].names[0]!r} dropped: a thing, not someone who acts")
    # Ids in order of first appearance in the article, so equal input gives equal ids.
    actor_ids = _actor_ids(b, sentences, skip=things)
    out_actors = _finish_actors(b, actor_ids)
    out_visits: list[Visit] = []
    for n, (idx, v) in enumerate(sorted(visits, key=lambda p: _first_offset(p[1].evidence)), start=1):
        out_visits.append(v.model_copy(update={"id": f"V{n}", "visitor_ids": [actor_ids[i] for i in idx]}))
    out_meetings: list[Meeting] = []
    for n, (idx, m) in enumerate(sorted(meetings, key=lambda p: _first_offset(p[1].evidence)), start=1):
        ids = [actor_ids[i] for i in idx]
        out_meetings.append(
            m.model_copy(
                update={"id": f"M{n}", "participant_ids": ids, "visit_id": _visit_of(m, ids, out_visits)}
            )
        )
    out_claims: list[Claim] = []
    for n, (speaker, idx, c) in enumerate(
        sorted(claims, key=lambda p: _first_offset(p[2].evidence)), start=1
    ):
        out_claims.append(
            c.model_copy(
                update={
                    "id": f"C{n}",
                    "speaker_id": actor_ids[speaker] if speaker is not None else None,
                    "about_ids": [actor_ids[i] for i in idx],
                }
            )
        )
    return Assembled(out_actors, out_visits, out_meetings, out_claims, b.warnings)


_ARRIVAL_VERB = re.compile(r"\b(?:arrived|arrives|arriving|travell?ed|landed|flew)\b", re.IGNORECASE)
_ARRIVAL_WINDOW = dt.timedelta(days=7)


def _anchor_arrival(b: Builder, visit: Visit, visitor_names: list[str], what: str) -> Visit:
    """Take the arrival date from the sentence that states the arrival, when the article has one.

    A small model often copies the date of something else the visitor did ("held meetings on
    Thursday") as the arrival, or gives none. When exactly one date is written after an arrival verb
    in sentences that name the visitor and the destination ("Qaani arrived in Baghdad on Wednesday"),
    that date wins, provided it is within a week of the model's (so a background trip keeps its own
    date). With no date from the model, a date between the visitor and the verb counts too ("Lavrov
    on Monday arrived in New Delhi").
    """
    if visit.status != "occurred":
        return visit
    destination = [t for t in re.findall(r"\w+", visit.destination.name) if len(t) >= 4]
    found: dict[str, Sentence] = {}
    for s in b.sentences:
        verb = _ARRIVAL_VERB.search(s.text)
        if verb is None or not mentions(s.text[: verb.start()], visitor_names):
            continue
        if destination and not any(t in s.text for t in destination):
            continue
        after = date_expressions(s.text[verb.end() :])
        if not after and visit.arrival is None:
            after = date_expressions(s.text[: verb.start()])
        if after:
            found.setdefault(after[0], s)
    if len(found) != 1:
        return visit
    (words, sentence), *_ = found.items()
    when = resolve(words, b.published, "occurred")
    if visit.arrival is None:
        if when is None or when.date is None:
            return visit
        b.warn(f"{what}: arrival {words!r} taken from the sentence that states the arrival")
    else:
        if words_in_article(sentence.text, visit.arrival.text):
            return visit
        old, new = visit.arrival.date, when.date if when else None
        if not (old and new and len(old) == len(new) == 10):
            return visit
        if abs(dt.date.fromisoformat(old) - dt.date.fromisoformat(new)) > _ARRIVAL_WINDOW:
            return visit
        b.warn(f"{what}: arrival {visit.arrival.text!r} replaced by {words!r}, written after the arrival")
    evidence = list(visit.evidence)
    merge_evidence(evidence, [sentence_evidence(sentence)])
    return visit.model_copy(update={"arrival": when, "evidence": evidence})


def _called_off(evidence: list[Evidence], destination: str) -> bool:
    """Every cited sentence that names the destination calls the trip off ("canceled a planned visit
    to South Korea")."""
    stated = [ev.text for ev in evidence if destination and destination in ev.text]
    return bool(stated) and all(is_called_off(text, text.index(destination)) for text in stated)


def _quote_in(article: str, sentences: list[Sentence], evidence: Evidence) -> Evidence | None:
    sentence = containing_sentence(sentences, evidence)
    return quoted_span(article, sentence) if sentence else None


def _first_offset(evidence: list[Evidence]) -> int:
    return min((e.start for e in evidence), default=1 << 30)


def _same_visit(idx_a: list[int], a: Visit, idx_b: list[int], b: Visit) -> bool:
    return (
        set(idx_a) == set(idx_b)
        and same_person(a.destination.name, b.destination.name)
        and (a.arrival.date if a.arrival else None) == (b.arrival.date if b.arrival else None)
        and a.status == b.status
    )


_LINK_WORDS = frozenset({"of", "the", "and", "for", "de", "al", "bin", "el", "da", "von", "van"})


def _a_thing(b: Builder, actor: ActorDraft) -> bool:
    """An "other" the model listed that is a thing, not an actor: "Sh180 billion dualing", "a guard of
    honour", "400KV Menengai-Rongai electricity transmission line" (digits, common words, or a
    phrase the article writes in lower case)."""
    if actor.kind != "other":
        return False
    name = best_name(actor.names)
    words = re.findall(r"[\w’'\-]+", name)
    if any(ch.isdigit() for ch in name) or any(w[:1].islower() and w not in _LINK_WORDS for w in words):
        return True
    return re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", b.article) is not None


def _actor_ids(b: Builder, sentences: list[Sentence], skip: set[int]) -> dict[int, str]:
    def first_mention(i: int) -> int:
        at = [b.article.find(n) for n in b.actors[i].names]
        found = [x for x in at if x >= 0]
        if found:
            return min(found)
        hits = sentences_mentioning(sentences, b.actors[i].names)
        return hits[0].start if hits else len(b.article)

    order = sorted((i for i in range(len(b.actors)) if i not in skip), key=lambda i: (first_mention(i), i))
    return {i: f"A{n}" for n, i in enumerate(order, start=1)}


def _finish_actors(b: Builder, ids: dict[int, str]) -> list[Actor]:
    actors: list[Actor] = []
    for i, a in enumerate(b.actors):
        if i not in ids:
            continue
        name = best_name(a.names)
        evidence = b.evidence(a.sentence_numbers, a.names, f"actor {name!r}")
        if not evidence:
            spans = [locate(b.article, n, fuzzy=False) for n in a.names]
            evidence = [next(sp for sp in spans if sp is not None)] if any(spans) else []
        actors.append(
            Actor(
                id=ids[i],
                name=name,
                aliases=[n for n in a.names if n != name],
                kind=a.kind,
                title=a.title,
                affiliation=a.affiliation,
                country=a.country,
                evidence=evidence[:2],
            )
        )
    return sorted(actors, key=lambda a: int(a.id[1:]))


def _visit_of(meeting: Meeting, participant_ids: list[str], visits: list[Visit]) -> str | None:
    """The visit a meeting happened during: a shared actor, a compatible place and date."""
    for v in visits:
        if not set(v.visitor_ids) & set(participant_ids):
            continue
        if meeting.location and not (
            same_person(meeting.location.name, v.destination.name)
            or meeting.location.name.lower() in v.destination.name.lower()
            or v.destination.name.lower() in meeting.location.name.lower()
        ):
            continue
        if (
            v.status != meeting.status
            and "planned" in (v.status, meeting.status)
            and meeting.status != "planned"
        ):
            continue
        if not _dates_compatible(v, meeting):
            continue
        return v.id
    return None


def _dates_compatible(visit: Visit, meeting: Meeting) -> bool:
    arrival = visit.arrival.date if visit.arrival else None
    date = meeting.date.date if meeting.date else None
    if arrival is None or date is None:
        return True
    if len(arrival) < 10 or len(date) < 10:
        return arrival.startswith(date) or date.startswith(arrival)
    departure = visit.departure.date if visit.departure and visit.departure.date else None
    until = (
        dt.date.fromisoformat(departure)
        if departure and len(departure) == 10
        else (dt.date.fromisoformat(arrival) + dt.timedelta(days=7))
    )
    return dt.date.fromisoformat(arrival) <= dt.date.fromisoformat(date) <= until
