"""kill -9 mid-job: the service runs as a real uvicorn subprocess; after a restart the job completes, every
article accounted for, none processed into two different stored results."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.fake_upstream import FakeUpstream, ok
from tests.service_helpers import EnvoyDrafts, envoy_article, envoy_of

REPO = Path(__file__).resolve().parents[1]
ARTICLES = 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServiceProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "uvicorn", "extractor.service.server:app_from_env", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
        self._log = log.open("ab")
        self.proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_healthy()

    def _wait_healthy(self, timeout_s: float = 90) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"service exited with {self.proc.returncode}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError("service did not become healthy")

    def kill(self, sig: int) -> None:
        os.kill(self.proc.pid, sig)
        self.proc.wait(timeout=30)
        self._log.close()


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    # Latency keeps several articles in flight at the moment of the kill.
    with FakeUpstream(default=ok(EnvoyDrafts(numbered=True)), latency_s=0.3) as upstream:
        yield upstream


def service_env(fake: FakeUpstream, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXTRACTOR_", "OPENAI_"))}
    env.update(
        PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]),
        EXTRACTOR_BASE_URL=fake.url,
        EXTRACTOR_API_KEY="x",
        EXTRACTOR_MODEL="fake-model",
        EXTRACTOR_REPLAY="off",
        EXTRACTOR_MAX_RETRIES="2",
        EXTRACTOR_RETRY_BACKOFF_S="0.01",
        EXTRACTOR_DATABASE_URL=f"sqlite:///{db}",
        EXTRACTOR_JOB_CONCURRENCY="4",
        EXTRACTOR_WORKER_POLL_S="0.1",
    )
    return env


def counts(service: ServiceProcess, job_id: str) -> dict[str, int]:
    body = httpx.get(f"{service.base}/v1/jobs/{job_id}", timeout=10).json()
    return body["counts"]  # type: ignore[no-any-return]


def test_sigkill_mid_job_then_restart_loses_nothing(fake: FakeUpstream, tmp_path: Path) -> None:
    db = tmp_path / "service.sqlite3"
    env = service_env(fake, db)
    texts = [envoy_article(n) for n in range(ARTICLES)]
    service = ServiceProcess(env, tmp_path / "service.log")
    articles = [{"id": f"art{n}", "text": t} for n, t in enumerate(texts)]
    created = httpx.post(f"{service.base}/v1/jobs", json={"articles": articles}, timeout=30)
    assert created.status_code == 202
    job_id = created.json()["job_id"]

    deadline = time.monotonic() + 60
    while counts(service, job_id)["done"] < 8 and time.monotonic() < deadline:
        time.sleep(0.05)
    service.kill(signal.SIGKILL)

    with sqlite3.connect(db) as conn:
        by_status = dict(conn.execute("select status, count(*) from job_items group by status").fetchall())
    assert 0 < by_status.get("ok", 0) < ARTICLES, by_status  # killed mid-job
    assert by_status.get("running", 0) > 0, by_status  # with work in flight

    service = ServiceProcess(env, tmp_path / "service.log")
    try:
        deadline = time.monotonic() + 120
        while counts(service, job_id)["pending"] and time.monotonic() < deadline:
            time.sleep(0.1)
        final = counts(service, job_id)
        first = httpx.get(f"{service.base}/v1/jobs/{job_id}/results", timeout=30).text.splitlines()
        again = httpx.get(f"{service.base}/v1/jobs/{job_id}/results", timeout=30).text.splitlines()
    finally:
        service.kill(signal.SIGTERM)

    assert final == {"total": ARTICLES, "done": ARTICLES, "failed": 0, "pending": 0, "cancelled": 0}
    lines = [json.loads(line) for line in first]
    assert [line["article_id"] for line in lines] == [f"art{n}" for n in range(ARTICLES)]
    assert first == again  # results are stored, not recomputed
    for line, text in zip(lines, texts, strict=True):
        (actor,) = line["result"]["actors"]
        assert actor["name"] == envoy_of(text)

    with sqlite3.connect(db) as conn:
        keys = [k for (k,) in conn.execute("select result_key from job_items where job_id = ?", (job_id,))]
        stored = conn.execute("select count(*) from extraction_results").fetchone()[0]
    assert len(set(keys)) == ARTICLES and stored == ARTICLES  # one stored result per article, no second one
    # Articles in flight at the kill were asked again (at-least-once calls), yet each kept one result.
    assert len(fake.chat_requests()) >= ARTICLES
