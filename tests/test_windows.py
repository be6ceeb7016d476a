"""Long articles: read in overlapping sentence windows, merged into one extraction.

The pipeline runs against a real HTTP server on 127.0.0.1 (tests/fake_upstream.py) whose answer is
computed from each request, as a model's would be: it reads the numbered sentences it was sent.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from extractor.core.article import split_front_matter
from extractor.core.sentences import Sentence, split_sentences
from extractor.core.windows import estimate_tokens, plan_windows, sentence_tokens
from extractor.pipeline.extraction import aextract
from extractor.pipeline.prompts import load_prompt
from extractor.pipeline.windows import window_budget
from extractor.providers.settings import Settings
from tests.fake_upstream import FakeUpstream, ok, server_error

CORPUS = Path(__file__).resolve().parents[1] / "evals" / "corpus" / "short"


def long_article(n_articles: int) -> str:
    """Real articles joined into one long text (for length, not meaning)."""
    bodies = [
        split_front_matter(p.read_text(encoding="utf-8")).body.strip() for p in sorted(CORPUS.glob("*.txt"))
    ]
    return "\n\n".join(bodies[:n_articles])


def sentences_of(n: int) -> list[Sentence]:
    return [Sentence(number=i + 1, start=i * 10, end=i * 10 + 9, text="x" * 9) for i in range(n)]


# --- the plan ---------------------------------------------------------------------------------------


def test_an_article_that_fits_is_one_window() -> None:
    sentences = split_sentences(long_article(1))
    assert plan_windows(sentences, 10_000) == [sentences]


def test_windows_cover_every_sentence_in_order_overlap_and_fit_the_budget() -> None:
    sentences = split_sentences(long_article(12))
    budget = 800
    windows = plan_windows(sentences, budget)
    assert len(windows) > 3
    assert windows[0][0] is sentences[0] and windows[-1][-1] is sentences[-1]
    for before, after in itertools.pairwise(windows):
        shared = [s.number for s in before if s in after]
        assert shared == [s.number for s in before[-2:]]  # two sentences of overlap
        assert after[-1].number > before[-1].number  # always moves forward
    for window in windows:
        assert [s.number for s in window] == list(range(window[0].number, window[-1].number + 1))
        assert len(window) == 1 or sum(sentence_tokens(s) for s in window) <= budget


def test_a_sentence_longer_than_the_budget_is_a_window_of_its_own() -> None:
    windows = plan_windows(sentences_of(5), 1, overlap=2, cost=lambda s: 10)
    assert [[s.number for s in w] for w in windows] == [[1], [2], [3], [4], [5]]


def test_no_article_inside_the_configured_maximum_overflows_the_embedded_context() -> None:
    settings = Settings()
    text = long_article(40)
    while len(text) < settings.max_article_chars:
        text += "\n\n" + text
    text = text[: settings.max_article_chars]
    prompt = load_prompt(settings.prompt_version)
    budget = window_budget(prompt, "2024-01-01", settings.context_window, settings.max_output_tokens)
    frame = estimate_tokens(prompt.system) + estimate_tokens(
        prompt.render_user(sentences="", published="2024-01-01")
    )
    for window in plan_windows(split_sentences(text), budget - 300):
        request = frame + sum(sentence_tokens(s) for s in window) + 300
        assert request + settings.max_output_tokens <= settings.n_ctx


# --- the pipeline -----------------------------------------------------------------------------------

_LINE = re.compile(r"^\[(\d+)\] (.*)$", re.MULTILINE)
_TRAVELLER = re.compile(r"((?:[A-Z][a-z]+ )?[A-Z][a-z]+) (?:arrived in|visited) ([A-Z][a-z]+)")


def reader(request: dict[str, Any]) -> dict[str, Any]:
    """What a model would answer: every "<Name> arrived in <Place>" of the sentences it was sent, as an
    actor and a visit citing its sentence; and always the actor "Abbas Araghchi" when it is named."""
    user = next(m["content"] for m in request["messages"] if m["role"] == "user")
    actors: dict[str, dict[str, Any]] = {}
    visits = []
    for number, text in _LINE.findall(user):
        if "Araghchi" in text:
            actors.setdefault(
                "Abbas Araghchi", {"name": "Abbas Araghchi", "kind": "person", "sentences": [int(number)]}
            )
        for who, where in _TRAVELLER.findall(text):
            actors.setdefault(who, {"name": who, "kind": "person", "sentences": [int(number)]})
            visits.append({"sentences": [int(number)], "visitors": [who], "destination": where})
    return {"actors": list(actors.values()), "visits": visits, "meetings": []}


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream(default=ok(reader, usage=(100, 10))) as server:
        yield server


def settings_for(fake: FakeUpstream, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "base_url": fake.url,
        "api_key": "x",
        "model": "fake-model",
        "context_tokens": 4096,
        "max_output_tokens": 1024,
        "max_retries": 0,
    }
    values.update(overrides)
    return Settings(**values)


async def test_a_long_article_is_read_in_windows_and_merged_into_one_extraction(fake: FakeUpstream) -> None:
    text = long_article(10)
    settings = settings_for(fake)
    result = await aextract(text, published="2024-01-01", settings=settings)

    requests = fake.chat_requests()
    assert len(requests) >= 3
    users = [next(m["content"] for m in r.body["messages"] if m["role"] == "user") for r in requests]
    # Every request fits: prompt estimate plus the output budget within the context.
    for r in requests:
        prompt_tokens = sum(estimate_tokens(m["content"]) for m in r.body["messages"]) + 64
        assert prompt_tokens + settings.max_output_tokens <= settings.context_window
    # Windows after the first are told who was found before.
    assert "Actors already found" not in users[0]
    assert all("Actors already found" in u and "Abbas Araghchi" in u for u in users[1:])
    # Every sentence was sent, and the windows overlap.
    sent = [int(n) for u in users for n, _ in _LINE.findall(u)]
    assert set(sent) == {s.number for s in split_sentences(text)}
    assert len(sent) > len(set(sent))

    # One actor per entity though several windows named him; evidence indexes the whole text.
    assert [a.name for a in result.actors].count("Abbas Araghchi") == 1
    assert result.evidence_errors(text) == []
    assert result.visits, "the visits of later windows are kept"
    assert max(v.evidence[0].start for v in result.visits) > len(text) // 2
    assert result.meta.usage.prompt_tokens == 100 * len(requests)
    assert result.meta.warnings[0].startswith(f"article read in {len(requests)} overlapping windows")


async def test_a_short_article_is_one_request_without_the_windows_note(fake: FakeUpstream) -> None:
    text = long_article(1)
    result = await aextract(text, published="2024-01-01", settings=settings_for(fake))
    (request,) = fake.chat_requests()
    user = next(m["content"] for m in request.body["messages"] if m["role"] == "user")
    assert "Actors already found" not in user
    assert not any("windows" in w for w in result.meta.warnings)


async def test_a_window_the_server_finds_too_long_is_read_in_two_halves(fake: FakeUpstream) -> None:
    text = long_article(3)
    fake.push(server_error(400, message="the request exceeds the available context size, try increasing it"))
    result = await aextract(text, published="2024-01-01", settings=settings_for(fake, context_tokens=16_384))
    requests = fake.chat_requests()
    assert len(requests) == 3  # the refused whole, then its two halves
    assert any("read in two parts" in w for w in result.meta.warnings)
    assert result.evidence_errors(text) == []
