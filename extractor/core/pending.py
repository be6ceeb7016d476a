"""Items resolved from the draft or read by code, before they are numbered.

Actors are referred to by their index in the builder until the end, when ``assemble`` gives every
actor, visit, meeting and claim its id in order of first appearance and builds each contract object
once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extractor.core.contract import Attribution, Disclosure, EventStatus, Evidence, Place, When


@dataclass
class PendingVisit:
    visitors: list[int]
    destination: Place
    evidence: list[Evidence]
    origin: Place | None = None
    arrival: When | None = None
    departure: When | None = None
    disclosure: Disclosure = "unknown"
    status: EventStatus = "occurred"
    purposes: list[str] = field(default_factory=list[str])


@dataclass
class PendingMeeting:
    participants: list[int]
    evidence: list[Evidence]
    location: Place | None = None
    date: When | None = None
    status: EventStatus = "occurred"
    private: bool | None = None
    topics: list[str] = field(default_factory=list[str])


@dataclass
class PendingClaim:
    speaker: int | None
    about: list[int]
    source: str
    attribution: Attribution
    statement: str
    evidence: list[Evidence]
    quote: str | None = None


def first_offset(evidence: list[Evidence]) -> int:
    return min((e.start for e in evidence), default=1 << 30)
