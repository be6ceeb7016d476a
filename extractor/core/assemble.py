"""Draft -> contract: ids, grounded evidence, resolved dates, one actor per entity.

One resolver per type turns the draft's items into pending records (``pending.py``): actors
(``resolve_actors``), visits, meetings and claims. With a prompt that leaves claims to code,
``claims_by_code`` and ``events_by_code`` add what code reads in the article itself. All of them share
one ``Builder`` (builder.py). ``number_and_build`` then gives every item its id, in order of first
appearance, and builds each contract object once.

Everything here is deterministic code over the article text; each repair or drop is recorded with
its code (``repairs.py``) and published as a warning in meta, so nothing changes silently.
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
from extractor.core.names import is_office_only, office_holders
from extractor.core.partial_dates import compatible
from extractor.core.pending import PendingClaim, PendingMeeting, PendingVisit, first_offset
from extractor.core.places import place_named, same_place, state_named_in, state_of_place
from extractor.core.repairs import Note, Repair
from extractor.core.sentences import Sentence


@dataclass
class Assembled:
    actors: list[Actor]
    visits: list[Visit]
    meetings: list[Meeting]
    claims: list[Claim]
    notes: list[Note]

    @property
    def warnings(self) -> list[str]:
        return [note.message for note in self.notes]


def assemble(
    draft: Draft | EventsDraft,
    article: str,
    sentences: list[Sentence],
    published: dt.date | None,
    *,
    claim_cues: list[ClaimCue] | None = None,
    encounters: list[EncounterCue] | None = None,
    outlet: str | None = None,
    language: str | None = "en",
) -> Assembled:
    """``claim_cues``: claims read by code (``attribution.find_cues``) instead of the draft's;
    ``encounters``: sentences code read as meetings (``encounters.find_encounters``), added where no
    meeting of the draft covers them; ``outlet``: the publishing outlet, never a claim's source;
    ``language``: the article's, for reading its dates."""
    builder = Builder(article, sentences, published, outlet, language)
    code_reads = claim_cues is not None or encounters is not None
    resolve_actors(builder, draft, offices=code_reads)
    visits = resolve_visits(builder, draft)
    meetings = resolve_meetings(builder, draft)
    if encounters is not None:
        add_trips(builder, visits, find_trips(sentences))
        add_encounters(builder, meetings, encounters, claim_cues or [], visits)
    claims = claims_from_cues(builder, claim_cues, outlet) if claim_cues is not None else []
    if isinstance(draft, Draft):
        claims += resolve_claims(builder, draft)
    return number_and_build(builder, visits, meetings, claims)


# --- one resolver per type --------------------------------------------------------------------------


def resolve_actors(builder: Builder, draft: Draft | EventsDraft, *, offices: bool) -> None:
    """The draft's actors, one per entity; with ``offices``, every person the article names with an
    office too ("Polish President Andrzej Duda"), whom the model's list, bounded and prone to loop,
    may have left out."""
    for actor in draft.actors:
        builder.add_actor(actor)
    if not offices:
        return
    for name, office in office_holders(builder.article):
        if builder.actor_index(name, create=False) is None and builder.in_article(name):
            builder.actors.append(ActorDraft(names=[name], kind="person", title=office))
            builder.note(Repair.ACTOR_ADDED, f"actor {name!r} added: named with an office ({office!r})")


