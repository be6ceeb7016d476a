"""End to end on the real embedded model (llama.cpp in-process, Qwen2.5-Coder-1.5B): no recording, no
network. Slow (one to two minutes on two cores): deselect with `-m "not embedded"`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.core.contract import ArticleExtraction
from extractor.core.names import same_person

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_ccd7380b51e80ca7.txt"


@pytest.mark.embedded
def test_cli_extracts_a_seed_with_the_embedded_model(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("EXTRACTOR_BASE_URL", "EXTRACTOR_REPLAY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    result = CliRunner().invoke(app, ["extract", str(SEED)])
    assert result.exit_code == 0, result.output
    extraction = ArticleExtraction.model_validate_json(result.stdout)
    text = SEED.read_text(encoding="utf-8")

    assert extraction.meta.model == "qwen2.5-coder-1.5b-instruct-q4_k_m"
    assert extraction.meta.usage.completion_tokens > 0
    assert extraction.evidence_errors(text) == []
    # The publication date comes from seeds/metadata.json beside the file.
    assert extraction.article.published == "2025-05-15"
    qaani = [
        a for a in extraction.actors if any(same_person(n, "Esmail Qaani") for n in [a.name, *a.aliases])
    ]
    assert len(qaani) == 1
    arrivals = {v.arrival.date for v in extraction.visits if qaani[0].id in v.visitor_ids and v.arrival}
    assert "2025-05-14" in arrivals  # "Qaani arrived in Baghdad on Wednesday", published Thursday 15 May
