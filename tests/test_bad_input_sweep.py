"""A sweep of bad input through the real pipeline: every class gets a clear 4xx (or an answer with the
bad part left out and a warning), never a 5xx or a traceback, in the HTTP API, the Python API and the CLI.

The model is tests/fake_upstream.py on 127.0.0.1, answering a draft that repeats the article's own date
words, so the date code meets exactly the words the article holds.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from extractor.cli.app import app as cli
from extractor.pipeline.extraction import extract
from extractor.providers.settings import Settings
from extractor.service.app import create_app
from tests.fake_upstream import FakeUpstream, ok
from tests.service_helpers import service_settings

_LINE = re.compile(r"^\[(\d+)\] (.*)$", re.MULTILINE)
_WHEN = re.compile(r"(\d+ (?:years|days) ago|\d{19,} days ago|yesterday|tomorrow)")


def reader(request: dict[str, Any]) -> dict[str, Any]:
    """Qaani's visit to Baghdad, dated with whatever date words the first sentence holds."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    sentences = _LINE.findall(user)
    if not sentences:
        return {"actors": [], "visits": [], "meetings": []}
    number, text = sentences[0]
    when = _WHEN.search(text)
    visit = {"sentences": [int(number)], "visitors": ["Esmail Qaani"], "destination": "Baghdad"}
    if when:
        visit["arrival"] = when.group(1)
    return {
        "actors": [{"name": "Esmail Qaani", "kind": "person", "sentences": [int(number)]}],
        "visits": [visit] if "Qaani" in text else [],
        "meetings": [],
    }


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream(default=ok(reader)) as server:
        yield server


def settings_for(fake: FakeUpstream) -> Settings:
    return Settings(
        base_url=fake.url, api_key="x", model="fake-model", max_retries=0, max_article_chars=5_000
    )


@pytest.fixture
def client(fake: FakeUpstream, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(fake), service_settings(tmp_path))) as c:
        yield c


OUT_OF_RANGE_DATES = [
    ("Esmail Qaani arrived in Baghdad 3000 years ago.", "2025-05-15"),
    ("Esmail Qaani arrived in Baghdad 100000 years ago.", "2025-05-15"),
    ("Esmail Qaani arrived in Baghdad 99999999999999999999999 days ago.", "2025-05-15"),
    ("Esmail Qaani arrived in Baghdad yesterday.", "0001-01-01"),
    ("Esmail Qaani arrived in Baghdad tomorrow.", "9999-12-31"),
]


@pytest.mark.parametrize(("text", "published"), OUT_OF_RANGE_DATES)
def test_dates_out_of_the_calendar_are_left_unresolved_with_a_warning(
    client: TestClient, text: str, published: str
) -> None:
    response = client.post("/v1/extract", json={"text": text, "published": published})
    assert response.status_code == 200, response.text
    (visit,) = response.json()["visits"]
    assert visit["arrival"]["date"] is None
    assert any("unresolved" in w for w in response.json()["meta"]["warnings"])


@pytest.mark.parametrize(("text", "published"), OUT_OF_RANGE_DATES[:2])
def test_the_python_api_and_the_cli_take_the_same_dates(
    fake: FakeUpstream, tmp_path: Path, text: str, published: str
) -> None:
    result = extract(text, published=published, settings=settings_for(fake))
    assert result.visits[0].arrival is not None and result.visits[0].arrival.date is None
    article = tmp_path / "a.txt"
    article.write_text(text, encoding="utf-8")
    run = CliRunner().invoke(
        cli,
        ["extract", str(article), "--published", published, "--base-url", fake.url, "--model", "fake-model"],
        env={"EXTRACTOR_API_KEY": "x"},
    )
    assert run.exit_code == 0, run.output
    assert "Traceback" not in run.output


def deeply_nested(depth: int) -> str:
    return '{"text": ' + "[" * depth + "]" * depth + "}"


SWEEP: list[tuple[str, bytes, str, int]] = [
    # (class, body, content type, status)
    ("empty text", b'{"text": ""}', "application/json", 422),
    ("whitespace only", b'{"text": " \\n\\t "}', "application/json", 422),
    ("no body", b"", "application/json", 422),
    ("binary (NUL)", json.dumps({"text": "a\x00b"}).encode(), "application/json", 422),
    ("invalid UTF-8", b'{"text": "caf\xe9"}', "application/json", 400),
    ("lone surrogate", b'{"text": "bad \\ud800 x"}', "application/json", 422),
    ("not JSON", b'{"text": "abc"', "application/json", 400),
    ("deeply nested", deeply_nested(5_000).encode(), "application/json", 400),
    ("text a number", b'{"text": 5}', "application/json", 422),
    ("text a list", b'{"text": ["a"]}', "application/json", 422),
    ("text an object", b'{"text": {"a": 1}}', "application/json", 422),
    ("published a number", b'{"text": "Qaani arrived.", "published": 5}', "application/json", 422),
    (
        "published not a date",
        b'{"text": "Qaani arrived.", "published": "2024-02-30"}',
        "application/json",
        422,
    ),
    ("body a list", b"[1, 2]", "application/json", 422),
    ("huge", json.dumps({"text": "Qaani arrived. " * 2_000}).encode(), "application/json", 413),
    ("wrong content type", b'{"text": "abc"}', "text/plain", 415),
]


@pytest.mark.parametrize(("name", "body", "content_type", "status"), SWEEP, ids=[s[0] for s in SWEEP])
def test_bad_input_sweep_answers_a_clear_4xx(
    client: TestClient, name: str, body: bytes, content_type: str, status: int
) -> None:
    response = client.post("/v1/extract", content=body, headers={"Content-Type": content_type})
    assert response.status_code == status, (name, response.text)
    error = response.json()["error"]
    assert error["kind"] and error["message"]


def test_unknown_ids_and_routes_answer_404(client: TestClient) -> None:
    for path in ("/v1/jobs/no-such-job", "/v1/jobs/no-such-job/results", "/v1/nothing"):
        response = client.get(path)
        assert response.status_code == 404, (path, response.text)
        assert response.json()["error"]["kind"]
