"""Builders for the consolidation tests: small ArticleExtractions written inline.

(Named test_* only so that it sits with the consolidation test files; it holds no tests.)
"""

from __future__ import annotations

from typing import Any

from extractor.core.contract import ArticleExtraction

_PRECISION = {4: "year", 7: "month", 10: "day"}


def ev(text: str, start: int = 0) -> dict[str, Any]:
    return {"text": text, "start": start, "end": start + len(text)}


def when(date: str | None, text: str = "") -> dict[str, Any] | None:
    return None if date is None else {"date": date, "precision": _PRECISION[len(date)], "text": text}


def actor(
    aid: str, name: str, kind: str = "person", aliases: list[str] | None = None, **kw: Any
) -> dict[str, Any]:
    return {"id": aid, "name": name, "kind": kind, "aliases": aliases or [], **kw}


def visit(
    vid: str,
    visitors: list[str],
    place: str,
    arrival: str | None = None,
    departure: str | None = None,
    evidence: list[tuple[str, int]] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    return {
        "id": vid,
        "visitor_ids": visitors,
        "destination": {"name": place},
        "arrival": when(arrival),
        "departure": when(departure),
        "evidence": [ev(t, s) for t, s in evidence or []],
        **kw,
    }


def meeting(
    mid: str,
    participants: list[str],
    place: str | None = None,
    date: str | None = None,
    visit_id: str | None = None,
    evidence: list[tuple[str, int]] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    return {
        "id": mid,
        "participant_ids": participants,
        "location": {"name": place} if place else None,
        "date": when(date),
        "visit_id": visit_id,
        "evidence": [ev(t, s) for t, s in evidence or []],
        **kw,
    }


def claim(
    cid: str,
    statement: str,
    about: list[str] | None = None,
    evidence: list[tuple[str, int]] | None = None,
    **kw: Any,
) -> dict[str, Any]:
    return {
        "id": cid,
        "statement": statement,
        "source": kw.pop("source", "a political source"),
        "about_ids": about or [],
        "evidence": [ev(t, s) for t, s in evidence or []],
        **kw,
    }


def article(
    aid: str,
    actors: list[dict[str, Any]],
    visits: list[dict[str, Any]] | None = None,
    meetings: list[dict[str, Any]] | None = None,
    claims: list[dict[str, Any]] | None = None,
    published: str | None = None,
) -> ArticleExtraction:
    return ArticleExtraction.model_validate(
        {
            "article": {"id": aid, "published": published},
            "actors": actors,
            "visits": visits or [],
            "meetings": meetings or [],
            "claims": claims or [],
            "meta": {"model": "test", "prompt_version": "v1"},
        }
    )


def qaani_visit(
    aid: str, place: str, arrival: str | None, name: str = "Esmail Qaani", **kw: Any
) -> ArticleExtraction:
    """An article reporting one visit by Qaani."""
    return article(aid, [actor("A1", name)], visits=[visit("V1", ["A1"], place, arrival, **kw)])