def resolve_visits(builder: Builder, draft: Draft | EventsDraft) -> list[PendingVisit]:
    visits: list[PendingVisit] = []
    for i, dv in enumerate(draft.visits, start=1):
        what = f"visit {i}"
        visitors = builder.actor_ids(dv.visitors, what, builder.cited_text(dv.sentences))
        if not visitors:
            builder.note(Repair.ITEM_DROPPED, f"{what} dropped: no visitor is an actor of this article")
            continue
        destination = place_named(dv.destination, builder.article)
        at_home = _at_home(builder, visitors, destination)
        if at_home:
            # "Salam arrived in Damascus for talks with Syria's president, Ahmad al-Shara": the host
            # of his own capital is not one of its visitors.
            hosts = ", ".join(repr(builder.actors[i].name) for i in at_home)
            if len(at_home) == len(visitors):
                builder.note(Repair.ITEM_DROPPED, f"{what} dropped: {hosts} is at home in {destination!r}")
                continue
            builder.note(
                Repair.REFERENCE_DROPPED, f"{what}: visitor {hosts} dropped: at home in {destination!r}"
            )
            visitors = [i for i in visitors if i not in at_home]
        names = [n for j in visitors for n in builder.actors[j].names]
        evidence = builder.evidence(dv.sentences, names, what)
        if not evidence:
            builder.note(Repair.ITEM_DROPPED, f"{what} dropped: no sentence of the article supports it")
            continue
        if _called_off(evidence, dv.destination):
            builder.note(
                Repair.ITEM_DROPPED,
                f"{what} dropped: its sentence says the trip to {dv.destination!r} was called off",
            )
            continue
        visit = PendingVisit(
            visitors=visitors,
            destination=Place(name=destination, country=dv.destination_country),
            origin=Place(name=place_named(dv.origin, builder.article)) if dv.origin else None,
            arrival=builder.when(dv.arrival, dv.status, what, evidence),
            departure=builder.when(dv.departure, dv.status, what, evidence),
            disclosure=dv.disclosure,
            status=dv.status,
            purposes=list(dv.purposes),
            evidence=evidence,
        )
        _anchor_arrival(builder, visit, names, what)
        duplicate = next((v for v in visits if _same_visit(v, visit)), None)
        if duplicate is not None:
            merge_evidence(duplicate.evidence, evidence)
            builder.note(Repair.ITEM_MERGED, f"{what} merged into an identical earlier visit")
            continue
        visits.append(visit)
    return visits


def resolve_meetings(builder: Builder, draft: Draft | EventsDraft) -> list[PendingMeeting]:
    meetings: list[PendingMeeting] = []
    for i, dm in enumerate(draft.meetings, start=1):
        what = f"meeting {i}"
        participants = builder.actor_ids(dm.participants, what, builder.cited_text(dm.sentences))
        if len(participants) < 2:
            builder.note(
                Repair.ITEM_DROPPED, f"{what} dropped: fewer than two participants are actors of this article"
            )
            continue
        names = [n for j in participants for n in builder.actors[j].names]
        evidence = builder.evidence(dm.sentences, names, what)
        if not evidence:
            builder.note(Repair.ITEM_DROPPED, f"{what} dropped: no sentence of the article supports it")
            continue
        meeting = PendingMeeting(
            participants=participants,
            location=Place(name=place_named(dm.location, builder.article)) if dm.location else None,
            date=builder.when(dm.date, dm.status, what, evidence),
            status=dm.status,
            private=dm.private,
            topics=list(dm.topics),
            evidence=evidence,
        )
        same = next(
            (m for m in meetings if set(m.participants) == set(participants) and m.date == meeting.date), None
        )
        if same is not None:
            merge_evidence(same.evidence, evidence)
            builder.note(Repair.ITEM_MERGED, f"{what} merged into an identical earlier meeting")
            continue
        meetings.append(meeting)
    return meetings


