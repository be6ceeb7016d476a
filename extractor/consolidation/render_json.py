"""The JSON rendering: the Timeline model as documented in schemas/timeline.schema.json."""

from __future__ import annotations

from extractor.consolidation.model import Timeline


def render_json(timeline: Timeline) -> str:
    return timeline.model_dump_json(indent=2) + "\n"
