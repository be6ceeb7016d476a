"""benchmarks/extraction.py end to end against a real OpenAI-compatible server on 127.0.0.1 (the fake
upstream): both systems run on one seed, are timed, counted and scored against gold."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from benchmarks.extraction import run_benchmark
from extractor.evaluation.baseline import SYSTEM_PROMPT as BASELINE_SYSTEM_PROMPT
from extractor.evaluation.gold import GoldArticle, load_gold_file, repo_path
from extractor.providers.settings import Settings
from tests.fake_upstream import FakeUpstream, ok, user_messages

STEM = "000_ccd7380b51e80ca7"
PIPELINE_USAGE = (1200, 300)
BASELINE_USAGE = (900, 450)


@pytest.fixture(scope="module")
def gold() -> GoldArticle:
    return load_gold_file(repo_path(f"evals/gold/seeds/{STEM}.json"), repo_path("seeds"))


def schema_name(request: dict[str, Any]) -> str:
    return str(((request.get("response_format") or {}).get("json_schema") or {}).get("name", ""))


def canned_draft(gold: GoldArticle) -> dict[str, Any]:
    # Sentence 1 of the numbered article names Qaani (the gold's A1).
    qaani = gold.extraction.actors[0]
    return {
        "actors": [{"name": qaani.name, "kind": qaani.kind, "sentences": [1]}],
        "visits": [],
        "meetings": [],
        "claims": [],
    }


def canned_baseline(gold: GoldArticle) -> dict[str, Any]:
    # What a good plain call would answer for one actor: the gold actor with its evidence quoted.
    qaani = gold.extraction.actors[0].model_dump(mode="json")
    qaani["evidence"] = [ev["text"] for ev in qaani["evidence"]]
    return {"actors": [qaani], "visits": [], "meetings": [], "claims": []}


@pytest.fixture
def fake(gold: GoldArticle) -> Iterator[FakeUpstream]:
    def route(request: dict[str, Any]) -> str:
        name = schema_name(request)
        return json.dumps(canned_draft(gold) if name.endswith("Draft") else canned_baseline(gold))

    # Tests push answers with distinct usage per system; anything beyond them is routed by schema.
    with FakeUpstream(default=ok(route)) as server:
        yield server


def settings_for(fake: FakeUpstream) -> Settings:
    return Settings(
        base_url=fake.url, api_key="test-key", model="fake-model", timeout_s=5.0, max_retries=0, reasks=0
    )


async def test_both_systems_are_timed_counted_and_scored(fake: FakeUpstream, gold: GoldArticle) -> None:
    # Alternation: the pipeline's request comes first, then the baseline's.
    fake.push(
        ok(lambda req: json.dumps(canned_draft(gold)), usage=PIPELINE_USAGE),
        ok(lambda req: json.dumps(canned_baseline(gold)), usage=BASELINE_USAGE),
    )

    report = await run_benchmark([gold], settings_for(fake), warmup=False)

    assert [(r.system, r.article_id) for r in report.runs] == [("pipeline", STEM), ("baseline", STEM)]
    requests = [r.body for r in fake.chat_requests()]
    assert [schema_name(b) for b in requests] == ["EventsDraft", "PlainExtraction"]
    baseline_request = requests[1]
    assert baseline_request["messages"][0]["content"].startswith(BASELINE_SYSTEM_PROMPT)
    assert user_messages(baseline_request) == [gold.text]
    assert baseline_request["model"] == requests[0]["model"] == "fake-model"
    assert baseline_request["temperature"] == requests[0]["temperature"]
    assert baseline_request["max_tokens"] == requests[0]["max_tokens"]

    for run, usage in zip(report.runs, (PIPELINE_USAGE, BASELINE_USAGE), strict=True):
        assert run.valid, run.error
        assert run.error is None
        assert run.wall_s > 0
        assert 0 < run.model_s <= run.wall_s
        assert run.overhead_s == pytest.approx(run.wall_s - run.model_s)
        assert (run.prompt_tokens, run.completion_tokens) == usage
        assert run.attempts == 1
        assert 0.0 < run.f1 <= 1.0  # one gold actor found, the rest missed
        assert run.peak_rss_bytes > 0

    assert set(report.summaries) == {"pipeline", "baseline"}
    for summary in report.summaries.values():
        assert 0.0 <= summary.micro_f1 <= 1.0
        assert summary.median_wall_s > 0
    names = [t.name for t in report.targets]
    assert any("overhead" in n for n in names) and any("RSS" in n for n in names)
    # Speed and memory targets are about the embedded model: reported, not judged, on a remote one.
    judged = {t.name.split(" ")[0]: t.met for t in report.targets}
    assert judged["median"] is None and judged["peak"] is None
    assert judged["micro"] is not None  # accuracy is judged whatever the backend
    assert report.comparison is not None
    assert report.comparison.baseline is not None
    assert report.comparison.candidate.prompt_version.startswith("pipeline")
    json.dumps(report.as_dict())


async def test_a_failed_baseline_counts_as_an_invalid_empty_prediction(
    fake: FakeUpstream, gold: GoldArticle
) -> None:
    dangling = canned_baseline(gold)
    dangling["claims"] = [{"id": "C1", "speaker_id": "A9", "source": "x", "statement": "y"}]
    # instructor's default budget: the first answer and one reask, both dangling.
    fake.push(ok(lambda req: json.dumps(dangling)), ok(lambda req: json.dumps(dangling)))

    report = await run_benchmark([gold], settings_for(fake), systems=("baseline",), warmup=False)

    (run,) = report.runs
    assert not run.valid
    # Dangling ids fail the response model's reference check: instructor re-asks (none left here).
    assert run.error is not None and run.error.startswith("model_output")
    assert run.f1 == 0.0
    assert run.prompt_tokens > 0  # the tokens were spent all the same
    assert report.summaries["baseline"].schema_valid_rate == 0.0
    assert set(report.summaries) == {"baseline"}


def test_throughput_drafts_from_gold_are_valid_and_ground_in_their_article() -> None:
    from benchmarks.throughput import draft_from_gold
    from extractor.core.assemble import assemble
    from extractor.core.dates import parse_published
    from extractor.core.sentences import split_sentences
    from extractor.evaluation.gold import gold_sets, load_gold

    for g in load_gold(gold_sets(["seeds"])):
        draft = draft_from_gold(g)
        built = assemble(draft, g.text, split_sentences(g.text), parse_published(g.published))
        # The benchmark's load is realistic only if the drafts survive grounding.
        assert len(built.actors) >= 0.7 * min(len(g.extraction.actors), 14), g.stem
        assert built.claims, g.stem
