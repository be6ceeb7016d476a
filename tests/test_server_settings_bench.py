"""benchmarks/server_settings.py without the model: its variants configure real llama.cpp parameters
on top of the shipped ones, and it finds the recordings of a prompt version."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.server_settings import VARIANTS, recordings_of
from extractor.pipeline.prompts import load_prompt
from extractor.providers.embedded import server_params
from extractor.providers.settings import Settings


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_variant_changes_only_its_setting(name: str, tmp_path: Path) -> None:
    params = server_params(Settings(n_ctx=4096), tmp_path / "model.gguf", 2)
    VARIANTS[name](params)
    assert (params.n_ctx, params.cpuparams.n_threads, params.cache_ram_mib) == (4096, 2, 0)
    kinds = [t.name for t in params.speculative.types]
    if name.startswith("ngram"):
        assert kinds == [f"COMMON_SPECULATIVE_TYPE_{name.upper()}"]
    else:
        assert kinds == ["COMMON_SPECULATIVE_TYPE_NONE"]
    # Flash attention is on in the shipped settings; one variant turns it off.
    assert params.flash_attn_type == (0 if name == "no_flash_attn" else 1)


def test_recordings_of_a_prompt_are_its_own() -> None:
    found = recordings_of("v2")
    assert len(found) >= 5  # the seeds, and the corpus articles v2 was run on
    system = load_prompt("v2").system
    for path in found:
        request = json.loads(path.read_text(encoding="utf-8"))["request"]
        assert request["messages"][0]["content"] == system
        # v3 shares v2's text; its requests carry the presence penalty of its header.
        assert "presence_penalty" not in request
    assert len(recordings_of("v3")) == 5
