"""Print each article's misses and spurious items, for reading errors before choosing a lever.

    extractor eval --replay --out run.json
    python evals/tools/errors.py run.json [--type visits] [--type meetings] [--article 0a]

For every article: the gold items nobody matched (misses, "-") and the predicted items that
matched no gold item (spurious, "+"), each with its fields and the first evidence quote. Actors in
visits and meetings are shown by name, so a wrong participant is visible at a glance.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from extractor.core.contract import ArticleExtraction
from extractor.evaluation.align import align_articles
from extractor.evaluation.gold import gold_sets, load_gold

TYPES = ("actors", "visits", "meetings", "claims")


def _names(extraction: ArticleExtraction) -> dict[str, str]:
    return {a.id: a.name for a in extraction.actors}


def describe(extraction: ArticleExtraction, item_type: str, index: int) -> str:
    names = _names(extraction)
    item = getattr(extraction, item_type)[index]
    quote = item.evidence[0].text[:110].replace("\n", " ") if item.evidence else ""
    if item_type == "actors":
        head = f"{item.name} ({item.kind})"
    elif item_type == "visits":
        who = ", ".join(names.get(i, i) for i in item.visitor_ids)
        where = item.destination.name if item.destination else "?"
        arr = item.arrival.date if item.arrival else None
        head = f"{who} -> {where} arr={arr} {item.status}"
    elif item_type == "meetings":
        who = ", ".join(names.get(i, i) for i in item.participant_ids)
        when = item.date.date if item.date else None
        where = item.location.name if item.location else "?"
        head = f"[{who}] at {where} on {when}"
    else:
        speaker = names.get(item.speaker_id or "", item.speaker_id)
        head = f"{item.source!r} speaker={speaker}"
    return f"{head} | {quote}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="the JSON written by `extractor eval --out`")
    parser.add_argument("--type", action="append", choices=TYPES, help="item types (default: all)")
    parser.add_argument("--article", action="append", help="article id prefix (repeatable)")
    parser.add_argument("--system", default="candidate", choices=("candidate", "baseline"))
    args = parser.parse_args()
    types = args.type or list(TYPES)
    run = json.loads(args.run.read_text(encoding="utf-8"))
    golds = {g.article_id: g for g in load_gold(gold_sets())}
    for row in run[args.system]["articles"]:
        if args.article and not any(row["article_id"].startswith(p) for p in args.article):
            continue
        gold = golds[row["article_id"]]
        if row.get("prediction") is None:
            print(f"== {row['article_id']}: failed: {row.get('error_kind')}")
            continue
        pred = ArticleExtraction.model_validate(row["prediction"])
        alignment = align_articles(pred, gold.extraction, gold.speaker_alternatives)
        lines: list[str] = []
        for item_type in types:
            typed = alignment.by_type(item_type)
            label = item_type[:-1]
            lines += [f"  - {label}: {describe(gold.extraction, item_type, i)}" for i in typed.unmatched_gold]
            lines += [f"  + {label}: {describe(pred, item_type, i)}" for i in typed.unmatched_pred]
        if lines:
            print(f"== {row['article_id']} ({gold.set_name})")
            print("\n".join(lines))


if __name__ == "__main__":
    main()
