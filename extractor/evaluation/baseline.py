"""The fair baseline: what a user writes first with instructor, scored by the same scorer.

One instructor call (JSON-schema mode, the same model, temperature and output budget as the pipeline,
and instructor's default reask budget, one reask, as a user's first call has) whose response model is
the contract's own models, with evidence as text quoted from the article instead of character
offsets: no small model counts characters, and a user would not ask it to. The quotes are then
located in the article (exact, then normalized, then fuzzy: the pipeline's own ``locate``, so the
baseline is not penalised for curly quotes); a quote that cannot be found is dropped. The model
writes ids and references itself; the response model checks them as the contract does, so
instructor re-asks when they dangle.

``OFFSETS_BASELINE`` is the earlier variant that asks for offsets too (the contract models as they
are); it fails nearly every article and is kept only as an option of benchmarks/extraction.py.
"""

from __future__ import annotations

import time
from typing import Any

from pydantic import BaseModel, Field, model_validator

from extractor.core.contract import (
    Actor,
    ArticleExtraction,
    ArticleInfo,
    Claim,
    Evidence,
    Meeting,
    Meta,
    Visit,
)
from extractor.core.grounding import locate
from extractor.providers.llm import LLM, CallStats

PLAIN_BASELINE = "plain-instructor"
# instructor's own default (max_retries=1: one reask), which a user's first call keeps.
INSTRUCTOR_DEFAULT_REASKS = 1
OFFSETS_BASELINE = "plain-instructor-offsets"
BASELINES = (PLAIN_BASELINE, OFFSETS_BASELINE)

SYSTEM_PROMPT = (
    "Extract actors, visits, meetings and claims from the news article as JSON following the schema. "
    "Evidence is text copied verbatim from the article."
)
OFFSETS_SYSTEM_PROMPT = (
    "Extract actors, visits, meetings and claims from the article as JSON following the schema. "
    "Evidence text must be copied verbatim with its character offsets."
)

Quotes = list[str]


class QuotedActor(Actor):
    evidence: Quotes = Field(default_factory=list, description="sentences quoted verbatim from the article")  # type: ignore[assignment]


class QuotedVisit(Visit):
    evidence: Quotes = Field(default_factory=list, description="sentences quoted verbatim from the article")  # type: ignore[assignment]


class QuotedMeeting(Meeting):
    evidence: Quotes = Field(default_factory=list, description="sentences quoted verbatim from the article")  # type: ignore[assignment]


class QuotedClaim(Claim):
    evidence: Quotes = Field(default_factory=list, description="sentences quoted verbatim from the article")  # type: ignore[assignment]


def _check_references(
    actors: list[Any], visits: list[Any], meetings: list[Any], claims: list[Any]
) -> list[str]:
    """The contract's reference rules, so instructor re-asks the model when its ids dangle."""
    problems: list[str] = []
    actor_ids = {a.id for a in actors}
    visit_ids = {v.id for v in visits}
    for kind, ids in (("actor", [a.id for a in actors]), ("visit", [v.id for v in visits])):
        if len(ids) != len(set(ids)):
            problems.append(f"duplicate {kind} ids")
    referenced = [i for v in visits for i in v.visitor_ids]
    referenced += [i for m in meetings for i in m.participant_ids]
    referenced += [i for c in claims for i in (*c.about_ids, *([c.speaker_id] if c.speaker_id else []))]
    missing = sorted(set(referenced) - actor_ids)
    if missing:
        problems.append(f"references to unknown actors: {missing}")
    problems += [
        f"meeting {m.id} references unknown visit {m.visit_id}"
        for m in meetings
        if m.visit_id and m.visit_id not in visit_ids
    ]
    return problems


class PlainExtraction(BaseModel):
    """The baseline's response model: the contract's lists, evidence quoted."""

    actors: list[QuotedActor]
    visits: list[QuotedVisit]
    meetings: list[QuotedMeeting]
    claims: list[QuotedClaim]

    @model_validator(mode="after")
    def _references_exist(self) -> PlainExtraction:
        problems = _check_references(self.actors, self.visits, self.meetings, self.claims)
        if problems:
            raise ValueError("; ".join(problems))
        return self


class OffsetsExtraction(BaseModel):
    """The offsets variant: the contract's lists exactly, evidence with character offsets."""

    actors: list[Actor]
    visits: list[Visit]
    meetings: list[Meeting]
    claims: list[Claim]


def messages(text: str, published: str | None, *, offsets: bool = False) -> list[dict[str, str]]:
    system = OFFSETS_SYSTEM_PROMPT if offsets else SYSTEM_PROMPT
    if published:
        # The pipeline is told the publication date too; without it relative dates cannot resolve.
        system += f" The article was published on {published}."
    return [{"role": "system", "content": system}, {"role": "user", "content": text}]


def _grounded(text: str, quotes: list[str]) -> list[Evidence]:
    found = [locate(text, quote) for quote in quotes if quote.strip()]
    unique: dict[tuple[int, int], Evidence] = {}
    for ev in found:
        if ev is not None:
            unique.setdefault((ev.start, ev.end), ev)
    return list(unique.values())


def to_contract(
    plain: PlainExtraction | OffsetsExtraction, text: str, article: ArticleInfo, meta: Meta
) -> ArticleExtraction:
    """The contract extraction a user would build: quotes located in the article, the rest as given.

    Raises pydantic's ValidationError when the lists do not form a valid extraction.
    """
    if isinstance(plain, OffsetsExtraction):
        return ArticleExtraction(
            article=article,
            actors=plain.actors,
            visits=plain.visits,
            meetings=plain.meetings,
            claims=plain.claims,
            meta=meta,
        )

    def convert(item: Any, model: type[Any]) -> Any:
        data = item.model_dump()
        data["evidence"] = _grounded(text, item.evidence)
        return model.model_validate(data)

    return ArticleExtraction(
        article=article,
        actors=[convert(a, Actor) for a in plain.actors],
        visits=[convert(v, Visit) for v in plain.visits],
        meetings=[convert(m, Meeting) for m in plain.meetings],
        claims=[convert(c, Claim) for c in plain.claims],
        meta=meta,
    )


async def plain_extract(
    text: str,
    *,
    published: str | None,
    article_id: str,
    source: str | None,
    llm: LLM,
    offsets: bool = False,
) -> tuple[ArticleExtraction, CallStats]:
    """One plain instructor call on ``llm``'s server; raises what ``LLM.complete`` raises."""
    started = time.perf_counter()
    response_model: type[PlainExtraction] | type[OffsetsExtraction] = (
        OffsetsExtraction if offsets else PlainExtraction
    )
    completion = await llm.complete(
        messages(text, published, offsets=offsets), response_model, reasks=INSTRUCTOR_DEFAULT_REASKS
    )
    meta = Meta(
        model=llm.model_name,
        prompt_version=OFFSETS_BASELINE if offsets else PLAIN_BASELINE,
        usage=completion.stats.usage,
        duration_s=round(time.perf_counter() - started, 3),
        attempts=completion.stats.attempts,
        transport_retries=completion.stats.transport_retries,
    )
    article = ArticleInfo(id=article_id, source=source, published=published, language=None)
    return to_contract(completion.value, text, article, meta), completion.stats
