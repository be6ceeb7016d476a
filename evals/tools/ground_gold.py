"""Fill in and check a gold file's offsets and article block, so no offset is ever counted by hand.

    python evals/tools/ground_gold.py evals/gold/short/01_shafaq-araghchi-baghdad.json [...]
    python evals/tools/ground_gold.py --check evals/gold/*/*.json     # report only, write nothing

For each evidence item (an object with ``text``, or just the text as a string) it finds the text in
the article body exactly as stored: a span whose ``start``/``end`` already match is kept; otherwise
the occurrence nearest the given ``start`` (the first when none is given) is used, and several
occurrences are reported. Text that is not in the article is an error: copy it again from the file.
The article block is set from the file: ``id`` (the stem), ``published``, ``source`` and ``url``
(from the corpus header, or kept as written for seeds) and ``content_sha256`` of the body.
Then it validates the contract and reports what evals/GUIDE.md makes mechanical: ids in order,
references that resolve, quotes inside their evidence, actors numbered by first mention.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extractor.core.article import split_front_matter
from extractor.core.contract import ArticleExtraction
from extractor.evaluation.gold import GOLD_SETS, default_text_dir

ITEM_KEYS = ("actors", "visits", "meetings", "claims")
PREFIX = {"actors": "A", "visits": "V", "meetings": "M", "claims": "C"}


def _occurrences(text: str, snippet: str) -> list[int]:
    found, at = [], text.find(snippet)
    while at >= 0:
        found.append(at)
        at = text.find(snippet, at + 1)
    return found


def ground_evidence(body: str, item_id: str, raw: Any, problems: list[str], notes: list[str]) -> Any:
    ev: dict[str, Any] = {"text": raw} if isinstance(raw, str) else dict(raw)
    snippet = ev.get("text")
    if not isinstance(snippet, str) or not snippet:
        problems.append(f"{item_id}: evidence without text")
        return ev
    start = ev.get("start")
    if isinstance(start, int) and body[start : start + len(snippet)] == snippet:
        ev["end"] = start + len(snippet)
        return {"text": snippet, "start": start, "end": start + len(snippet)}
    hits = _occurrences(body, snippet)
    if not hits:
        problems.append(f"{item_id}: evidence not in the article: {snippet[:70]!r}")
        return ev
    at = min(hits, key=lambda h: abs(h - start)) if isinstance(start, int) else hits[0]
    if len(hits) > 1:
        notes.append(f"{item_id}: evidence occurs {len(hits)} times; used offset {at}: {snippet[:50]!r}")
    return {"text": snippet, "start": at, "end": at + len(snippet)}


def first_mention(body: str, names: list[str]) -> int | None:
    hits = [m.start() for n in names for m in re.finditer(rf"(?<!\w){re.escape(n)}(?!\w)", body)]
    return min(hits) if hits else None


def check(data: dict[str, Any], body: str, problems: list[str]) -> None:
    payload = {k: v for k, v in data.items() if k != "notes"}
    try:
        extraction = ArticleExtraction.model_validate(payload)
    except ValidationError as exc:
        problems.append(f"does not validate: {exc}")
        return
    for key in ITEM_KEYS:
        ids = [item.id for item in getattr(extraction, key)]
        if ids != [f"{PREFIX[key]}{i}" for i in range(1, len(ids) + 1)]:
            problems.append(f"{key} ids are not {PREFIX[key]}1..{PREFIX[key]}{len(ids)} in order: {ids}")
        for item in getattr(extraction, key):
            if not item.evidence:
                problems.append(f"{item.id}: no evidence")
    problems += extraction.evidence_errors(body)
    positions = []
    for actor in extraction.actors:
        at = first_mention(body, [actor.name, *actor.aliases])
        if at is None:
            problems.append(
                f"{actor.id} {actor.name!r}: neither the name nor an alias is written in the article"
            )
        positions.append((at if at is not None else -1, actor.id))
    if [i for _, i in sorted(positions)] != [i for _, i in positions]:
        problems.append(f"actors are not numbered by first mention: {sorted(positions)}")
    actor_ids = {a.id for a in extraction.actors}
    for claim in extraction.claims:
        if claim.quote is not None and not any(claim.quote in ev.text for ev in claim.evidence):
            problems.append(f"{claim.id}: quote is not inside its evidence")
    for raw in data.get("claims", []):
        for alt in raw.get("speaker_alternatives") or []:
            if alt is not None and alt not in actor_ids:
                problems.append(f"{raw.get('id')}: speaker alternative {alt} is not an actor")


def ground_file(path: Path, *, write: bool) -> bool:
    set_name = path.parent.name
    if set_name not in GOLD_SETS:
        print(f"{path}: not under evals/gold/<set>/ (sets: {', '.join(GOLD_SETS)})")
        return False
    text_path = default_text_dir(set_name) / f"{path.stem}.txt"
    with text_path.open(encoding="utf-8", newline="") as handle:
        front = split_front_matter(handle.read())
    body = front.body
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    problems: list[str] = []
    notes: list[str] = []
    article = data.setdefault("article", {})
    article["id"] = path.stem
    if front.fields:
        article["published"] = front.published
        article["source"] = front.source
        article["url"] = front.url
    article.setdefault("language", "en")
    article["content_sha256"] = hashlib.sha256(body.encode("utf-8")).hexdigest()
    data.setdefault("schema_version", "1")
    data.setdefault(
        "meta",
        {
            "model": "gold",
            "prompt_version": "gold",
            "usage": {"prompt_tokens": 0, "completion_tokens": 0},
            "duration_s": 0,
            "warnings": [],
        },
    )
    for key in ITEM_KEYS:
        for item in data.setdefault(key, []):
            item["evidence"] = [
                ground_evidence(body, str(item.get("id")), ev, problems, notes)
                for ev in item.get("evidence", [])
            ]
    check(data, body, problems)
    for note in notes:
        print(f"{path.name}: note: {note}")
    for problem in problems:
        print(f"{path.name}: PROBLEM: {problem}")
    if write:
        ordered = {k: data[k] for k in ("schema_version", "article", *ITEM_KEYS, "meta") if k in data}
        ordered.update({k: v for k, v in data.items() if k not in ordered})
        path.write_text(json.dumps(ordered, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if not problems:
        print(f"{path.name}: ok")
    return not problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("paths", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true", help="report only; write nothing")
    args = parser.parse_args(argv)
    results = [ground_file(p, write=not args.check) for p in args.paths if p.name != "timeline.json"]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
