"""The batch runner: malformed lines recorded, order kept, resumable after an interruption, no rework."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from sqlalchemy import text

from extractor.core.errors import ConfigError
from extractor.providers.settings import Settings
from extractor.service.batch import arun_batch, default_state_path, run_batch
from extractor.service.config import ServiceSettings
from extractor.service.store import Store
from tests.service_helpers import FakeExtract, FakeLLM

SETTINGS = Settings(model="fake-model", base_url="http://127.0.0.1:9/v1", max_article_chars=2000)
CONFIG = ServiceSettings(worker_poll_s=0.02, item_retry_delay_s=0.02, job_concurrency=3)


def write_input(path: Path, lines: list[object | bytes]) -> Path:
    with path.open("wb") as f:
        for line in lines:
            f.write(line if isinstance(line, bytes) else json.dumps(line).encode())
            f.write(b"\n")
    return path


def read_output(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_line_is_accounted_for_in_input_order(tmp_path: Path) -> None:
    source = write_input(
        tmp_path / "in.jsonl",
        [
            {"id": "a", "text": "First article.", "source": "S", "published": "2024-01-02"},
            b"{not json",
            {"text": "No id here."},
            ["a", "list"],
            b"",  # blank lines are not articles
            {"id": "e", "text": "   "},
            b'{"id": "f", "text": "caf\xe9"}',
            {"id": "g", "text": "x" * 2001},
            {"id": "h", "text": "raise: model_output"},
            {"id": 7, "title": "no text"},
        ],
    )
    fake = FakeExtract()
    out = tmp_path / "out.jsonl"
    summary = run_batch(source, out, SETTINGS, fake, config=CONFIG, llm=FakeLLM(), progress=False)
    lines = read_output(out)
    assert [line["index"] for line in lines] == list(range(9))
    assert [(line["article_id"], line["status"]) for line in lines] == [
        ("a", "ok"),
        ("line-2", "failed"),
        (lines[2]["article_id"], "ok"),
        ("line-4", "failed"),
        ("e", "failed"),
        ("line-7", "failed"),
        ("g", "failed"),
        ("h", "failed"),
        ("7", "failed"),
    ]
    kinds = [line["error"]["kind"] for line in lines if line["status"] == "failed"]  # type: ignore[index]
    assert kinds == [
        "bad_line",
        "bad_line",
        "empty_text",
        "bad_encoding",
        "too_large",
        "model_output",
        "bad_line",
    ]
    assert "line 2" in lines[1]["error"]["message"]  # type: ignore[index]
    assert lines[0]["result"]["article"]["source"] == "S"  # type: ignore[index]
    assert next(c for c in fake.calls if c["text"] == "First article.")["published"] == "2024-01-02"
    assert (summary.total, summary.ok, summary.failed, summary.already_done) == (9, 2, 7, 0)
    assert summary.state_path == default_state_path(out) and summary.state_path.exists()


def test_a_rerun_skips_what_is_done(tmp_path: Path) -> None:
    source = write_input(tmp_path / "in.jsonl", [{"id": str(i), "text": f"Article {i}."} for i in range(5)])
    out = tmp_path / "out.jsonl"
    fake = FakeExtract()
    run_batch(source, out, SETTINGS, fake, config=CONFIG, llm=FakeLLM(), progress=False)
    first = out.read_text()
    summary = run_batch(source, out, SETTINGS, fake, config=CONFIG, llm=FakeLLM(), progress=False)
    assert len(fake.calls) == 5
    assert summary.already_done == 5
    assert out.read_text() == first


def test_an_interrupted_run_resumes_without_losing_or_redoing_work(tmp_path: Path) -> None:
    source = write_input(tmp_path / "in.jsonl", [{"id": str(i), "text": f"Article {i}."} for i in range(12)])
    out = tmp_path / "out.jsonl"
    slow = FakeExtract(delay_s=0.1)

    async def interrupted() -> None:
        task = asyncio.create_task(
            arun_batch(
                source, out, SETTINGS, slow, config=CONFIG, llm=FakeLLM(), concurrency=2, progress=False
            )
        )
        while len(slow.calls) < 5:
            await asyncio.sleep(0.01)
        task.cancel()  # what Ctrl-C does to the run
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(interrupted())
    assert not out.exists()  # no half-written output
    store = Store(f"sqlite:///{default_state_path(out)}")
    (job_id,) = store.engine.connect().execute(text("select id from jobs")).scalars()
    done_before = {o.text for o in store.iter_outcomes(job_id) if o.status == "ok"}
    assert all(o.status != "running" for o in store.iter_outcomes(job_id))  # handed back on cancel
    store.close()
    assert 3 <= len(done_before) < 12
    fast = FakeExtract()
    summary = run_batch(source, out, SETTINGS, fast, config=CONFIG, llm=FakeLLM(), progress=False)
    lines = read_output(out)
    assert [line["article_id"] for line in lines] == [str(i) for i in range(12)]
    assert all(line["status"] == "ok" for line in lines)
    # Articles finished before the interruption are not extracted again; the rest are, exactly once.
    assert summary.already_done == len(done_before)
    assert sorted(fast.texts()) == sorted({f"Article {i}." for i in range(12)} - done_before)


def test_transient_failures_are_retried_on_the_next_run(tmp_path: Path) -> None:
    source = write_input(tmp_path / "in.jsonl", [{"id": "x", "text": "outage"}, {"id": "y", "text": "fine"}])
    out = tmp_path / "out.jsonl"
    fake = FakeExtract()
    fake.fail_times = {"outage": 2}
    config = CONFIG.model_copy(update={"item_max_attempts": 2})
    run_batch(source, out, SETTINGS, fake, config=config, llm=FakeLLM(), progress=False)
    assert [line["status"] for line in read_output(out)] == ["failed", "ok"]
    run_batch(source, out, SETTINGS, fake, config=config, llm=FakeLLM(), progress=False)
    assert [line["status"] for line in read_output(out)] == ["ok", "ok"]


def test_a_changed_input_is_a_new_run(tmp_path: Path) -> None:
    source = write_input(tmp_path / "in.jsonl", [{"text": "one"}])
    out = tmp_path / "out.jsonl"
    fake = FakeExtract()
    run_batch(source, out, SETTINGS, fake, config=CONFIG, llm=FakeLLM(), progress=False)
    write_input(source, [{"text": "one"}, {"text": "two"}])
    summary = run_batch(source, out, SETTINGS, fake, config=CONFIG, llm=FakeLLM(), progress=False)
    assert summary.total == 2 and summary.ok == 2
    assert fake.texts() == ["one", "two"]  # "one" came from the stored result


def test_progress_bar_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_input(tmp_path / "in.jsonl", [{"text": f"t{i}"} for i in range(3)])
    run_batch(
        source, tmp_path / "o.jsonl", SETTINGS, FakeExtract(), config=CONFIG, llm=FakeLLM(), progress=True
    )
    assert "3/3" in capsys.readouterr().err


def _out_is_the_input(tmp_path: Path, source: Path) -> list[Path]:
    link = tmp_path / "link.jsonl"
    link.symlink_to(source)
    return [source, tmp_path / "sub" / ".." / "in.jsonl", link]


@pytest.mark.parametrize("case", ["same file", "directory", "state file is a directory"])
def test_paths_that_would_destroy_the_input_or_fail_at_the_end_are_refused_before_any_work(
    tmp_path: Path, case: str
) -> None:
    source = write_input(tmp_path / "in.jsonl", [{"id": "a", "text": "One."}])
    original = source.read_bytes()
    (tmp_path / "sub").mkdir()
    if case == "same file":
        attempts = [(out, None) for out in _out_is_the_input(tmp_path, source)]
    elif case == "directory":
        attempts = [(tmp_path / "sub", None)]
    else:
        attempts = [(tmp_path / "out.jsonl", tmp_path / "sub")]
    fake = FakeExtract()
    for out, state in attempts:
        with pytest.raises(ConfigError) as refused:
            run_batch(
                source, out, SETTINGS, fake, config=CONFIG, llm=FakeLLM(), progress=False, state_path=state
            )
        assert refused.value.kind == "config" and str(out if state is None else state) in str(refused.value)
    assert fake.calls == []
    assert source.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file() and not p.is_symlink()) == ["in.jsonl"]
    assert list((tmp_path / "sub").iterdir()) == []


def test_a_missing_input_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"absent\.jsonl: no such file"):
        run_batch(tmp_path / "absent.jsonl", tmp_path / "out.jsonl", SETTINGS, FakeExtract(), llm=FakeLLM())
    assert list(tmp_path.iterdir()) == []


def test_a_missing_output_directory_is_created(tmp_path: Path) -> None:
    source = write_input(tmp_path / "in.jsonl", [{"id": "a", "text": "One."}])
    out = tmp_path / "new" / "deeper" / "out.jsonl"
    summary = run_batch(source, out, SETTINGS, FakeExtract(), config=CONFIG, llm=FakeLLM(), progress=False)
    assert summary.ok == 1
    assert [line["article_id"] for line in read_output(out)] == ["a"]


def test_an_output_directory_that_cannot_be_made_is_refused(tmp_path: Path) -> None:
    source = write_input(tmp_path / "in.jsonl", [{"id": "a", "text": "One."}])
    fake = FakeExtract()
    with pytest.raises(ConfigError, match="cannot create the output directory"):
        run_batch(source, source / "out.jsonl", SETTINGS, fake, config=CONFIG, llm=FakeLLM(), progress=False)
    assert fake.calls == []


def test_a_numeric_id_is_the_string_of_that_number(tmp_path: Path) -> None:
    source = write_input(
        tmp_path / "in.jsonl",
        [{"id": 42, "text": "Forty-two."}, {"id": 0, "text": "Zero."}, {"id": True, "text": "Not an id."}],
    )
    out = tmp_path / "out.jsonl"
    fake = FakeExtract()
    run_batch(source, out, SETTINGS, fake, config=CONFIG, llm=FakeLLM(), progress=False)
    lines = read_output(out)
    assert [(line["article_id"], line["status"]) for line in lines[:2]] == [("42", "ok"), ("0", "ok")]
    assert lines[0]["result"]["article"]["id"] == "42"  # type: ignore[index]
    assert {c["article_id"] for c in fake.calls} == {"42", "0"}
    # A boolean is no id: that line is refused with its reason, not read as 1.
    assert (lines[2]["article_id"], lines[2]["status"]) == ("line-3", "failed")
