"""``consolidate``: many ArticleExtractions in, one ordered Timeline out.

Determinism: articles are sorted by id before anything else, every later step iterates in a fixed
order, and ids (P.., E.., C..) are assigned only once the final order is known, so the same set of
articles gives byte-identical JSON whatever order it arrives in.
"""

from __future__ import annotations

from collections.abc import Iterable

from extractor.consolidation.actors import item_number, merge_actors
from extractor.consolidation.claims import attach_claims
from extractor.consolidation.events import Draft, merge_events
from extractor.consolidation.model import ArticleRef, MeetingEvent, Timeline, VisitEvent
from extractor.core.contract import ArticleExtraction
from extractor.core.errors import InputError
from extractor.core.partial_dates import SortDate, sort_key


def _unique_articles(extractions: Iterable[ArticleExtraction]) -> list[ArticleExtraction]:
    by_id: dict[str, ArticleExtraction] = {}
    for x in extractions:
        previous = by_id.setdefault(x.article.id, x)
        # Run metadata (timings, token counts) differs between two runs of one article; the
        # extracted content must not, or there is no telling which one to believe.
        if previous is not x and previous.model_dump(exclude={"meta"}) != x.model_dump(exclude={"meta"}):
            raise InputError(f"article {x.article.id!r} is given twice with different extractions")
    return [by_id[k] for k in sorted(by_id)]


def _draft_date(draft: Draft) -> str | None:
    return draft.event.date.date or (min(draft.reported_dates) if draft.reported_dates else None)


def _order(drafts: list[Draft]) -> list[Draft]:
    by_key = {d.key: d for d in drafts}

    def key(d: Draft) -> tuple[SortDate, int, str, int]:
        date = _draft_date(d)
        # An undated meeting is placed with the visit it was part of rather than among the undated.
        if date is None and d.parent is not None:
            date = _draft_date(by_key[d.parent])
        first = min(d.refs, key=lambda r: (r.article_id, item_number(r.item_id)))
        return (sort_key(date), 0 if d.kind == "visit" else 1, first.article_id, item_number(first.item_id))

    return sorted(drafts, key=key)


def _with_ids(drafts: list[Draft]) -> list[VisitEvent | MeetingEvent]:
    ordered = _order(drafts)
    new_id = {d.key: f"E{n}" for n, d in enumerate(ordered, start=1)}

    def ids(keys: Iterable[str]) -> list[str]:
        return sorted((new_id[k] for k in keys), key=item_number)

    events: list[VisitEvent | MeetingEvent] = []
    for d in ordered:
        update: dict[str, object] = {"id": new_id[d.key], "possibly_same_as": ids(d.ambiguous)}
        if isinstance(d.event, VisitEvent):
            update["meeting_ids"] = ids(m.key for m in ordered if m.parent == d.key)
        else:
            update["visit_id"] = new_id[d.parent] if d.parent is not None else None
        events.append(d.event.model_copy(update=update))
    return events


def consolidate(extractions: Iterable[ArticleExtraction]) -> Timeline:
    """Merge actors and events across articles into one timeline (see docs/consolidation.md).

    Raises InputError when one article id comes with two different extractions.
    """
    articles = _unique_articles(extractions)
    actors, actor_index = merge_actors(articles)
    events = _with_ids(merge_events(articles, actor_index))
    claims = attach_claims(articles, actor_index, events)
    claim_ids: dict[str, list[str]] = {}
    for claim in claims:
        for event_id in claim.event_ids:
            claim_ids.setdefault(event_id, []).append(claim.id)
    events = [e.model_copy(update={"claim_ids": claim_ids.get(e.id, [])}) for e in events]
    return Timeline(
        articles=[
            ArticleRef(
                id=a.article.id, source=a.article.source, url=a.article.url, published=a.article.published
            )
            for a in articles
        ],
        actors=actors,
        events=events,
        claims=claims,
    )
