"""The published JSON Schema of the output contract, generated from the pydantic models."""

from __future__ import annotations

import json
from typing import Any

from extractor.core.contract import ArticleExtraction

SCHEMA_ID = "https://extractor.invalid/schemas/article_extraction.schema.json"


def contract_schema() -> dict[str, Any]:
    schema = ArticleExtraction.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
