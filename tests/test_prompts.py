"""Prompt files: a header pins the decoding settings a prompt is scored with; a bad one is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from extractor.core.errors import ConfigError
from extractor.pipeline.prompts import load_prompt


def test_shipped_prompts_pin_their_sampling() -> None:
    assert load_prompt("v2").sampling == {}
    v3 = load_prompt("v3")
    assert v3.sampling == {"presence_penalty": 0.5}
    # v3 and v4 are v2's text under a presence penalty: the eval compares the decoding setting alone.
    assert (v3.system, v3.user_template) == (load_prompt("v2").system, load_prompt("v2").user_template)
    assert load_prompt("v4").sampling == {"presence_penalty": 0.2}


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("draft: tiny", "header line 'draft: tiny'"),
        ("presence_penalty: lots", "must be a number"),
        ("frequency_penalty: 3", "between -2.0 and 2.0"),
    ],
)
def test_a_bad_header_is_a_config_error(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "x.md"
    path.write_text(f"{header}\n<<<system>>>\nS\n<<<user>>>\n{{sentences}}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_prompt(str(path))
