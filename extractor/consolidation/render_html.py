"""The HTML rendering: one self-contained page (inline CSS and SVG, no scripts or external assets).

Dated events sit on an SVG time axis (visits above, meetings below); each links to its entry in the
list, a <details> element that expands to the evidence sentences and the articles they come from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import jinja2

from extractor.consolidation.describe import date_label, event_title, names, place_label
from extractor.consolidation.model import Timeline
from extractor.core.partial_dates import date_range

_WIDTH = 960
_MARGIN = 48
_LANE_ROWS = 4  # label rows per lane, so neighbouring events' labels do not overprint
_ROW_HEIGHT = 16
_LABEL_WIDTH = 34  # px an "E12" label needs


@dataclass(frozen=True)
class Mark:
    event_id: str
    kind: str
    x: float
    width: float
    y: float
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
    lane_height = _LANE_ROWS * _ROW_HEIGHT + 12
    axis_y = 20 + lane_height
    marks: list[Mark] = []
    row_ends: dict[tuple[str, int], float] = {}
    for event, (first, last) in dated:
        x = _MARGIN + (first - lo).days * scale
        width = max(((last - first).days + 1) * scale, 6.0)
        row = next(
            (r for r in range(_LANE_ROWS) if row_ends.get((event.kind, r), -1e9) <= x),
            min(range(_LANE_ROWS), key=lambda r: row_ends.get((event.kind, r), -1e9)),
        )
        row_ends[(event.kind, row)] = x + _LABEL_WIDTH
        if event.kind == "visit":
            y, label_y = axis_y - 14, axis_y - 20 - row * _ROW_HEIGHT
        else:
            y, label_y = axis_y + 6, axis_y + 30 + row * _ROW_HEIGHT
        marks.append(Mark(event.id, event.kind, x, width, y, label_y, event_title(timeline, event)))
    ticks = [Tick(_MARGIN + (d - lo).days * scale, _tick_label(d, lo, hi)) for d in _ticks(lo, hi)]
    return Axis(_WIDTH, int(axis_y + lane_height + 30), axis_y, marks, ticks)


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
    )
