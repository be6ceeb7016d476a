"""What the CLI says and how it ends: progress on a terminal, one-line configuration errors, the
timeout hint, Ctrl-C with a resume command, help that shows defaults and environment variables."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

from extractor.cli import extract_cmd
from extractor.core.errors import ConfigError
from extractor.core.progress import Step, listening, report
from extractor.pipeline.inputs import read_article
from extractor.providers.settings import Settings
from tests.fake_upstream import FakeUpstream, delay, ok
from tests.test_cli import (
    ARTICLE,
    assert_no_traceback,
    backend,
    clean_environment,  # noqa: F401  (autouse: no developer's EXTRACTOR_* settings leak in)
    invoke,
    qaani_draft,
    stderr_of,
)


@pytest.fixture
def fake() -> FakeUpstream:
    with FakeUpstream(default=ok(qaani_draft, usage=(120, 30))) as upstream:
        yield upstream  # type: ignore[misc]


def articles(tmp_path: Path, *stems: str) -> list[Path]:
    paths = []
    for stem in stems:
        path = tmp_path / f"{stem}.txt"
        path.write_text(ARTICLE, encoding="utf-8")
        paths.append(path)
    return paths


def test_the_retry_budget_outlasts_a_timed_out_request() -> None:
    assert Settings().retry_budget_s > Settings().timeout_s
    assert Settings(timeout_s=1200).retry_budget_s > 1200
    assert Settings(max_retry_time_s=42).retry_budget_s == 42


def test_a_remote_url_without_a_model_is_one_line_and_exit_2(tmp_path: Path) -> None:
    (path,) = articles(tmp_path, "a")
    out = tmp_path / "out.jsonl"
    out.write_text("earlier\n", encoding="utf-8")
    result = invoke("extract", path, "--base-url", "http://127.0.0.1:9/v1", "-o", out)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert len(result.stderr.strip().splitlines()) == 1 and "--model" in result.stderr
    assert out.read_text(encoding="utf-8") == "earlier\n"  # a config error never truncates the output


def test_a_timeout_names_the_flag_and_the_variable(tmp_path: Path) -> None:
    (path,) = articles(tmp_path, "a")
    with FakeUpstream(default=delay(2.0, ok(qaani_draft))) as slow:
        result = invoke("extract", path, *backend(slow), "--timeout", "0.3", "--max-retries", "1")
        tries = len(slow.chat_requests())
    assert result.exit_code == 1
    assert_no_traceback(result)
    stderr = stderr_of(result)
    assert "--timeout" in stderr and "EXTRACTOR_TIMEOUT_S" in stderr
    assert tries == 2  # the timed-out request was tried again: the budget covers another timeout


def test_extract_o_writes_the_batch_shape_and_resumes_after_ctrl_c(
    fake: FakeUpstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = articles(tmp_path, "a", "b", "c")
    out = tmp_path / "out.jsonl"
    real = extract_cmd.aextract
    calls = {"n": 0}

    async def interrupted_on_the_second(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return await real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(extract_cmd, "aextract", interrupted_on_the_second)
    result = invoke("extract", *paths, *backend(fake), "-o", out)
    assert result.exit_code == 130
    stderr = stderr_of(result)
    assert "interrupted: 1 of 3 article(s) done" in stderr and str(out) in stderr
    assert "--resume" in stderr
    (line,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert (line["index"], line["article_id"], line["status"]) == (0, "a", "ok")

    monkeypatch.setattr(extract_cmd, "aextract", real)
    result = invoke("extract", *paths, *backend(fake), "-o", out, "--resume")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(x["index"], x["article_id"], x["status"]) for x in lines] == [
        (0, "a", "ok"),
        (1, "b", "ok"),
        (2, "c", "ok"),
    ]
    assert "1 article(s) already in" in stderr_of(result)
    # consolidate reads it as it stands.
    assert invoke("consolidate", out).exit_code == 0


def test_resume_needs_an_output(tmp_path: Path) -> None:
    (path,) = articles(tmp_path, "a")
    result = invoke("extract", path, "--resume")
    assert result.exit_code == 2


def test_the_status_line_says_what_the_model_is_doing() -> None:
    console = Console(record=True, width=120, force_terminal=True)
    from rich.progress import Progress, TextColumn

    with Progress(TextColumn("{task.description}"), console=console, auto_refresh=False) as progress:
        status = extract_cmd.Status(progress, total=2)
        with listening(status):
            status.article("seeds/a.txt")
            assert "reading seeds/a.txt" in progress.tasks[status.stage].description
            report("assembling", "qwen, 1.1 GB, first run only")
            assert "assembling the embedded model" in progress.tasks[status.stage].description
            report("loading", "qwen, 2 threads")
            assert "loading the embedded model" in progress.tasks[status.stage].description
            report("generating")
            report("generated", tokens=200, seconds=10.0)
            report("generating")
            text = progress.tasks[status.stage].description
            assert "model call 2" in text and "200 tokens so far at 20.0 tok/s" in text
    # Nobody listening: reporting is a no-op.
    report("generating")
    assert Step("x").tokens == 0


def test_nothing_but_errors_and_the_summary_when_stderr_is_not_a_terminal(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    paths = articles(tmp_path, "a", "b")
    result = invoke("extract", *paths, *backend(fake), "-o", tmp_path / "out.jsonl")
    assert result.exit_code == 0
    assert result.stderr == ""


def test_help_shows_defaults_and_variables_without_placeholders() -> None:
    for command in ("extract", "batch", "eval", "serve", "consolidate", "view", "schema"):
        result = invoke(command, "--help")
        assert result.exit_code == 0, command
        text = result.stdout
        assert "<list[str]>" not in text and "<str>" not in text and "<bool>" not in text, command
    text = invoke("extract", "--help").stdout
    for shown in ("[default: embedded]", "[default: all cores]", "[default: 600]", "EXTRACTOR_TIMEOUT_S"):
        assert shown in text, shown


def test_an_unwritable_output_exits_2(fake: FakeUpstream, tmp_path: Path) -> None:
    (path,) = articles(tmp_path, "a")
    result = invoke("extract", path, *backend(fake), "-o", tmp_path / "no" / "such" / "dir" / "out.jsonl")
    assert result.exit_code == 2
    assert_no_traceback(result)


def test_config_errors_stop_the_run_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paths = articles(tmp_path, "a", "b")

    async def refused(*args: object, **kwargs: object) -> object:
        raise ConfigError("the model backend refused the credentials")

    monkeypatch.setattr(extract_cmd, "aextract", refused)
    result = invoke("extract", *paths, "--base-url", "http://127.0.0.1:9/v1", "--model", "m")
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert stderr_of(result).count("refused the credentials") == 1
    assert read_article(str(paths[0])).article_id == "a"
