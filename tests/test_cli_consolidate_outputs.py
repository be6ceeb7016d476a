"""``consolidate`` over what ``extract -o`` and ``batch -o`` really write, failure lines included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from extractor.consolidation import Timeline, load_extractions, load_outputs
from extractor.core.errors import InputError
from tests.fake_upstream import FakeUpstream, ok
from tests.test_cli import (
    ARTICLE,
    assert_no_traceback,
    backend,
    clean_environment,  # noqa: F401  (autouse: no developer's EXTRACTOR_* settings leak in)
    gold_files,
    invoke,
    qaani_draft,
    stderr_of,
    write_batch_input,
)


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream(default=ok(qaani_draft, usage=(120, 30))) as upstream:
        yield upstream


def extract_output(fake: FakeUpstream, tmp_path: Path) -> Path:
    """``extract a.txt empty.txt b.txt -o out.jsonl``: two extractions around one failure line."""
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_text(ARTICLE.replace("Wednesday", "Tuesday"), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    files = [tmp_path / name for name in ("a.txt", "empty.txt", "b.txt")]
    result = invoke("extract", *files, "-o", out, *backend(fake), "--published", "2025-05-15")
    assert result.exit_code == 1  # one article failed
    return out


def test_consolidate_skips_the_failure_lines_of_extract_output(fake: FakeUpstream, tmp_path: Path) -> None:
    out = extract_output(fake, tmp_path)
    assert any("error" in json.loads(line) for line in out.read_text(encoding="utf-8").splitlines())
    result = invoke("consolidate", out)
    assert result.exit_code == 0, result.stderr
    assert_no_traceback(result)
    timeline = Timeline.model_validate_json(result.stdout)
    assert [a.id for a in timeline.articles] == ["a", "b"]
    assert timeline.events
    warnings = [line for line in result.stderr.splitlines() if "skipped" in line]
    assert warnings == ["warning skipped 1 failed article(s): ids empty"]


def test_consolidate_reads_batch_output_and_skips_its_failed_lines(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    out = tmp_path / "results.jsonl"
    batch = invoke(
        "batch", write_batch_input(tmp_path / "in.jsonl", malformed_at=1), "-o", out, *backend(fake)
    )
    assert batch.exit_code == 1
    result = invoke("consolidate", out, "-f", "md")
    assert result.exit_code == 0, result.stderr
    assert "3 article(s)" in result.stdout
    assert "skipped 1 failed article(s): ids line-2" in stderr_of(result)


def test_extract_and_batch_outputs_mix_with_gold_files(fake: FakeUpstream, tmp_path: Path) -> None:
    out = extract_output(fake, tmp_path)
    outputs = load_outputs([out, gold_files()[0]])
    assert [x.article.id for x in outputs.extractions] == ["a", "b", gold_files()[0].stem]
    (failure,) = outputs.failures
    assert (failure.article_id, failure.kind, failure.location) == ("empty", "bad_input", f"{out}:2")
    # The strict reader used by library callers still refuses a failure line, naming it.
    with pytest.raises(InputError, match=r"out\.jsonl:2: article 'empty' failed \(bad_input\)"):
        load_extractions([out])


def test_a_batch_line_still_pending_counts_as_skipped(tmp_path: Path) -> None:
    path = tmp_path / "partial.jsonl"
    path.write_text('{"index": 0, "article_id": "x", "status": "pending"}\n', encoding="utf-8")
    (failure,) = load_outputs([path]).failures
    assert (failure.article_id, failure.kind) == ("x", "pending")


@pytest.mark.parametrize(
    "line",
    [
        '{"hello": "world"}',
        '{"article": {"id": "x"}, "error": "it broke"}',
        '{"index": 1, "status": "failed", "error": {"kind": "bad_line"}}',
        '{"index": 1, "status": "ok", "result": {"article": {"id": "x"}}}',
        "[1, 2]",
    ],
)
def test_a_line_that_is_neither_exits_2_naming_file_and_line(
    fake: FakeUpstream, tmp_path: Path, line: str
) -> None:
    out = extract_output(fake, tmp_path)
    with out.open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    result = invoke("consolidate", out)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stdout == ""
    (message,) = result.stderr.strip().splitlines()
    assert f"{out}:4:" in message
    assert "not an article extraction" in message or "neither" in message
