"""Human-readable labels shared by the Markdown and HTML renderings."""

from __future__ import annotations

from collections.abc import Iterable

from extractor.consolidation.model import EventDate, MeetingEvent, Timeline, VisitEvent
from extractor.core.contract import Place


def date_label(date: EventDate | None) -> str:
    return date.date if date is not None and date.date is not None else "undated"


def place_label(place: Place | None) -> str:
    if place is None:
        return "unknown place"
    if place.country and place.country.casefold() not in place.name.casefold():
        return f"{place.name}, {place.country}"
    return place.name


def names(timeline: Timeline, actor_ids: Iterable[str]) -> str:
    return ", ".join(timeline.actor(i).name for i in actor_ids)


def event_title(timeline: Timeline, event: VisitEvent | MeetingEvent) -> str:
    if isinstance(event, VisitEvent):
        title = f"{names(timeline, event.visitor_ids)} visits {place_label(event.destination)}"
    else:
        title = f"Meeting: {names(timeline, event.participant_ids)}"
        if event.location is not None:
            title += f" in {place_label(event.location)}"
    if event.status != "occurred":
        title += f" ({event.status})"
    return title
