"""Merging the Visits and Meetings that different articles report of one event.

Rules (docs/consolidation.md):

- Two visit mentions can be one trip when their visitors share a merged actor, their destinations
  are compatible (places.py) and their stays overlap at the dates' precisions, with a one-day
  tolerance between two day-precise dates (outlets disagree by a day; the disagreement is flagged).
- Two meeting mentions can be one meeting when their participants share two merged actors, or one
  participant list of two or more contains the other, or both name the same single participant;
  their places (own location, else the destination of the visit they belong to) are compatible;
  their dates agree at their precisions (no tolerance: meetings on consecutive days are usually
  different meetings); and they do not belong to two different consolidated visits.
- Two mentions from one article are never merged: the article's extraction already decided they
  are different events (two meetings on one day, the April and the May trip).
- A mention joins an event only if it is compatible with every mention already in it. Mentions are
  placed most-precise first (day, then month, year, undated; city before country), so precise
  reports form the events and vaguer ones attach to them. A mention that fits several events is
  not guessed into one: it becomes its own event, and the events are cross-listed in
  ``possibly_same_as``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Generic, Literal, TypeVar

from extractor.consolidation.actors import item_number
from extractor.consolidation.model import (
    Conflict,
    ConflictField,
    ConflictValue,
    EventDate,
    MeetingEvent,
    Support,
    SupportRef,
    VisitEvent,
)
from extractor.consolidation.places import PlaceKey, most_specific, place_key, places_compatible
from extractor.core.contract import ArticleExtraction, EventStatus, Meeting, Visit, When
from extractor.core.names import fold
from extractor.core.partial_dates import (
    PRECISION_RANK,
    Span,
    agreed_date,
    is_chain,
    precision_of,
    span,
    spans_compatible,
)

VISIT_DAY_TOLERANCE = 1


def _date_of(when: When | None) -> str | None:
    return when.date if when is not None else None


def event_date(date: str | None) -> EventDate:
    return EventDate(date=date, precision=precision_of(date))


@dataclass(frozen=True)
class VisitMention:
    article_id: str
    visit: Visit
    visitors: frozenset[str]
    place: PlaceKey
    origin: PlaceKey | None

    @property
    def start(self) -> str | None:
        return _date_of(self.visit.arrival) or _date_of(self.visit.departure)

    @property
    def end(self) -> str | None:
        return _date_of(self.visit.departure)

    @cached_property
    def span(self) -> Span | None:
        return span(self.start, self.end)

    @property
    def ref(self) -> SupportRef:
        return SupportRef(article_id=self.article_id, item_id=self.visit.id)

    def rank(self) -> tuple[int, int, str, int]:
        return (
            PRECISION_RANK[precision_of(self.start)],
            1 if self.place.is_country_level else 0,
            self.article_id,
            item_number(self.visit.id),
        )


@dataclass(frozen=True)
class MeetingMention:
    article_id: str
    meeting: Meeting
    participants: frozenset[str]
    place: PlaceKey | None
    visit_event: int | None  # index of the consolidated visit its article's visit went into

    @property
    def date(self) -> str | None:
        return _date_of(self.meeting.date)

    @property
    def ref(self) -> SupportRef:
        return SupportRef(article_id=self.article_id, item_id=self.meeting.id)

    def rank(self) -> tuple[int, int, int, str, int]:
        return (
            PRECISION_RANK[precision_of(self.date)],
            0 if self.place is not None and not self.place.is_country_level else 1,
            -len(self.participants),
            self.article_id,
            item_number(self.meeting.id),
        )


def visits_compatible(a: VisitMention, b: VisitMention) -> bool:
    return (
        bool(a.visitors & b.visitors)
        and places_compatible(a.place, b.place)
        and spans_compatible(a.span, b.span, day_tolerance=VISIT_DAY_TOLERANCE)
    )


def participants_compatible(a: frozenset[str], b: frozenset[str]) -> bool:
    # A lone participant ("Qaani held meetings") says nothing about whom he met, so it matches only
    # another lone mention of the same person, never a particular meeting of his.
    if a == b:
        return True
    return len(a & b) >= 2 or (min(len(a), len(b)) >= 2 and (a <= b or b <= a))


def meetings_compatible(a: MeetingMention, b: MeetingMention) -> bool:
    return (
        participants_compatible(a.participants, b.participants)
        and places_compatible(a.place, b.place)
        and spans_compatible(span(a.date, None), span(b.date, None))
        and (a.visit_event is None or b.visit_event is None or a.visit_event == b.visit_event)
    )


M = TypeVar("M", VisitMention, MeetingMention)


@dataclass
class Cluster(Generic[M]):
    mentions: list[M]
    ambiguous_with: set[int] = field(default_factory=set[int])


def cluster(
    mentions: Iterable[M], compatible: Callable[[M, M], bool], rank: Callable[[M], tuple[int | str, ...]]
) -> list[Cluster[M]]:
    """Greedy, most-precise-first clustering; see the module docstring."""
    clusters: list[Cluster[M]] = []
    for mention in sorted(mentions, key=rank):
        candidates = [
            i
            for i, c in enumerate(clusters)
            if all(m.article_id != mention.article_id and compatible(mention, m) for m in c.mentions)
        ]
        if len(candidates) == 1:
            clusters[candidates[0]].mentions.append(mention)
            continue
        clusters.append(Cluster([mention], set(candidates)))
        for i in candidates:
            clusters[i].ambiguous_with.add(len(clusters) - 1)
    for c in clusters:
        c.mentions.sort(key=lambda m: (m.ref.article_id, item_number(m.ref.item_id)))
    return clusters


# --- conflicts --------------------------------------------------------------------------------


def _conflict(name: ConflictField, reported: Sequence[tuple[str, SupportRef]]) -> Conflict:
    by_value: dict[str, list[SupportRef]] = {}
    for value, ref in reported:
        by_value.setdefault(value, []).append(ref)
    return Conflict(
        field=name,
        values=[ConflictValue(value=v, supports=refs) for v, refs in sorted(by_value.items())],
    )


def _date_conflict(name: ConflictField, reported: Sequence[tuple[str | None, SupportRef]]) -> Conflict | None:
    known = [(d, ref) for d, ref in reported if d is not None]
    if is_chain(d for d, _ in known):
        return None
    return _conflict(name, known)


def _value_conflict(
    name: ConflictField, reported: Sequence[tuple[str | None, SupportRef]]
) -> Conflict | None:
    known = [(v, ref) for v, ref in reported if v is not None]
    if len({v for v, _ in known}) < 2:
        return None
    return _conflict(name, known)


def _consolidated_status(statuses: list[EventStatus]) -> EventStatus:
    # A later report that the event happened settles an earlier "planned"; the disagreement itself
    # stays visible as a conflict.
    distinct = set(statuses)
    if len(distinct) == 1:
        return statuses[0]
    return "occurred" if "occurred" in distinct else "uncertain"


def _union_text(groups: Iterable[list[str]]) -> list[str]:
    seen: dict[str, str] = {}
    for group in groups:
        for text in group:
            if text.strip():
                seen.setdefault(fold(text), text.strip())
    return list(seen.values())


def _sorted_ids(ids: Iterable[str]) -> list[str]:
    return sorted(set(ids), key=item_number)


# --- drafts: consolidated events before timeline ids exist ------------------------------------


@dataclass
class Draft:
    """A consolidated event whose cross-references still use draft keys ("v3", "m1")."""

    key: str
    kind: Literal["visit", "meeting"]
    event: VisitEvent | MeetingEvent
    refs: list[SupportRef]
    reported_dates: list[str]
    parent: str | None = None
    ambiguous: set[str] = field(default_factory=set[str])


def _visit_draft(key: str, c: Cluster[VisitMention]) -> Draft:
    ms = c.mentions
    refs = [m.ref for m in ms]
    destination = most_specific(m.place for m in ms)
    assert destination is not None
    origins = [m.origin for m in ms]
    origin = most_specific(origins)
    conflicts = [
        x
        for x in (
            _date_conflict("arrival", [(_date_of(m.visit.arrival), m.ref) for m in ms]),
            _date_conflict("departure", [(m.end, m.ref) for m in ms]),
            _value_conflict(
                "disclosure",
                [(None if m.visit.disclosure == "unknown" else m.visit.disclosure, m.ref) for m in ms],
            ),
            _value_conflict("status", [(m.visit.status, m.ref) for m in ms]),
            _origin_conflict(ms),
        )
        if x is not None
    ]
    disclosures = {m.visit.disclosure for m in ms} - {"unknown"}
    end = agreed_date(m.end for m in ms)
    event = VisitEvent(
        id="E1",
        date=event_date(agreed_date(m.start for m in ms)),
        end_date=event_date(end) if end is not None else None,
        status=_consolidated_status([m.visit.status for m in ms]),
        visitor_ids=_sorted_ids(v for m in ms for v in m.visitors),
        destination=destination.to_place(),
        origin=origin.to_place() if origin is not None else None,
        disclosure=disclosures.pop() if len(disclosures) == 1 else "unknown",
        purposes=_union_text(m.visit.purposes for m in ms),
        conflicts=conflicts,
        supports=[
            Support(
                article_id=m.article_id,
                item_id=m.visit.id,
                evidence=m.visit.evidence,
                place=m.visit.destination,
                date=m.visit.arrival,
                end=m.visit.departure,
                disclosure=m.visit.disclosure,
                status=m.visit.status,
            )
            for m in ms
        ],
    )
    dates = [d for m in ms for d in (m.start, m.end) if d is not None]
    return Draft(key, "visit", event, refs, dates)


def _origin_conflict(ms: list[VisitMention]) -> Conflict | None:
    known = [(m.origin, m.ref) for m in ms if m.origin is not None]
    if all(places_compatible(a, b) for a, _ in known for b, _ in known):
        return None
    return _conflict("origin", [(key.display, ref) for key, ref in known])


def _meeting_draft(key: str, c: Cluster[MeetingMention]) -> Draft:
    ms = c.mentions
    location = most_specific(m.place for m in ms)
    parents = {m.visit_event for m in ms if m.visit_event is not None}
    conflicts = [
        x
        for x in (
            _date_conflict("date", [(m.date, m.ref) for m in ms]),
            _value_conflict("status", [(m.meeting.status, m.ref) for m in ms]),
            _value_conflict(
                "private",
                [(None if m.meeting.private is None else str(m.meeting.private).lower(), m.ref) for m in ms],
            ),
        )
        if x is not None
    ]
    privates = {m.meeting.private for m in ms} - {None}
    event = MeetingEvent(
        id="E1",
        date=event_date(agreed_date(m.date for m in ms)),
        status=_consolidated_status([m.meeting.status for m in ms]),
        participant_ids=_sorted_ids(p for m in ms for p in m.participants),
        location=location.to_place() if location is not None else None,
        private=privates.pop() if len(privates) == 1 else None,
        topics=_union_text(m.meeting.topics for m in ms),
        conflicts=conflicts,
        supports=[
            Support(
                article_id=m.article_id,
                item_id=m.meeting.id,
                evidence=m.meeting.evidence,
                place=m.meeting.location,
                date=m.meeting.date,
                status=m.meeting.status,
                private=m.meeting.private,
            )
            for m in ms
        ],
    )
    parent = f"v{parents.pop()}" if len(parents) == 1 else None
    dates = [m.date for m in ms if m.date is not None]
    return Draft(key, "meeting", event, [m.ref for m in ms], dates, parent=parent)


def merge_events(
    extractions: Sequence[ArticleExtraction], actor_index: dict[tuple[str, str], str]
) -> list[Draft]:
    """Consolidate every Visit and Meeting of articles already sorted by id (actors already merged)."""
    visit_mentions: list[VisitMention] = []
    for x in extractions:
        aid = x.article.id
        for v in x.visits:
            visit_mentions.append(
                VisitMention(
                    article_id=aid,
                    visit=v,
                    visitors=frozenset(actor_index[(aid, i)] for i in v.visitor_ids),
                    place=place_key(v.destination),
                    origin=place_key(v.origin) if v.origin is not None else None,
                )
            )
    visit_clusters = cluster(visit_mentions, visits_compatible, VisitMention.rank)
    visit_of: dict[tuple[str, str], int] = {}
    visit_place: dict[tuple[str, str], PlaceKey] = {}
    for n, c in enumerate(visit_clusters):
        for m in c.mentions:
            visit_of[(m.article_id, m.visit.id)] = n
            visit_place[(m.article_id, m.visit.id)] = m.place

    meeting_mentions: list[MeetingMention] = []
    for x in extractions:
        aid = x.article.id
        for mt in x.meetings:
            parent = (aid, mt.visit_id) if mt.visit_id is not None else None
            place = place_key(mt.location) if mt.location is not None else None
            if place is None and parent is not None:
                place = visit_place[parent]
            meeting_mentions.append(
                MeetingMention(
                    article_id=aid,
                    meeting=mt,
                    participants=frozenset(actor_index[(aid, i)] for i in mt.participant_ids),
                    place=place,
                    visit_event=visit_of[parent] if parent is not None else None,
                )
            )
    meeting_clusters = cluster(meeting_mentions, meetings_compatible, MeetingMention.rank)

    drafts = [_visit_draft(f"v{n}", c) for n, c in enumerate(visit_clusters)]
    drafts += [_meeting_draft(f"m{n}", c) for n, c in enumerate(meeting_clusters)]
    by_key = {d.key: d for d in drafts}
    for n, vc in enumerate(visit_clusters):
        by_key[f"v{n}"].ambiguous = {f"v{i}" for i in vc.ambiguous_with}
    for n, mc in enumerate(meeting_clusters):
        by_key[f"m{n}"].ambiguous = {f"m{i}" for i in mc.ambiguous_with}
    return drafts
