"""Output contract v1: the models other services code against.

Field names here are a published interface (see schemas/article_extraction.schema.json); renaming
one is a breaking change and needs a new schema_version.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION: Literal["1"] = "1"

ActorKind = Literal["person", "organization", "state", "other"]
Disclosure = Literal["announced", "unannounced", "secret", "unknown"]
EventStatus = Literal["occurred", "planned", "uncertain"]
Attribution = Literal["named", "anonymous", "official_statement", "media", "analyst", "unattributed"]
Precision = Literal["day", "month", "year", "unknown"]

ActorId = Annotated[str, Field(pattern=r"^A[1-9][0-9]*$")]
DateStr = Annotated[str, Field(pattern=r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$")]

_PRECISION_BY_LENGTH: dict[int, Precision] = {4: "year", 7: "month", 10: "day"}


class _Model(BaseModel):
    # Consumers must tolerate fields added in later minor versions, so the schema stays open
    # (no additionalProperties: false) and unknown keys are ignored on input.
    model_config = ConfigDict(extra="ignore")


class Evidence(_Model):
    """A verbatim span of the article: ``article_text[start:end] == text`` (Python str indices)."""

    text: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Evidence:
        if self.end - self.start != len(self.text):
            raise ValueError("evidence end - start must equal len(text)")
        return self


class Place(_Model):
    name: str = Field(min_length=1)
    country: str | None = None


class When(_Model):
    """A date at the precision the article supports; ``text`` is the wording that gave it."""

    date: DateStr | None = None
    precision: Precision = "unknown"
    text: str = ""

    @model_validator(mode="after")
    def _precision_matches_date(self) -> When:
        expected: Precision = "unknown" if self.date is None else _PRECISION_BY_LENGTH[len(self.date)]
        if self.precision != expected:
            raise ValueError(f"precision {self.precision!r} does not match date {self.date!r}")
        return self


class Actor(_Model):
    id: ActorId
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list[str])
    kind: ActorKind = "other"
    title: str | None = None
    affiliation: str | None = None
    country: str | None = None
    evidence: list[Evidence] = Field(default_factory=list[Evidence])


class Visit(_Model):
    id: Annotated[str, Field(pattern=r"^V[1-9][0-9]*$")]
    visitor_ids: list[ActorId] = Field(min_length=1)
    destination: Place
    origin: Place | None = None
    arrival: When | None = None
    departure: When | None = None
    disclosure: Disclosure = "unknown"
    status: EventStatus = "occurred"
    purposes: list[str] = Field(default_factory=list[str])
    evidence: list[Evidence] = Field(default_factory=list[Evidence])


class Meeting(_Model):
    id: Annotated[str, Field(pattern=r"^M[1-9][0-9]*$")]
    participant_ids: list[ActorId] = Field(min_length=1)
    visit_id: str | None = None
    location: Place | None = None
    date: When | None = None
    status: EventStatus = "occurred"
    private: bool | None = None
    topics: list[str] = Field(default_factory=list[str])
    evidence: list[Evidence] = Field(default_factory=list[Evidence])


class Claim(_Model):
    id: Annotated[str, Field(pattern=r"^C[1-9][0-9]*$")]
    speaker_id: ActorId | None = None
    source: str = Field(min_length=1)
    attribution: Attribution = "unattributed"
    statement: str = Field(min_length=1)
    quote: str | None = None
    about_ids: list[ActorId] = Field(default_factory=list[str])
    evidence: list[Evidence] = Field(default_factory=list[Evidence])


class ArticleInfo(_Model):
    id: str = Field(min_length=1)
    source: str | None = None
    url: str | None = None
    published: DateStr | None = None
    language: str | None = None
    # Extensions to v1 (optional): how the evidence offsets can be checked.
    content_sha256: str | None = Field(default=None, description="sha256 of the text the offsets index")
    text: str | None = Field(
        default=None, description="the extracted text offsets index into, when the input was HTML"
    )

    @model_validator(mode="after")
    def _published_is_a_day(self) -> ArticleInfo:
        if self.published is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.published):
            raise ValueError("published must be YYYY-MM-DD")
        return self


class Usage(_Model):
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
        )


class Meta(_Model):
    model: str
    prompt_version: str
    usage: Usage = Field(default_factory=Usage)
    duration_s: float = Field(default=0.0, ge=0)
    warnings: list[str] = Field(default_factory=list[str])
    attempts: int = Field(default=1, ge=0, description="model responses received, including reasks")
    transport_retries: int = Field(default=0, ge=0, description="requests retried after a transport failure")
    prompt_sha256: str | None = None


class ArticleExtraction(_Model):
    schema_version: Literal["1"] = SCHEMA_VERSION
    article: ArticleInfo
    actors: list[Actor] = Field(default_factory=list[Actor])
    visits: list[Visit] = Field(default_factory=list[Visit])
    meetings: list[Meeting] = Field(default_factory=list[Meeting])
    claims: list[Claim] = Field(default_factory=list[Claim])
    meta: Meta

    @model_validator(mode="after")
    def _references_exist(self) -> ArticleExtraction:
        actor_ids = {a.id for a in self.actors}
        visit_ids = {v.id for v in self.visits}
        for kind, ids in (
            ("actor", [a.id for a in self.actors]),
            ("visit", [v.id for v in self.visits]),
            ("meeting", [m.id for m in self.meetings]),
            ("claim", [c.id for c in self.claims]),
        ):
            if len(ids) != len(set(ids)):
                raise ValueError(f"duplicate {kind} ids")
        referenced: list[str] = []
        for v in self.visits:
            referenced += v.visitor_ids
        for m in self.meetings:
            referenced += m.participant_ids
            if m.visit_id is not None and m.visit_id not in visit_ids:
                raise ValueError(f"meeting {m.id} references unknown visit {m.visit_id}")
        for c in self.claims:
            referenced += c.about_ids
            if c.speaker_id is not None:
                referenced.append(c.speaker_id)
        missing = sorted(set(referenced) - actor_ids)
        if missing:
            raise ValueError(f"references to unknown actors: {missing}")
        return self

    def evidence_errors(self, article_text: str) -> list[str]:
        """Every evidence span that does not match the article text; empty when all are grounded."""
        errors: list[str] = []
        items: list[tuple[str, list[Evidence]]] = [
            *((a.id, a.evidence) for a in self.actors),
            *((v.id, v.evidence) for v in self.visits),
            *((m.id, m.evidence) for m in self.meetings),
            *((c.id, c.evidence) for c in self.claims),
        ]
        for item_id, evidence in items:
            for ev in evidence:
                if article_text[ev.start : ev.end] != ev.text:
                    errors.append(f"{item_id}: [{ev.start}:{ev.end}] does not match {ev.text[:40]!r}")
        return errors
