"""The published JSON Schema of the timeline format, generated from the pydantic models.

``python -m extractor.consolidation.schema`` rewrites schemas/timeline.schema.json; a test fails
when the committed file and the models disagree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from extractor.consolidation.model import Timeline
from extractor.core.schema import render

SCHEMA_ID = "https://extractor.invalid/schemas/timeline.schema.json"
TIMELINE_SCHEMA_FILE = "timeline.schema.json"


def timeline_schema() -> dict[str, Any]:
    schema = Timeline.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def write_timeline_schema(directory: Path) -> Path:
    path = directory / TIMELINE_SCHEMA_FILE
    path.write_text(render(timeline_schema()), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(f"wrote {write_timeline_schema(Path(__file__).resolve().parents[2] / 'schemas')}")
