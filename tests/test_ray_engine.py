"""The Ray Data engine: a local Ray (2 CPUs) against the fake upstream on 127.0.0.1, with faults.

Every input line comes back exactly once, in input order, in the local batch's shape; a rerun does
only what is missing; an actor killed mid-run loses nothing.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from extractor.cli import app
from extractor.providers.settings import Settings
from extractor.service.batch import arun_batch
from tests.fake_upstream import (
    FakeUpstream,
    drop_connection,
    malformed_json,
    rate_limited,
    schema_violation,
    server_error,
    truncated,
)

HAVE_RAY = importlib.util.find_spec("ray") is not None
needs_ray = pytest.mark.skipif(not HAVE_RAY, reason="ray is not installed (pip install -e '.[ray]')")


def settings_for(url: str) -> Settings:
    return Settings(
        base_url=url, api_key="x", model="fake-model", max_retries=2, retry_backoff_s=0, timeout_s=10
    )


def article(i: int) -> dict[str, Any]:
    return {"id": i, "text": f"Minister Person{i} arrived in Paris on Monday for talks number {i}."}


def write_input(path: Path, lines: list[object]) -> Path:
    with path.open("wb") as f:
        for line in lines:
            f.write(line if isinstance(line, bytes) else json.dumps(line).encode())
            f.write(b"\n")
    return path


def read_output(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def without_timing(record: dict[str, Any]) -> dict[str, Any]:
    if "result" in record:
        record = json.loads(json.dumps(record))
        record["result"]["meta"]["duration_s"] = 0
    return record


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    if not HAVE_RAY:
        pytest.skip("ray is not installed (pip install -e '.[ray]')")
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream() as server:
        yield server


@needs_ray
def test_every_line_once_in_input_order_despite_faults(
    local_ray: None, fake: FakeUpstream, tmp_path: Path
) -> None:
    from extractor.scale.ray_batch import run_ray_batch

    lines: list[object] = [article(i) for i in range(220)]
    lines[5] = b"{not json"
    lines[17] = {"id": "empty", "text": "  "}
    lines[30] = {"text": "An article without an id went to Rome."}
    source = write_input(tmp_path / "in.jsonl", lines)
    # Transient faults the retries absorb, and runs of them that outlast the retries.
    fake.push(
        rate_limited(0),
        server_error(503),
        drop_connection(),
        malformed_json(),
        truncated(),
        schema_violation(),
    )
    fake.push(*[server_error(500)] * 9, *[schema_violation()] * 9)
    out = tmp_path / "out.jsonl"
    summary = run_ray_batch(source, out, settings_for(fake.url), actors=2, in_flight=8)

    records = read_output(out)
    assert [r["index"] for r in records] == list(range(220))
    ids = [r["article_id"] for r in records]
    assert len(set(ids)) == 220
    assert ids[0] == "0" and ids[5] == "line-6" and ids[17] == "empty" and ids[219] == "219"
    assert all(r["status"] in ("ok", "failed") for r in records)
    failed = [r for r in records if r["status"] == "failed"]
    assert all(r["error"]["kind"] and r["error"]["message"] for r in failed)
    kinds = {r["error"]["kind"] for r in failed}
    assert {"bad_line", "empty_text"} <= kinds
    assert kinds <= {"bad_line", "empty_text", "backend_unavailable", "model_output"}
    assert (summary.total, summary.ok + summary.failed) == (220, 220)
    assert summary.ok >= 210
    assert not (tmp_path / "out.jsonl.checkpoint").exists()
    assert not (tmp_path / "out.jsonl.partial").exists()


@needs_ray
def test_lines_are_the_local_batch_lines(local_ray: None, fake: FakeUpstream, tmp_path: Path) -> None:
    from extractor.scale.ray_batch import run_ray_batch

    lines: list[object] = [article(i) for i in range(12)]
    lines[3] = {"id": "big", "text": "x" * 60_000}
    lines[7] = ["not", "an", "object"]
    source = write_input(tmp_path / "in.jsonl", lines)
    settings = settings_for(fake.url)
    run_ray_batch(source, tmp_path / "ray.jsonl", settings, actors=1, in_flight=4)
    import asyncio

    asyncio.run(arun_batch(source, tmp_path / "local.jsonl", settings, progress=False))
    ray_records = [without_timing(r) for r in read_output(tmp_path / "ray.jsonl")]
    local_records = [without_timing(r) for r in read_output(tmp_path / "local.jsonl")]
    assert ray_records == local_records


@needs_ray
def test_a_rerun_does_only_what_is_missing(local_ray: None, fake: FakeUpstream, tmp_path: Path) -> None:
    from extractor.scale.ray_batch import checkpoint_path, run_ray_batch

    source = write_input(tmp_path / "in.jsonl", [article(i) for i in range(200)])
    out = tmp_path / "out.jsonl"
    settings = settings_for(fake.url)
    run_ray_batch(source, out, settings, actors=2, in_flight=8)
    complete = [without_timing(r) for r in read_output(out)]
    assert len(fake.chat_requests()) == 200

    # An interrupted run: 120 results in the checkpoint in the order Ray delivered them, the last
    # line cut short, one of them a transient failure; no output written yet.
    kept = out.read_text(encoding="utf-8").splitlines(keepends=True)[:120][::-1]
    transient = {"index": 0, "article_id": "0", "status": "failed"} | {
        "error": {"kind": "backend_unavailable", "message": "fake outage"}
    }
    kept[-1] = json.dumps(transient) + "\n"
    checkpoint_path(out).write_text("".join(kept) + '{"index": 120, "article_', encoding="utf-8")
    out.unlink()

    summary = run_ray_batch(source, out, settings, actors=2, in_flight=8)
    assert summary.already_done == 119
    assert len(fake.chat_requests()) == 200 + 81
    assert [without_timing(r) for r in read_output(out)] == complete
    assert not checkpoint_path(out).exists()

    # A finished output: nothing left to do, and the file is unchanged.
    before = out.read_text(encoding="utf-8")
    summary = run_ray_batch(source, out, settings, actors=1, in_flight=8)
    assert summary.already_done == 200 and len(fake.chat_requests()) == 281
    assert out.read_text(encoding="utf-8") == before


def map_worker_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if cmdline.startswith(b"ray::MapWorker") and b"ExtractBatch" in cmdline:
                pids.append(int(entry.name))
    return pids


@needs_ray
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="finds the actor processes through /proc")
def test_an_actor_killed_mid_run_loses_nothing(local_ray: None, tmp_path: Path) -> None:
    from extractor.scale.ray_batch import run_ray_batch

    source = write_input(tmp_path / "in.jsonl", [article(i) for i in range(200)])
    out = tmp_path / "out.jsonl"
    killed: list[int] = []
    with FakeUpstream(latency_s=0.2) as slow:
        settings = settings_for(slow.url)

        def kill_one_when_busy() -> None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(slow.chat_requests()) < 40:
                time.sleep(0.05)
            pids = map_worker_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)  # what the OOM killer or a lost node does
                killed.append(pids[0])

        killer = threading.Thread(target=kill_one_when_busy)
        killer.start()
        summary = run_ray_batch(source, out, settings, actors=2, in_flight=4, batch_size=8)
        killer.join()
        requests = len(slow.chat_requests())
    assert killed, "no actor process was found to kill"
    records = read_output(out)
    assert [r["index"] for r in records] == list(range(200))
    assert [r["article_id"] for r in records] == [str(i) for i in range(200)]
    assert summary.ok == 200
    assert requests >= 200  # the killed actor's batch ran again elsewhere; its lines were written once


@needs_ray
def test_one_article_raising_never_fails_its_batch(
    fake: FakeUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The actor class itself, in this process: Ray only adds the process around it.
    from extractor.scale import ray_engine

    real = ray_engine.aextract

    async def flaky(text: str, **kwargs: Any) -> Any:
        if "boom" in text:
            raise RuntimeError("a bug")
        return await real(text, **kwargs)

    monkeypatch.setattr(ray_engine, "aextract", flaky)
    actor = ray_engine.ExtractBatch(settings_for(fake.url), in_flight=2)
    batch = {
        "index": np.array([0, 1, 2, 3]),
        "id": np.array([7, 8, 9, 10]),
        "text": np.array(
            ["Boom went the bug in Paris.", "", "The minister flew to Rome.", "boom again."], dtype=object
        ),
    }
    rows = actor(batch)
    assert rows["index"] == [0, 1, 2, 3]
    assert rows["article_id"] == ["7", "8", "9", "10"]
    assert rows["status"] == ["ok", "failed", "ok", "failed"]
    errors = [json.loads(line).get("error") for line in rows["line"]]
    assert errors[1]["kind"] == "empty_text"
    assert errors[3] == {"kind": "internal", "message": "RuntimeError: a bug"}


@needs_ray
def test_a_server_list_shares_the_articles(monkeypatch: pytest.MonkeyPatch) -> None:
    from extractor.scale import ray_engine

    with FakeUpstream() as one, FakeUpstream() as two:
        actor = ray_engine.ExtractBatch(settings_for(f"{one.url},{two.url}"), in_flight=2)
        batch = {
            "index": np.arange(6),
            "text": np.array([article(i)["text"] for i in range(6)], dtype=object),
        }
        assert actor(batch)["status"] == ["ok"] * 6
        assert (len(one.chat_requests()), len(two.chat_requests())) == (3, 3)


@needs_ray
def test_cli_engine_ray(local_ray: None, fake: FakeUpstream, tmp_path: Path) -> None:
    source = write_input(tmp_path / "in.jsonl", [article(i) for i in range(10)])
    out = tmp_path / "out.jsonl"
    args = ["batch", str(source), "-o", str(out), "--engine", "ray", "--concurrency", "8"]
    args += ["--base-url", fake.url, "--model", "fake-model", "--api-key", "x"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "10 article(s): 10 ok, 0 failed" in result.output
    assert [r["article_id"] for r in read_output(out)] == [str(i) for i in range(10)]


def test_cli_engine_ray_without_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import extractor.scale

    monkeypatch.setattr(extractor.scale, "ray_available", lambda: False)
    source = write_input(tmp_path / "in.jsonl", [article(1)])
    result = CliRunner().invoke(
        app, ["batch", str(source), "-o", str(tmp_path / "o.jsonl"), "--engine", "ray"]
    )
    assert result.exit_code == 2
    assert "pip install 'extractor[ray]'" in result.output
    assert len(result.output.strip().splitlines()) == 1
