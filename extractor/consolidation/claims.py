"""Attaching each article's claims to merged actors and to the timeline events they are about.

A claim is about an event when it is from an article that supports the event and either
(1) its evidence overlaps that article's evidence for the event (the same sentence backs both), or,
failing that, (2) the article reports exactly one visit (or, with no visit, exactly one meeting) and
the claim is about one of its actors or about no actor in particular. Otherwise it stays attached to
its actors only: guessing which of several events a remark concerns would put words in the wrong trip.
"""

from __future__ import annotations

from collections.abc import Sequence

from extractor.consolidation.actors import item_number
from extractor.consolidation.model import ConsolidatedClaim, MeetingEvent, VisitEvent
from extractor.core.contract import ArticleExtraction, Claim, Evidence


def _overlaps(a: Sequence[Evidence], b: Sequence[Evidence]) -> bool:
    return any(x.start < y.end and y.start < x.end for x in a for y in b)


def event_actor_ids(event: VisitEvent | MeetingEvent) -> list[str]:
    return event.visitor_ids if isinstance(event, VisitEvent) else event.participant_ids


def _events_for(
    claim: Claim, about: set[str], article_id: str, reported: Sequence[VisitEvent | MeetingEvent]
) -> list[str]:
    overlapping = [
        e.id
        for e in reported
        if any(s.article_id == article_id and _overlaps(s.evidence, claim.evidence) for s in e.supports)
    ]
    if overlapping:
        return overlapping
    # Without shared evidence, only an article about a single trip (or, with no trip, a single
    # meeting) says which event its claims concern.
    visits = [e for e in reported if isinstance(e, VisitEvent)]
    single = visits if visits else reported
    if len(single) == 1 and (not about or about & set(event_actor_ids(single[0]))):
        return [single[0].id]
    return []


def attach_claims(
    extractions: Sequence[ArticleExtraction],
    actor_index: dict[tuple[str, str], str],
    events: Sequence[VisitEvent | MeetingEvent],
) -> list[ConsolidatedClaim]:
    """Consolidated claims (ids ``C1..`` in article, then claim order) for articles sorted by id."""
    by_article: dict[str, list[VisitEvent | MeetingEvent]] = {}
    for event in events:
        for article_id in dict.fromkeys(s.article_id for s in event.supports):
            by_article.setdefault(article_id, []).append(event)
    claims: list[ConsolidatedClaim] = []
    for extraction in extractions:
        aid = extraction.article.id
        for claim in sorted(extraction.claims, key=lambda c: item_number(c.id)):
            about = {actor_index[(aid, a)] for a in claim.about_ids}
            claims.append(
                ConsolidatedClaim(
                    id=f"C{len(claims) + 1}",
                    article_id=aid,
                    item_id=claim.id,
                    speaker_id=actor_index[(aid, claim.speaker_id)] if claim.speaker_id else None,
                    source=claim.source,
                    attribution=claim.attribution,
                    statement=claim.statement,
                    quote=claim.quote,
                    about_ids=sorted(about, key=item_number),
                    event_ids=_events_for(claim, about, aid, by_article.get(aid, [])),
                    evidence=claim.evidence,
                )
            )
    return claims