def resolve_claims(builder: Builder, draft: Draft) -> list[PendingClaim]:
    """The claims of a draft that has them (prompts before ``claims: code``)."""
    article, sentences = builder.article, builder.sentences
    claims: list[PendingClaim] = []
    for i, dc in enumerate(draft.claims, start=1):
        what = f"claim {i}"
        speaker = builder.actor_index(dc.speaker, create=True) if dc.speaker else None
        about = builder.actor_ids(dc.about, what)
        quote_ev = locate(article, dc.quote) if dc.quote else None
        if dc.quote and quote_ev is None:
            builder.note(Repair.QUOTE_DROPPED, f"{what}: quote dropped: not found in the article")
        evidence = [quote_ev] if quote_ev is not None else []
        anchor_names = [dc.source, *([dc.speaker] if dc.speaker else [])]
        quote_sentence = containing_sentence(sentences, quote_ev) if quote_ev else None
        cited = builder.evidence(dc.sentences, [], what)
        for ev in cited:
            # The quote already points into its sentence; other cited sentences add context.
            if quote_sentence is None or ev.start != quote_sentence.start:
                merge_evidence(evidence, [ev])
        if not evidence:
            evidence = [sentence_evidence(s) for s in sentences_mentioning(sentences, anchor_names)]
        if not evidence:
            builder.note(Repair.ITEM_DROPPED, f"{what} dropped: no sentence of the article supports it")
            continue
        if quote_ev is None:
            # The model copied no quote (a small one rarely does): the quoted words of its sentence.
            quote_ev = next((q for ev in cited if (q := _quote_in(article, sentences, ev))), None)
        if not about:
            about = named_in(builder, cited or evidence[:1], exclude=speaker)
        claims.append(
            PendingClaim(
                speaker=speaker,
                about=about,
                source=dc.source,
                attribution=dc.attribution,
                statement=dc.statement,
                quote=quote_ev.text if quote_ev else None,
                evidence=evidence[:MAX_EVIDENCE],
            )
        )
    return claims


# --- numbering ----------------------------------------------------------------------------------------


def number_and_build(
    builder: Builder, visits: list[PendingVisit], meetings: list[PendingMeeting], claims: list[PendingClaim]
) -> Assembled:
    """Ids in order of first appearance in the article (equal input, equal ids); each contract object
    built once, with its final ids."""
    used = {i for v in visits for i in v.visitors} | {i for m in meetings for i in m.participants}
    used |= {i for c in claims for i in (c.speaker, *c.about) if i is not None}
    things = {i for i, a in enumerate(builder.actors) if i not in used and _a_thing(builder, a)}
    for i in sorted(things):
        builder.note(
            Repair.ACTOR_DROPPED,
            f"actor {builder.actors[i].names[0]!r} dropped: a thing, not someone who acts",
        )
    unnamed = {i for i, a in enumerate(builder.actors) if i not in used and i not in things and _unnamed(a)}
    for i in sorted(unnamed):
        builder.note(
            Repair.ACTOR_DROPPED,
            f"actor {builder.actors[i].names[0]!r} dropped: unnamed, and in no event or claim",
        )
    things |= unnamed
    actor_ids = _actor_ids(builder, skip=things)
    actors = _finish_actors(builder, actor_ids)
    out_visits = [
        Visit(
            id=f"V{n}",
            visitor_ids=[actor_ids[i] for i in v.visitors],
            destination=v.destination,
            origin=v.origin,
            arrival=v.arrival,
            departure=v.departure,
            disclosure=v.disclosure,
            status=v.status,
            purposes=v.purposes,
            evidence=v.evidence,
        )
        for n, v in enumerate(sorted(visits, key=lambda v: first_offset(v.evidence)), start=1)
    ]
    out_meetings: list[Meeting] = []
    for n, m in enumerate(sorted(meetings, key=lambda m: first_offset(m.evidence)), start=1):
        ids = [actor_ids[i] for i in m.participants]
        out_meetings.append(
            Meeting(
                id=f"M{n}",
                participant_ids=ids,
                visit_id=_visit_of(m, ids, out_visits),
                location=m.location,
                date=m.date,
                status=m.status,
                private=m.private,
                topics=m.topics,
                evidence=m.evidence,
            )
        )
    out_claims = [
        Claim(
            id=f"C{n}",
            speaker_id=actor_ids[c.speaker] if c.speaker is not None else None,
            source=c.source,
            attribution=c.attribution,
            statement=c.statement,
            quote=c.quote,
            about_ids=[actor_ids[i] for i in c.about],
            evidence=c.evidence,
        )
        for n, c in enumerate(sorted(claims, key=lambda c: first_offset(c.evidence)), start=1)
    ]
    return Assembled(actors, out_visits, out_meetings, out_claims, builder.notes)


