"""The draft: what the model fills in. Code turns it into the contract (see assemble.py).

The model only reads. It names actors as written, copies date words verbatim and cites numbered
sentences as evidence; ids, offsets, dates and de-duplication are computed afterwards. Every list
and string is bounded: small models loop, and under a JSON-schema grammar the bounds are enforced
while decoding.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from extractor.core.contract import ActorKind, Attribution, Disclosure, EventStatus

Name = Annotated[str, Field(min_length=1, max_length=60)]
Short = Annotated[str, Field(min_length=1, max_length=80)]
DateWords = Annotated[str, Field(max_length=40)]
SentenceNo = Annotated[int, Field(ge=1, le=500)]


class _Draft(BaseModel):
    model_config = ConfigDict(extra="ignore")


class DraftActor(_Draft):
    name: Name = Field(description="fullest name as written in the article")
    other_names: list[Name] = Field(default_factory=list, max_length=3, description="other spellings used")
    kind: ActorKind
    title: Short | None = None
    affiliation: Short | None = None
    country: Name | None = None
    sentences: list[SentenceNo] = Field(default_factory=list, max_length=2)


class DraftVisit(_Draft):
    sentences: list[SentenceNo] = Field(
        max_length=3, description="numbers of the sentences stating the visit"
    )
    visitors: list[Name] = Field(min_length=1, max_length=3)
    destination: Name
    destination_country: Name | None = None
    origin: Name | None = None
    arrival: DateWords | None = Field(
        default=None, description="date words exactly as written, e.g. 'Wednesday'"
    )
    departure: DateWords | None = None
    disclosure: Disclosure = "unknown"
    status: EventStatus = "occurred"
    purposes: list[Short] = Field(default_factory=list, max_length=3)


class DraftMeeting(_Draft):
    sentences: list[SentenceNo] = Field(max_length=3)
    participants: list[Name] = Field(min_length=2, max_length=6)
    location: Name | None = None
    date: DateWords | None = None
    status: EventStatus = "occurred"
    private: bool | None = None
    topics: list[Short] = Field(default_factory=list, max_length=3)


class DraftClaim(_Draft):
    sentences: list[SentenceNo] = Field(max_length=2)
    source: Short = Field(description="the source as the article names it, e.g. 'a political source'")
    speaker: Name | None = Field(default=None, description="the named person speaking, if any")
    attribution: Attribution
    statement: Annotated[str, Field(min_length=1, max_length=200)]
    quote: Annotated[str, Field(max_length=300)] | None = Field(default=None, description="verbatim quote")
    about: list[Name] = Field(default_factory=list, max_length=3)


class Draft(_Draft):
    actors: list[DraftActor] = Field(max_length=14)
    visits: list[DraftVisit] = Field(max_length=6)
    meetings: list[DraftMeeting] = Field(max_length=8)
    claims: list[DraftClaim] = Field(max_length=8)


class EventsDraft(_Draft):
    """The draft when code reads the claims: actors, visits and meetings only (the caps of ``Draft``:
    larger ones, tried, let the 1.5B model loop on one name until the cap)."""

    actors: list[DraftActor] = Field(max_length=14)
    visits: list[DraftVisit] = Field(max_length=6)
    meetings: list[DraftMeeting] = Field(max_length=8)
