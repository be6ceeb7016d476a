"""The published JSON Schema must match the models; regenerate with `extractor schema --write schemas`."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from extractor.core.contract import ArticleExtraction
from extractor.core.schema import contract_schema

ROOT = Path(__file__).resolve().parents[1]


def test_published_schema_matches_models() -> None:
    published = json.loads((ROOT / "schemas" / "article_extraction.schema.json").read_text())
    assert published == contract_schema(), "schema drifted: run `extractor schema --write schemas`"


def _minimal(**overrides: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "article": {"id": "a1"},
        "actors": [{"id": "A1", "name": "Esmail Qaani", "kind": "person"}],
        "visits": [{"id": "V1", "visitor_ids": ["A1"], "destination": {"name": "Baghdad"}}],
        "meta": {"model": "m", "prompt_version": "v1"},
    }
    doc.update(overrides)
    return doc


def test_references_must_exist() -> None:
    ArticleExtraction.model_validate(_minimal())
    with pytest.raises(ValidationError, match="unknown actors"):
        ArticleExtraction.model_validate(
            _minimal(visits=[{"id": "V1", "visitor_ids": ["A9"], "destination": {"name": "Baghdad"}}])
        )


def test_when_precision_must_match_date() -> None:
    bad = {
        "id": "V1",
        "visitor_ids": ["A1"],
        "destination": {"name": "Baghdad"},
        "arrival": {"date": "2025-05", "precision": "day", "text": "May"},
    }
    with pytest.raises(ValidationError, match="precision"):
        ArticleExtraction.model_validate(_minimal(visits=[bad]))


def test_evidence_span_length_is_checked() -> None:
    with pytest.raises(ValidationError, match="end - start"):
        ArticleExtraction.model_validate(
            _minimal(
                actors=[{"id": "A1", "name": "Q", "evidence": [{"text": "Qaani", "start": 0, "end": 3}]}]
            )
        )
