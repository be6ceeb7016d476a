"""The HTML rendering: one self-contained page (inline CSS and SVG, no scripts or external assets).

Dated events sit on an SVG time axis (visits above, meetings below); each links to its entry in the
list, a <details> element that expands to the evidence sentences and the articles they come from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

import jinja2

from extractor.consolidation.describe import date_label, event_title, names, place_label
from extractor.consolidation.model import Timeline
from extractor.core.partial_dates import date_range

_WIDTH = 960
_MARGIN = 48
_ROW_HEIGHT = 16
_CHAR_WIDTH = 8  # px per character of an 11px label, with room to spare
_LABEL_GAP = 6


@dataclass(frozen=True)
class Mark:
    event_id: str
    kind: str
    x: float
    width: float
    y: float
    label_x: float
    label_y: float
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Axis:
    width: int
    height: int
    axis_y: float
    marks: list[Mark]
    ticks: list[Tick]


def _ticks(lo: dt.date, hi: dt.date) -> list[dt.date]:
    days = (hi - lo).days
    if days > 3 * 365:
        return [dt.date(y, 1, 1) for y in range(lo.year + (lo > dt.date(lo.year, 1, 1)), hi.year + 1)]
    step = 1 if days <= 400 else 3 if days <= 1100 else 6
    if days > 62:
        out: list[dt.date] = []
        year, month = lo.year, lo.month
        while dt.date(year, month, 1) <= hi:
            if dt.date(year, month, 1) >= lo and (month - 1) % step == 0:
                out.append(dt.date(year, month, 1))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out
    return [lo + dt.timedelta(days=d) for d in range(0, days + 1, 7)]


def _tick_label(day: dt.date, lo: dt.date, hi: dt.date) -> str:
    days = (hi - lo).days
    if days > 3 * 365:
        return str(day.year)
    return day.strftime("%Y-%m") if days > 62 else day.isoformat()


def _axis(timeline: Timeline) -> Axis | None:
    dated = [(e, date_range(e.date.date)) for e in timeline.events if e.date.date is not None]
    if not dated:
        return None
    lo = min(r[0] for _, r in dated)
    hi = max(r[1] for _, r in dated)
    if (hi - lo).days < 30:  # a few days would otherwise fill the whole width
        lo, hi = lo - dt.timedelta(days=15), hi + dt.timedelta(days=15)
    scale = (_WIDTH - 2 * _MARGIN) / max((hi - lo).days + 1, 1)
    # Labels are laid out in rows, as many as it takes: a label goes into the first row of its lane
    # (visits above the axis, meetings below) where it clears the previous one, and one that would run
    # off the right edge is drawn leftwards from there, so events bunched at the end do not pile up.
    placed: list[tuple[str, float, float, float, int]] = []
    row_ends: dict[str, list[float]] = {"visit": [], "meeting": []}
    for event, (first, last) in sorted(dated, key=lambda pair: (pair[1][0], pair[0].id)):
        x = _MARGIN + (first - lo).days * scale
        width = max(((last - first).days + 1) * scale, 6.0)
        label_width = _CHAR_WIDTH * len(event.id)
        label_x = min(x, _WIDTH - 4 - label_width)
        ends = row_ends.setdefault(event.kind, [])
        row = next((r for r, end in enumerate(ends) if end <= label_x), len(ends))
        if row == len(ends):
            ends.append(0.0)
        ends[row] = label_x + label_width + _LABEL_GAP
        placed.append((event.id, x, width, label_x, row))
    above = max(len(row_ends["visit"]), 1)
    below = max(len(row_ends["meeting"]), 1)
    axis_y = 20 + above * _ROW_HEIGHT + 12
    kinds = {e.id: e for e, _ in dated}
    marks: list[Mark] = []
    for event_id, x, width, label_x, row in placed:
        event = kinds[event_id]
        if event.kind == "visit":
            y, label_y = axis_y - 14, axis_y - 20 - row * _ROW_HEIGHT
        else:
            y, label_y = axis_y + 6, axis_y + 30 + row * _ROW_HEIGHT
        marks.append(Mark(event.id, event.kind, x, width, y, label_x, label_y, event_title(timeline, event)))
    ticks = [Tick(_MARGIN + (d - lo).days * scale, _tick_label(d, lo, hi)) for d in _ticks(lo, hi)]
    return Axis(_WIDTH, int(axis_y + 30 + below * _ROW_HEIGHT + 24), axis_y, marks, ticks)


def article_name(timeline: Timeline, article_id: str) -> str:
    """How a reader knows an article: its outlet and date, else its URL's site, else its id."""
    ref = next((a for a in timeline.articles if a.id == article_id), None)
    if ref is None:
        return article_id
    if ref.source:
        return f"{ref.source}, {ref.published}" if ref.published else ref.source
    if ref.url:
        site = urlsplit(ref.url).hostname or ref.url
        return f"{site.removeprefix('www.')}, {ref.published}" if ref.published else site.removeprefix("www.")
    return article_id


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("extractor.consolidation", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(timeline: Timeline, *, title: str = "Consolidated timeline") -> str:
    def claim(claim_id: str) -> object:
        return next(c for c in timeline.claims if c.id == claim_id)

    template = _environment().get_template("timeline.html.j2")
    return template.render(
        title=title,
        t=timeline,
        axis=_axis(timeline),
        event_title=lambda e: event_title(timeline, e),
        names=lambda ids: names(timeline, ids),
        date_label=date_label,
        place_label=place_label,
        claim=claim,
        article_name=lambda article_id: article_name(timeline, article_id),
    )
