"""The Markdown rendering: events in timeline order with their evidence, then actors, claims, articles."""

from __future__ import annotations

import re

from extractor.consolidation.describe import date_label, event_title, names, place_label
from extractor.consolidation.model import Conflict, MeetingEvent, Support, Timeline, VisitEvent

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def _md(text: str) -> str:
    """Inline-safe Markdown: article text must not turn into markup or break a table row."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _ref(article_id: str, item_id: str) -> str:
    return f"`{article_id}` {item_id}"


def _conflict(c: Conflict) -> str:
    values = "; ".join(
        f"{_md(v.value)} ({', '.join(_ref(s.article_id, s.item_id) for s in v.supports)})" for v in c.values
    )
    return f"{c.field}: {values}"


def _support(s: Support, kind: str) -> list[str]:
    details: list[str] = []
    if s.place is not None:
        details.append(("destination" if kind == "visit" else "location") + f": {_md(place_label(s.place))}")
    if s.date is not None and s.date.date is not None:
        wording = f' "{_md(s.date.text)}"' if s.date.text else ""
        details.append(("arrival" if kind == "visit" else "date") + f": {s.date.date}{wording}")
    if s.end is not None and s.end.date is not None:
        details.append(f"departure: {s.end.date}")
    if s.disclosure is not None and s.disclosure != "unknown":
        details.append(f"disclosure: {s.disclosure}")
    if s.status is not None and s.status != "occurred":
        details.append(f"status: {s.status}")
    lines = [f"  - {_ref(s.article_id, s.item_id)}" + (f" ({'; '.join(details)})" if details else "")]
    lines += [f"    > {_md(ev.text)}" for ev in s.evidence]
    return lines


def _event(t: Timeline, e: VisitEvent | MeetingEvent) -> list[str]:
    lines = [f"### {e.id} · {date_label(e.date)} · {_md(event_title(t, e))}", ""]
    facts = [f"status: {e.status}"]
    if isinstance(e, VisitEvent):
        facts.append(f"disclosure: {e.disclosure}")
        if e.end_date is not None:
            facts.append(f"until: {date_label(e.end_date)}")
        if e.origin is not None:
            facts.append(f"from: {_md(place_label(e.origin))}")
        lines.append(
            f"- Visit by {_md(names(t, e.visitor_ids))} ({', '.join(e.visitor_ids)}); {'; '.join(facts)}"
        )
        if e.purposes:
            lines.append(f"- Purposes: {'; '.join(_md(p) for p in e.purposes)}")
        if e.meeting_ids:
            lines.append(f"- Meetings during the visit: {', '.join(e.meeting_ids)}")
    else:
        if e.private is not None:
            facts.append("private" if e.private else "public")
        who = f"{_md(names(t, e.participant_ids))} ({', '.join(e.participant_ids)})"
        lines.append(f"- Meeting of {who}; {'; '.join(facts)}")
        if e.visit_id is not None:
            lines.append(f"- During visit {e.visit_id}")
        if e.topics:
            lines.append(f"- Topics: {'; '.join(_md(x) for x in e.topics)}")
    for c in e.conflicts:
        lines.append(f"- **Conflict** {_conflict(c)}")
    if e.possibly_same_as:
        lines.append(f"- Possibly the same event as {', '.join(e.possibly_same_as)} (kept separate)")
    n_articles = len({s.article_id for s in e.supports})
    lines.append(f"- Supported by {len(e.supports)} mention(s) in {n_articles} article(s):")
    for s in e.supports:
        lines += _support(s, e.kind)
    if e.claim_ids:
        lines.append(f"- Claims: {', '.join(e.claim_ids)}")
    return [*lines, ""]


def render_markdown(timeline: Timeline) -> str:
    t = timeline
    lines = [
        "# Consolidated timeline",
        "",
        f"{len(t.articles)} article(s), {len(t.actors)} actor(s), {len(t.events)} event(s), "
        f"{len(t.claims)} claim(s).",
        "",
        "## Events",
        "",
    ]
    for e in t.events:
        lines += _event(t, e)
    lines += [
        "## Actors",
        "",
        "| Id | Name | Kind | Names seen | Articles (actor ids) |",
        "|---|---|---|---|---|",
    ]
    for a in t.actors:
        mentions = ", ".join(_ref(m.article_id, m.actor_id) for m in a.mentions)
        lines.append(
            f"| {a.id} | {_md(a.name)} | {a.kind} | {'; '.join(_md(n) for n in a.names)} | {mentions} |"
        )
    lines.append("")
    if t.claims:
        lines += ["## Claims", ""]
        for c in t.claims:
            about = f" About {', '.join(c.about_ids)}." if c.about_ids else ""
            events = f" Events {', '.join(c.event_ids)}." if c.event_ids else ""
            lines.append(
                f"- **{c.id}** ({_ref(c.article_id, c.item_id)}; {_md(c.source)}, {c.attribution}): "
                f"{_md(c.statement)}{about}{events}"
            )
        lines.append("")
    lines += ["## Articles", "", "| Id | Source | Published |", "|---|---|---|"]
    for art in t.articles:
        lines.append(f"| `{art.id}` | {_md(art.source or '')} | {art.published or ''} |")
    return "\n".join(lines) + "\n"
