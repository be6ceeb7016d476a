"""Loading the gold sets: ``evals/gold/<set>/<stem>.json`` beside the article text they label.

Sets (``GOLD_SETS``): ``seeds`` (texts in ``seeds/``), and the development corpus ``short``, ``long``
and ``arabic`` (texts in ``evals/corpus/<set>/``, each file headed by ``url:`` / ``published:`` /
``outlet:`` lines and a blank line; offsets index the body after that header).

A gold file is an ArticleExtraction JSON document plus a top-level ``notes`` list (annotation
decisions, ignored by the contract model). A claim may carry ``speaker_alternatives``: other actor ids
(or null, for "no speaker") that the strict scorer also accepts as its speaker. Its ``meta`` block is
optional here.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from extractor.consolidation.model import Timeline
from extractor.core.article import split_front_matter
from extractor.core.contract import ArticleExtraction
from extractor.core.errors import ConfigError

# The repository root when running from a checkout (extractor/evaluation/gold.py -> ../../..).
REPO_ROOT = Path(__file__).resolve().parents[2]

# Every set ``extractor eval`` runs by default, in report order.
GOLD_SETS: tuple[str, ...] = ("seeds", "short", "long", "arabic")


def repo_path(relative: str) -> Path:
    """``relative`` under the checkout this package lives in, else under the working directory."""
    in_repo = REPO_ROOT / relative
    return in_repo if in_repo.exists() else Path.cwd() / relative


@dataclass(frozen=True)
class GoldSet:
    """One labelled set: gold files in ``gold_dir``, the texts they label in ``text_dir``."""

    name: str
    gold_dir: Path
    text_dir: Path


def default_text_dir(name: str) -> Path:
    return repo_path("seeds") if name == "seeds" else repo_path(f"evals/corpus/{name}")


def gold_sets(names: Iterable[str] | None = None, *, gold_root: Path | None = None) -> list[GoldSet]:
    """The named sets (default: all of ``GOLD_SETS``); an unknown name is a ConfigError."""
    root = gold_root or repo_path("evals/gold")
    wanted = list(names) if names else list(GOLD_SETS)
    unknown = [n for n in wanted if n not in GOLD_SETS]
    if unknown:
        raise ConfigError(f"unknown gold set(s) {', '.join(unknown)}; known: {', '.join(GOLD_SETS)}")
    return [GoldSet(n, root / n, default_text_dir(n)) for n in dict.fromkeys(wanted)]


@dataclass(frozen=True)
class GoldArticle:
    stem: str
    text: str
    extraction: ArticleExtraction
    notes: list[str] = field(default_factory=list[str])
    set_name: str = "seeds"
    # Claim id -> the other speakers the strict scorer accepts (None: no speaker).
    speaker_alternatives: dict[str, frozenset[str | None]] = field(
        default_factory=dict[str, frozenset[str | None]]
    )

    @property
    def article_id(self) -> str:
        return self.extraction.article.id

    @property
    def published(self) -> str | None:
        return self.extraction.article.published

    @property
    def source(self) -> str | None:
        return self.extraction.article.source

    def grounding_errors(self) -> list[str]:
        return self.extraction.evidence_errors(self.text)


def read_article_text(path: Path) -> str:
    """The text gold offsets index: the file as stored (no newline translation), minus its header."""
    # newline="" keeps the bytes as written, so evidence offsets mean the same thing everywhere.
    with path.open(encoding="utf-8", newline="") as handle:
        return split_front_matter(handle.read()).body


def _alternatives(data: dict[str, Any], name: str) -> dict[str, frozenset[str | None]]:
    found: dict[str, frozenset[str | None]] = {}
    for claim in data.get("claims", []):
        extra = claim.get("speaker_alternatives")
        if extra is None:
            continue
        if not isinstance(extra, list) or not all(x is None or isinstance(x, str) for x in extra):
            raise ConfigError(f"gold file {name}: {claim.get('id')}: speaker_alternatives is a list of ids")
        found[str(claim.get("id"))] = frozenset(extra)
    return found


def load_gold_file(path: Path, text_dir: Path, set_name: str = "seeds") -> GoldArticle:
    text_path = text_dir / f"{path.stem}.txt"
    if not text_path.is_file():
        raise ConfigError(f"gold file {path.name} has no article text at {text_path}")
    data = json.loads(path.read_text(encoding="utf-8"))
    data.setdefault("meta", {"model": "gold", "prompt_version": "gold"})
    try:
        extraction = ArticleExtraction.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"gold file {path.name} does not validate: {exc}") from exc
    notes = [str(n) for n in data.get("notes", [])]
    return GoldArticle(
        stem=path.stem,
        text=read_article_text(text_path),
        extraction=extraction,
        notes=notes,
        set_name=set_name,
        speaker_alternatives=_alternatives(data, path.name),
    )


# The consolidation gold (one timeline over a set's articles) lives beside its per-article files.
TIMELINE_FILE = "timeline.json"


def load_gold_set(gold_set: GoldSet) -> list[GoldArticle]:
    """Every per-article ``*.json`` of the set (not the timeline), sorted by name."""
    paths = sorted(p for p in gold_set.gold_dir.glob("*.json") if p.name != TIMELINE_FILE)
    return [load_gold_file(path, gold_set.text_dir, gold_set.name) for path in paths]


def load_gold(sets: Sequence[GoldSet]) -> list[GoldArticle]:
    """The articles of every set, in set order; article ids must be unique across sets."""
    golds = [g for s in sets for g in load_gold_set(s)]
    seen: dict[str, str] = {}
    for g in golds:
        if g.article_id in seen:
            raise ConfigError(
                f"article id {g.article_id} is in gold sets {seen[g.article_id]} and {g.set_name}"
            )
        seen[g.article_id] = g.set_name
    return golds


def load_gold_timeline(gold_dir: Path) -> Timeline | None:
    """The gold timeline beside a set's per-article gold files; None when the set has none."""
    path = gold_dir / TIMELINE_FILE
    if not path.is_file():
        return None
    try:
        return Timeline.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise ConfigError(f"gold timeline {path} does not validate: {exc}") from exc
