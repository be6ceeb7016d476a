"""Loading the gold set: ``evals/gold/<seed stem>.json`` beside the article text ``seeds/<seed stem>.txt``.

A gold file is an ArticleExtraction JSON document plus a top-level ``notes`` list (annotation
decisions, ignored by the contract model). Its ``meta`` block is optional here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from extractor.consolidation.model import Timeline
from extractor.core.contract import ArticleExtraction
from extractor.core.errors import ConfigError

# The repository root when running from a checkout (extractor/evaluation/gold.py -> ../../..).
REPO_ROOT = Path(__file__).resolve().parents[2]


def repo_path(relative: str) -> Path:
    """``relative`` under the checkout this package lives in, else under the working directory."""
    in_repo = REPO_ROOT / relative
    return in_repo if in_repo.exists() else Path.cwd() / relative


@dataclass(frozen=True)
class GoldArticle:
    stem: str
    text: str
    extraction: ArticleExtraction
    notes: list[str] = field(default_factory=list[str])

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


def load_gold_file(path: Path, seeds_dir: Path) -> GoldArticle:
    seed = seeds_dir / f"{path.stem}.txt"
    if not seed.is_file():
        raise ConfigError(f"gold file {path.name} has no article text at {seed}")
    data = json.loads(path.read_text(encoding="utf-8"))
    data.setdefault("meta", {"model": "gold", "prompt_version": "gold"})
    try:
        extraction = ArticleExtraction.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"gold file {path.name} does not validate: {exc}") from exc
    notes = [str(n) for n in data.get("notes", [])]
    # newline="" keeps the bytes as written, so evidence offsets mean the same thing everywhere.
    with seed.open(encoding="utf-8", newline="") as handle:
        text = handle.read()
    return GoldArticle(stem=path.stem, text=text, extraction=extraction, notes=notes)


# The consolidation gold (one timeline over all seeds) lives beside the per-article files.
TIMELINE_FILE = "timeline.json"


def load_gold(gold_dir: Path, seeds_dir: Path) -> list[GoldArticle]:
    """Every per-article ``*.json`` in ``gold_dir`` (not the timeline), sorted by name."""
    paths = sorted(p for p in gold_dir.glob("*.json") if p.name != TIMELINE_FILE)
    return [load_gold_file(path, seeds_dir) for path in paths]


def load_gold_timeline(gold_dir: Path) -> Timeline | None:
    """The gold timeline beside the per-article gold files; None when the gold set has none."""
    path = gold_dir / TIMELINE_FILE
    if not path.is_file():
        return None
    try:
        return Timeline.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise ConfigError(f"gold timeline {path} does not validate: {exc}") from exc