# --- helpers ----------------------------------------------------------------------------------------

_ARRIVAL_VERB = re.compile(r"\b(?:arrived|arrives|arriving|travell?ed|landed|flew)\b", re.IGNORECASE)
_ARRIVAL_WINDOW = dt.timedelta(days=7)


def _anchor_arrival(builder: Builder, visit: PendingVisit, visitor_names: list[str], what: str) -> None:
    """Take the arrival date from the sentence that states the arrival, when the article has one.

    A small model often copies the date of something else the visitor did ("held meetings on
    Thursday") as the arrival, or gives none. When exactly one date is written after an arrival verb
    in sentences that name the visitor and the destination ("Qaani arrived in Baghdad on Wednesday"),
    that date wins, provided it is within a week of the model's (so a background trip keeps its own
    date). With no date from the model, a date between the visitor and the verb counts too ("Lavrov
    on Monday arrived in New Delhi").
    """
    if visit.status != "occurred":
        return
    destination = [t for t in re.findall(r"\w+", visit.destination.name) if len(t) >= 4]
    found: dict[str, Sentence] = {}
    for s in builder.sentences:
        verb = _ARRIVAL_VERB.search(s.text)
        if verb is None or not mentions(s.text[: verb.start()], visitor_names):
            continue
        if destination and not any(t in s.text for t in destination):
            continue
        after = builder.date_expressions(s.text[verb.end() :])
        if not after and visit.arrival is None:
            after = builder.date_expressions(s.text[: verb.start()])
        if after:
            found.setdefault(after[0], s)
    if len(found) != 1:
        return
    (words, sentence), *_ = found.items()
    when = builder.resolve(words, "occurred", what)
    if visit.arrival is None:
        if when is None or when.date is None:
            return
        builder.note(
            Repair.DATE_REPLACED, f"{what}: arrival {words!r} taken from the sentence that states the arrival"
        )
    else:
        if words_in_article(sentence.text, visit.arrival.text):
            return
        old, new = visit.arrival.date, when.date if when else None
        if not (old and new and len(old) == len(new) == 10):
            return
        if abs(dt.date.fromisoformat(old) - dt.date.fromisoformat(new)) > _ARRIVAL_WINDOW:
            return
        builder.note(
            Repair.DATE_REPLACED,
            f"{what}: arrival {visit.arrival.text!r} replaced by {words!r}, written after the arrival",
        )
    merge_evidence(visit.evidence, [sentence_evidence(sentence)])
    visit.arrival = when


def _at_home(builder: Builder, visitors: list[int], destination: str) -> list[int]:
    """The people among ``visitors`` whose office is in the state the destination is or heads."""
    state = state_of_place(destination)
    if state is None:
        return []
    offices = dict(office_holders(builder.article))

    def office(i: int) -> str:
        actor = builder.actors[i]
        return " ".join([actor.title or "", *(offices.get(n, "") for n in actor.names)])

    return [i for i in visitors if builder.actors[i].kind == "person" and state_named_in(office(i)) == state]


def _called_off(evidence: list[Evidence], destination: str) -> bool:
    """Every cited sentence that names the destination calls the trip off ("canceled a planned visit
    to South Korea")."""
    stated = [ev.text for ev in evidence if destination and destination in ev.text]
    return bool(stated) and all(is_called_off(text, text.index(destination)) for text in stated)


def _quote_in(article: str, sentences: list[Sentence], evidence: Evidence) -> Evidence | None:
    sentence = containing_sentence(sentences, evidence)
    return quoted_span(article, sentence) if sentence else None


def _same_visit(a: PendingVisit, b: PendingVisit) -> bool:
    return (
        set(a.visitors) == set(b.visitors)
        and same_place(a.destination.name, b.destination.name)
        and (a.arrival.date if a.arrival else None) == (b.arrival.date if b.arrival else None)
        and a.status == b.status
    )


