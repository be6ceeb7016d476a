"""Fakes and helpers shared by the service and batch tests: a scripted extract function, a fake LLM, and
articles whose model answers can be told apart (to prove no answer lands on the wrong article)."""

from __future__ import annotations

import asyncio
import itertools
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from fastapi import FastAPI
from fastapi.testclient import TestClient

from extractor.core.contract import ArticleExtraction, ArticleInfo, Meta, Usage
from extractor.core.errors import BackendUnavailable, ExtractorError, InputError, ModelOutputError
from extractor.providers.settings import Settings
from extractor.service.app import create_app
from extractor.service.config import ServiceSettings
from tests.fake_upstream import user_messages

MODEL = "fake-model"


class FakeLLM:
    """Stands in for providers.llm.LLM where the extract function is faked too."""

    def __init__(self, up: bool = True) -> None:
        self.model_name = MODEL
        self.up = up
        self.closed = False

    async def ping(self) -> bool:
        return self.up

    async def aclose(self) -> None:
        self.closed = True


class FakeExtract:
    """An ``aextract`` look-alike. The text picks the outcome: a line ``raise: <kind>`` raises that error.

    Records every call; ``delay_s`` makes each call take that long; tracks the peak of concurrent calls.
    """

    ERRORS: ClassVar[dict[str, Callable[[str], ExtractorError]]] = {
        "bad_input": InputError,
        "backend_unavailable": BackendUnavailable,
        "model_output": ModelOutputError,
    }

    def __init__(self, delay_s: float = 0.0) -> None:
        self.calls: list[dict[str, Any]] = []
        self.delay_s = delay_s
        self.active = 0
        self.peak = 0
        self.fail_times: dict[str, int] = {}  # text -> how many more calls raise BackendUnavailable

    async def __call__(self, text: str, **kwargs: Any) -> ArticleExtraction:
        self.calls.append({"text": text, **kwargs})
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            if self.fail_times.get(text, 0) > 0:
                self.fail_times[text] -= 1
                raise BackendUnavailable("scripted outage")
            for line in text.splitlines():
                if line.startswith("raise: "):
                    kind = line.removeprefix("raise: ").strip()
                    if kind == "bug":
                        raise RuntimeError("scripted bug")
                    raise self.ERRORS[kind](f"scripted {kind}")
            return ArticleExtraction(
                article=ArticleInfo(
                    id=kwargs.get("article_id") or "anon",
                    source=kwargs.get("source"),
                    url=kwargs.get("url"),
                    published=kwargs.get("published"),
                ),
                meta=Meta(
                    model=MODEL,
                    prompt_version="v1",
                    usage=Usage(prompt_tokens=100, completion_tokens=20),
                    attempts=2,
                    warnings=[f"len={len(text)}"],
                ),
            )
        finally:
            self.active -= 1

    def texts(self) -> list[str]:
        return [c["text"] for c in self.calls]


def service_settings(tmp_path: Path, **overrides: Any) -> ServiceSettings:
    values: dict[str, Any] = {
        "database_url": f"sqlite:///{tmp_path / 'service.sqlite3'}",
        "worker_poll_s": 0.05,
        "item_retry_delay_s": 0.05,
        "job_concurrency": 4,
    }
    values.update(overrides)
    return ServiceSettings(**values)


def make_app(
    tmp_path: Path, extract: Any = None, llm: Any = None, settings: Settings | None = None, **overrides: Any
) -> FastAPI:
    return create_app(
        settings or Settings(model=MODEL, base_url="http://127.0.0.1:9/v1", api_key="x"),
        service_settings(tmp_path, **overrides),
        extract=extract or FakeExtract(),
        llm=llm or FakeLLM(),
    )


def wait_for_job(client: TestClient, job_id: str, timeout_s: float = 20.0, **headers: str) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        status: dict[str, Any] = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if status["status"] == "done" or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


ENVOY = re.compile(r"Envoy ([A-Z][a-z]+ [A-Z][a-z]+)")


def envoy_article(n: int) -> str:
    """Article ``n``: its envoy's name is unique for n < 52."""
    first = "Abcdefghijklmnopqrstuvwxyz"[n % 26].upper() + "ria"
    last = "Lovelace" if n < 26 else "Hopper"
    return f"Envoy {first} {last} arrived in Oslo on Monday. Talks followed.\n\nReported by the desk."


def envoy_of(text: str) -> str:
    match = ENVOY.search(text)
    assert match is not None
    return match.group(1)


class EnvoyDrafts:
    """Fake-upstream content: a valid draft naming the envoy of the requested article.

    With ``numbered``, each answer also carries the envoy's title "Call N", N counting model calls, so two
    extractions of the same article give two different results.
    """

    def __init__(self, numbered: bool = False) -> None:
        self.numbered = numbered
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    def __call__(self, request: dict[str, Any]) -> dict[str, Any]:
        # The article is in the first user message; a reask appends its own.
        match = ENVOY.search(user_messages(request)[0])
        actor: dict[str, Any] = {"name": match.group(1), "kind": "person", "sentences": [1]} if match else {}
        if match and self.numbered:
            with self._lock:
                actor["title"] = f"Call {next(self._counter)}"
        return {"actors": [actor] if actor else [], "visits": [], "meetings": [], "claims": []}
