"""The consolidated timeline: output models of ``extractor consolidate``.

Published format, version 1 (schemas/timeline.schema.json is generated from these models; a test
fails when the two drift apart). Ids are assigned after sorting, so they are stable for a given set
of articles: ``P1..`` merged actors, ``E1..`` events in timeline order, ``C1..`` claims. Per-article
ids (``A3``, ``V1``, ``M2``, ``C4``) appear only next to the article id they belong to.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from extractor.core.contract import (
    ActorId,
    ActorKind,
    Attribution,
    DateStr,
    Disclosure,
    EventStatus,
    Evidence,
    Place,
    Precision,
    When,
)
from extractor.core.partial_dates import precision_of

TIMELINE_SCHEMA_VERSION: Literal["1"] = "1"

PersonId = Annotated[str, Field(pattern=r"^P[1-9][0-9]*$", description="merged actor id")]
EventId = Annotated[str, Field(pattern=r"^E[1-9][0-9]*$", description="timeline event id")]
ClaimRefId = Annotated[str, Field(pattern=r"^C[1-9][0-9]*$", description="consolidated claim id")]
ItemId = Annotated[str, Field(pattern=r"^[AVMC][1-9][0-9]*$", description="id inside one article")]


class _Model(BaseModel):
    # Same policy as the article contract: readers ignore keys they do not know, so a hand-written
    # gold timeline may carry notes and later minor versions may add fields.
    model_config = ConfigDict(extra="ignore")


class ArticleRef(_Model):
    id: str = Field(min_length=1)
    source: str | None = None
    url: str | None = None
    published: DateStr | None = None


class ActorMention(_Model):
    """One article's actor that was merged into a cross-article actor."""

    article_id: str = Field(min_length=1)
    actor_id: ActorId
    name: str = Field(min_length=1, description="the name that article uses")
    evidence: list[Evidence] = Field(default_factory=list[Evidence])


class MergedActor(_Model):
    id: PersonId
    name: str = Field(min_length=1, description="display name: the fullest name the articles use")
    names: list[str] = Field(default_factory=list[str], description="every spelling and alias seen")
    kind: ActorKind = "other"
    titles: list[str] = Field(default_factory=list[str])
    affiliations: list[str] = Field(default_factory=list[str])
    article_ids: list[str] = Field(default_factory=list[str])
    mentions: list[ActorMention] = Field(default_factory=list[ActorMention])


class EventDate(_Model):
    """A consolidated date at the precision the supporting mentions agree on."""

    date: DateStr | None = None
    precision: Precision = "unknown"

    @model_validator(mode="after")
    def _precision_matches_date(self) -> EventDate:
        if self.precision != precision_of(self.date):
            raise ValueError(f"precision {self.precision!r} does not match date {self.date!r}")
        return self


class SupportRef(_Model):
    article_id: str = Field(min_length=1)
    item_id: ItemId


class Support(_Model):
    """One article's Visit or Meeting that reports this event, with what that article said."""

    article_id: str = Field(min_length=1)
    item_id: ItemId
    evidence: list[Evidence] = Field(default_factory=list[Evidence])
    place: Place | None = Field(
        default=None, description="destination (visit) or location (meeting) as reported"
    )
    date: When | None = Field(default=None, description="arrival (visit) or date (meeting) as reported")
    end: When | None = Field(default=None, description="departure as reported (visits only)")
    disclosure: Disclosure | None = None
    status: EventStatus | None = None
    private: bool | None = None


class ConflictValue(_Model):
    value: str
    supports: list[SupportRef] = Field(default_factory=list[SupportRef])


ConflictField = Literal["arrival", "departure", "date", "disclosure", "status", "private", "origin"]


class Conflict(_Model):
    """Articles disagree on a detail of one event; every reported value is kept with its sources."""

    field: ConflictField
    values: list[ConflictValue] = Field(min_length=2)


class _Event(_Model):
    id: EventId
    date: EventDate = Field(default_factory=EventDate, description="arrival (visits) or meeting date")
    status: EventStatus = "occurred"
    supports: list[Support] = Field(default_factory=list[Support])
    conflicts: list[Conflict] = Field(default_factory=list[Conflict])
    claim_ids: list[ClaimRefId] = Field(default_factory=list[str])
    possibly_same_as: list[EventId] = Field(
        default_factory=list[str],
        description="events this one could not be told apart from (its mentions fit several); kept separate",
    )


class VisitEvent(_Event):
    kind: Literal["visit"] = "visit"
    visitor_ids: list[PersonId] = Field(min_length=1)
    destination: Place
    origin: Place | None = None
    end_date: EventDate | None = Field(default=None, description="departure, when reported")
    disclosure: Disclosure = "unknown"
    purposes: list[str] = Field(default_factory=list[str])
    meeting_ids: list[EventId] = Field(
        default_factory=list[str], description="meetings held during this visit"
    )


class MeetingEvent(_Event):
    kind: Literal["meeting"] = "meeting"
    participant_ids: list[PersonId] = Field(min_length=1)
    location: Place | None = None
    visit_id: EventId | None = Field(default=None, description="the visit this meeting was part of")
    private: bool | None = None
    topics: list[str] = Field(default_factory=list[str])


Event = Annotated[VisitEvent | MeetingEvent, Field(discriminator="kind")]


class ConsolidatedClaim(_Model):
    id: ClaimRefId
    article_id: str = Field(min_length=1)
    item_id: ItemId
    speaker_id: PersonId | None = None
    source: str = Field(min_length=1)
    attribution: Attribution = "unattributed"
    statement: str = Field(min_length=1)
    quote: str | None = None
    about_ids: list[PersonId] = Field(default_factory=list[str])
    event_ids: list[EventId] = Field(default_factory=list[str], description="events the claim is about")
    evidence: list[Evidence] = Field(default_factory=list[Evidence])


class Timeline(_Model):
    schema_version: Literal["1"] = TIMELINE_SCHEMA_VERSION
    articles: list[ArticleRef] = Field(default_factory=list[ArticleRef])
    actors: list[MergedActor] = Field(default_factory=list[MergedActor])
    events: list[Event] = Field(default_factory=list[Event], description="sorted by date; undated last")
    claims: list[ConsolidatedClaim] = Field(default_factory=list[ConsolidatedClaim])

    def actor(self, actor_id: str) -> MergedActor:
        for actor in self.actors:
            if actor.id == actor_id:
                return actor
        raise KeyError(actor_id)