_LINK_WORDS = frozenset({"of", "the", "and", "for", "de", "al", "bin", "el", "da", "von", "van"})


def _a_thing(builder: Builder, actor: ActorDraft) -> bool:
    """An "other" the model listed that is a thing, not an actor: "Sh180 billion dualing", "a guard of
    honour", "400KV Menengai-Rongai electricity transmission line" (digits, common words, or a
    phrase the article writes in lower case)."""
    if actor.kind != "other":
        return False
    name = best_name(actor.names)
    words = re.findall(r"[\w’'\-]+", name)
    if any(ch.isdigit() for ch in name) or any(w[:1].islower() and w not in _LINK_WORDS for w in words):
        return True
    return re.search(rf"(?<![\w-]){re.escape(name.lower())}(?![\w-])", builder.article) is not None


_PEOPLE = frozenset(
    {"officials", "diplomats", "figures", "advisers", "advisors", "experts", "sources", "analysts", "members"}
)


def _unnamed(actor: ActorDraft) -> bool:
    """People the article does not name ("career diplomats", "a US embassy spokeswoman", "Iranian
    Foreign Minister" with no holder named, "US officials"): not actors of their own (evals/GUIDE.md);
    in an event they would stand for their state, which the event resolvers handle."""
    name = best_name(actor.names)
    words = re.findall(r"[\w’'\-]+", name)
    if actor.kind == "person":
        lower = [
            w
            for w in words
            if w[:1].islower() and w not in _LINK_WORDS and not re.match(r"(?:al|el|bin|ibn|abu)-", w)
        ]
        return bool(lower) or is_office_only(name)
    return actor.kind == "organization" and bool(words) and words[-1].lower() in _PEOPLE


def _actor_ids(builder: Builder, skip: set[int]) -> dict[int, str]:
    def first_mention(i: int) -> int:
        at = [builder.article.find(n) for n in builder.actors[i].names]
        found = [x for x in at if x >= 0]
        if found:
            return min(found)
        hits = sentences_mentioning(builder.sentences, builder.actors[i].names)
        return hits[0].start if hits else len(builder.article)

    order = sorted(
        (i for i in range(len(builder.actors)) if i not in skip), key=lambda i: (first_mention(i), i)
    )
    return {i: f"A{n}" for n, i in enumerate(order, start=1)}


def _finish_actors(builder: Builder, ids: dict[int, str]) -> list[Actor]:
    actors: list[Actor] = []
    for i, a in enumerate(builder.actors):
        if i not in ids:
            continue
        name = a.name
        evidence = builder.evidence(a.sentence_numbers, a.names, f"actor {name!r}")
        if not evidence:
            spans = [locate(builder.article, n, fuzzy=False) for n in a.names]
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


def _visit_of(meeting: PendingMeeting, participant_ids: list[str], visits: list[Visit]) -> str | None:
    """The visit a meeting happened during: a shared actor, a compatible place and date."""
    for v in visits:
        if not set(v.visitor_ids) & set(participant_ids):
            continue
        if meeting.location and not same_place(meeting.location.name, v.destination.name):
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


def _dates_compatible(visit: Visit, meeting: PendingMeeting) -> bool:
    arrival = visit.arrival.date if visit.arrival else None
    date = meeting.date.date if meeting.date else None
    if arrival is None or date is None:
        return True
    if len(arrival) < 10 or len(date) < 10:
        return compatible(arrival, date)
    departure = visit.departure.date if visit.departure and visit.departure.date else None
    until = (
        dt.date.fromisoformat(departure)
        if departure and len(departure) == 10
        else (dt.date.fromisoformat(arrival) + dt.timedelta(days=7))
    )
    return dt.date.fromisoformat(arrival) <= dt.date.fromisoformat(date) <= until


__all__ = ["Assembled", "assemble"]
