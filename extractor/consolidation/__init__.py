"""Cross-article consolidation: merged actors, merged visits and meetings, one ordered timeline.

    extractions = load_extractions(["a.json", "b.jsonl"])
    timeline = consolidate(extractions)
    render_json(timeline); render_markdown(timeline); render_html(timeline)
    score_timeline(predicted_timeline, gold_timeline)

The rules and the output format are described in docs/consolidation.md.
"""

from extractor.consolidation.loading import (
    FailedArticle,
    Outputs,
    load_extractions,
    load_outputs,
    skipped_warning,
)
from extractor.consolidation.model import Timeline
from extractor.consolidation.render_html import render_html
from extractor.consolidation.render_json import render_json
from extractor.consolidation.render_md import render_markdown
from extractor.consolidation.scoring import score_timeline
from extractor.consolidation.timeline import consolidate

__all__ = [
    "FailedArticle",
    "Outputs",
    "Timeline",
    "consolidate",
    "load_extractions",
    "load_outputs",
    "render_html",
    "render_json",
    "render_markdown",
    "score_timeline",
    "skipped_warning",
]
