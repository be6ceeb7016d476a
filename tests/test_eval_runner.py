"""The eval runner, its CI gate, its JSON output and the HTML report, driven by a fake pipeline."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from extractor.core.contract import (
    Actor,
    ArticleExtraction,
    ArticleInfo,
    Claim,
    Evidence,
    Meeting,
    Meta,
    Place,
    Usage,
    Visit,
    When,
)
from extractor.core.errors import BackendUnavailable, ModelOutputError
from extractor.evaluation.gold import load_gold
from extractor.evaluation.report import Span, highlight
from extractor.evaluation.runner import eval_settings, run_eval
from extractor.providers.settings import Settings

ARTICLES = {
    "001_alpha": (
        "Esmail Qaani arrived in Baghdad on 14 May 2025. He met Nouri al-Maliki the same day. "
        "A political source said the trip was <secret> & unannounced."
    ),
    "002_beta": "Hadi al-Amiri travelled to Tehran in April 2024. Al-Amiri said relations are strong.",
}


def ev(stem: str, phrase: str) -> Evidence:
    start = ARTICLES[stem].index(phrase)
    return Evidence(text=phrase, start=start, end=start + len(phrase))


def gold_for(stem: str) -> ArticleExtraction:
    meta = Meta(model="gold", prompt_version="gold")
    if stem == "001_alpha":
        return ArticleExtraction(
            article=ArticleInfo(id=stem, source="Shafaq News", published="2025-05-15"),
            actors=[
                Actor(id="A1", name="Esmail Qaani", kind="person", evidence=[ev(stem, "Esmail Qaani")]),
                Actor(id="A2", name="Nouri al-Maliki", kind="person", evidence=[ev(stem, "Nouri al-Maliki")]),
            ],
            visits=[
                Visit(
                    id="V1",
                    visitor_ids=["A1"],
                    destination=Place(name="Baghdad", country="Iraq"),
                    arrival=When(date="2025-05-14", precision="day", text="14 May 2025"),
                    disclosure="unannounced",
                    evidence=[ev(stem, "Esmail Qaani arrived in Baghdad on 14 May 2025")],
                )
            ],
            meetings=[
                Meeting(
                    id="M1",
                    participant_ids=["A1", "A2"],
                    visit_id="V1",
                    date=When(date="2025-05-14", precision="day", text="the same day"),
                    evidence=[ev(stem, "He met Nouri al-Maliki the same day.")],
                )
            ],
            claims=[
                Claim(
                    id="C1",
                    source="a political source",
                    attribution="anonymous",
                    statement="The trip was secret and unannounced.",
                    evidence=[ev(stem, "A political source said the trip was <secret> & unannounced.")],
                )
            ],
            meta=meta,
        )
    return ArticleExtraction(
        article=ArticleInfo(id=stem, source=None, published="2024-05-01"),
        actors=[Actor(id="A1", name="Hadi al-Amiri", kind="person", evidence=[ev(stem, "Hadi al-Amiri")])],
        visits=[
            Visit(
                id="V1",
                visitor_ids=["A1"],
                destination=Place(name="Tehran", country="Iran"),
                arrival=When(date="2024-04", precision="month", text="April 2024"),
                evidence=[ev(stem, "Hadi al-Amiri travelled to Tehran in April 2024.")],
            )
        ],
        claims=[
            Claim(
                id="C1",
                speaker_id="A1",
                source="Hadi al-Amiri",
                attribution="named",
                statement="Relations are strong.",
                evidence=[ev(stem, "Al-Amiri said relations are strong.")],
            )
        ],
        meta=meta,
    )


@pytest.fixture
def gold_set(tmp_path: Path) -> tuple[Path, Path]:
    gold_dir, seeds_dir = tmp_path / "gold", tmp_path / "seeds"
    gold_dir.mkdir()
    seeds_dir.mkdir()
    for stem, text in ARTICLES.items():
        (seeds_dir / f"{stem}.txt").write_text(text, encoding="utf-8")
        data = gold_for(stem).model_dump(mode="json")
        data["notes"] = [f"annotation note for {stem}"]
        if stem == "002_beta":
            del data["meta"]  # gold files may leave meta out
        (gold_dir / f"{stem}.json").write_text(json.dumps(data), encoding="utf-8")
    return gold_dir, seeds_dir


class FakePipeline:
    """Answers with the gold extraction, perturbed according to the prompt version."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str, str | None, str]] = []

    async def __call__(
        self, text: str, published: str | None, article_id: str, source: str | None, prompt_version: str
    ) -> ArticleExtraction:
        self.calls.append((text, published, article_id, source, prompt_version))
        assert text == ARTICLES[article_id]
        pred = gold_for(article_id).model_copy(deep=True)
        pred.meta = Meta(
            model="fake-model",
            prompt_version=prompt_version,
            usage=Usage(prompt_tokens=100, completion_tokens=10),
            duration_s=1.5,
        )
        if prompt_version == "no-visits":
            pred.visits = []
            for meeting in pred.meetings:
                meeting.visit_id = None
        if prompt_version == "spurious-actor":
            pred.actors.append(Actor(id="A9", name="Mahmoud al-Mashhadani", kind="person"))
        if prompt_version == "flaky" and article_id == "002_beta":
            raise ModelOutputError("never produced valid output after 2 reasks")
        if prompt_version == "down":
            raise BackendUnavailable("connection refused")
        if prompt_version == "dangling" and article_id == "001_alpha":
            # An output that bypassed validation: a visit by an actor that does not exist.
            pred.visits[0].visitor_ids = ["A7"]
        return pred


def run(
    gold_set: tuple[Path, Path], prompt: str, baseline: str | None = None, **kwargs: object
) -> tuple[int, str]:
    out = io.StringIO()
    gold_dir, seeds_dir = gold_set
    code = run_eval(
        prompt,
        baseline,
        gold_dir=gold_dir,
        seeds_dir=seeds_dir,
        pipeline=kwargs.pop("pipeline", FakePipeline()),  # type: ignore[arg-type]
        console=Console(file=out, width=200, color_system=None),
        resamples=200,
        **kwargs,  # type: ignore[arg-type]
    )
    return code, out.getvalue()


def test_loading_gold_keeps_notes_and_tolerates_missing_meta(gold_set: tuple[Path, Path]) -> None:
    golds = load_gold(*gold_set)
    assert [g.stem for g in golds] == ["001_alpha", "002_beta"]
    assert golds[0].notes == ["annotation note for 001_alpha"]
    assert golds[1].extraction.meta.model == "gold"
    assert all(g.grounding_errors() == [] for g in golds)


def test_the_pipeline_gets_the_gold_article_block_and_the_prompt(gold_set: tuple[Path, Path]) -> None:
    fake = FakePipeline()
    code, _ = run(gold_set, "v2", "v1", pipeline=fake)
    assert code == 0
    assert [c[4] for c in fake.calls] == ["v1", "v1", "v2", "v2"]
    assert fake.calls[0][1:4] == ("2025-05-15", "001_alpha", "Shafaq News")
    assert fake.calls[1][1:4] == ("2024-05-01", "002_beta", None)


def test_gold_against_itself_passes_with_perfect_scores(gold_set: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "runs" / "self.json"
    code, printed = run(gold_set, "v2", "v1", out=out)
    assert code == 0
    assert "gate: passed" in printed
    # metric | baseline | candidate | delta, each interval on the line below its value
    row = r"micro F1\s*│\s*1\.000\s*│\s*1\.000\s*│\s*\+0\.000\s*│\n"
    row += r"│\s*│\s*\[1\.00, 1\.00\]\s*│\s*\[1\.00, 1\.00\]\s*│\s*\[\+0\.00, \+0\.00\]\s*│"
    assert re.search(row, printed), printed
    data = json.loads(out.read_text(encoding="utf-8"))
    cand = data["candidate"]
    assert cand["scores"]["micro"]["f1"] == 1.0
    assert cand["scores"]["schema_valid_rate"] == 1.0
    assert cand["scores"]["grounding_rate"] == 1.0
    assert cand["scores"]["prompt_tokens"] == 200 and cand["scores"]["completion_tokens"] == 20
    assert cand["scores"]["duration_s"] == pytest.approx(3.0)
    assert cand["confidence_intervals_95"]["micro_f1"] == [1.0, 1.0]
    assert data["delta"]["micro_f1"] == 0.0
    assert data["delta_confidence_intervals_95"]["micro_f1"] == [0.0, 0.0]
    assert [a["article_id"] for a in cand["articles"]] == ["001_alpha", "002_beta"]
    assert cand["articles"][0]["prediction"]["meta"]["prompt_version"] == "v2"
    assert data["gate"] == {"threshold": 0.05, "failures": [], "exit_code": 0}


def test_a_regression_beyond_the_threshold_fails_the_gate(
    gold_set: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "worse.json"
    code, printed = run(gold_set, "no-visits", "v1", out=out)
    # 8 gold items; 2 visits missed -> micro F1 = 2*6 / (2*6 + 2) = 0.857, a drop of 0.143
    assert code == 1
    assert "micro F1 fell by 0.143" in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["candidate"]["scores"]["micro"]["f1"] == pytest.approx(12 / 14)
    assert data["candidate"]["scores"]["per_type"]["visits"]["recall"] == 0.0
    assert data["delta"]["micro_f1"] == pytest.approx(12 / 14 - 1)
    low, high = data["delta_confidence_intervals_95"]["micro_f1"]
    assert low <= data["delta"]["micro_f1"] <= high < 0
    assert data["gate"]["exit_code"] == 1


def test_a_drop_within_the_threshold_passes(gold_set: tuple[Path, Path]) -> None:
    # One spurious actor per article: micro precision 8/10, F1 = 16/18 = 0.889, a drop of 0.111
    assert run(gold_set, "spurious-actor", "v1", threshold=0.11)[0] == 1
    assert run(gold_set, "spurious-actor", "v1", threshold=0.12)[0] == 0
    # The candidate getting better never fails the gate.
    assert run(gold_set, "v1", "no-visits")[0] == 0


def test_a_failed_article_is_kept_as_invalid_and_fails_the_gate(
    gold_set: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "flaky.json"
    code, printed = run(gold_set, "flaky", out=out)
    assert code == 1
    assert "002_beta: failed (model_output" in printed
    assert "failed schema validation" in printed
    cand = json.loads(out.read_text(encoding="utf-8"))["candidate"]
    assert cand["scores"]["schema_valid_rate"] == 0.5
    assert cand["scores"]["failed_articles"] == ["002_beta"]
    beta = cand["articles"][1]
    assert beta["article_id"] == "002_beta"
    assert beta["error_kind"] == "model_output"
    assert beta["prediction"] is None
    # Its gold items count as missed: 3 of 8 gold items belong to the failed article.
    assert cand["scores"]["micro"]["recall"] == pytest.approx(5 / 8)


def test_output_that_does_not_revalidate_counts_as_invalid(
    gold_set: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "dangling.json"
    assert run(gold_set, "dangling", out=out)[0] == 1
    alpha = json.loads(out.read_text(encoding="utf-8"))["candidate"]["articles"][0]
    assert alpha["error_kind"] == "schema_invalid"


def test_every_article_failing_is_scored_not_dropped(gold_set: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "down.json"
    code, _ = run(gold_set, "down", "v1", out=out)
    assert code == 1
    cand = json.loads(out.read_text(encoding="utf-8"))["candidate"]
    assert [a["error_kind"] for a in cand["articles"]] == ["backend_unavailable", "backend_unavailable"]
    assert cand["scores"]["micro"]["f1"] == 0.0
    assert cand["scores"]["schema_valid_rate"] == 0.0


def test_no_gold_files_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "gold").mkdir()
    (tmp_path / "seeds").mkdir()
    assert run((tmp_path / "gold", tmp_path / "seeds"), "v1")[0] == 2


def test_html_report(gold_set: tuple[Path, Path], tmp_path: Path) -> None:
    report = tmp_path / "report" / "eval.html"
    code, _ = run(gold_set, "no-visits", "spurious-actor", report=report, threshold=0.5)
    assert code == 0
    html = report.read_text(encoding="utf-8")
    for stem in ARTICLES:
        assert stem in html
    # Both prompts, with their micro F1 (16/18 and 12/14) in the summary and on the chart.
    assert "no-visits" in html and "spurious-actor" in html
    assert "0.889" in html and "0.857" in html
    assert "micro F1 0.889" in html and "micro F1 0.857" in html  # the chart's bar titles
    assert "<svg" in html and html.count("<rect") >= 2 * 6
    # Evidence highlighted by status: visits missed by the candidate, claims matched, the article
    # text escaped inside the marks.
    assert re.search(r'<mark class="missed"[^>]*>Esmail Qaani arrived in Baghdad on 14 May 2025</mark>', html)
    assert re.search(
        r'<mark class="matched"[^>]*>'
        r"A political source said the trip was &lt;secret&gt; &amp; unannounced\.</mark>",
        html,
    )
    assert '<mark class="matched"' in html and '<mark class="missed"' in html
    assert "Mahmoud al-Mashhadani" in html  # the baseline's spurious actor is listed
    assert "annotation note for 001_alpha" in html
    assert "<secret>" not in html
    # Self-contained: no scripts, stylesheets or images fetched from anywhere.
    assert "<script" not in html and "<link" not in html and "src=" not in html


def test_report_marks_a_failed_article(gold_set: tuple[Path, Path], tmp_path: Path) -> None:
    report = tmp_path / "flaky.html"
    run(gold_set, "flaky", report=report)
    html = report.read_text(encoding="utf-8")
    assert "Failed: model_output: never produced valid output after 2 reasks" in html
    assert "Gate failed" in html


def test_highlight_resolves_overlaps_by_priority() -> None:
    text = "abcdefghij"
    marked = highlight(
        text, [Span(0, 6, "matched", "m"), Span(4, 8, "missed", "x"), Span(9, 20, "spurious", "out of range")]
    )
    assert str(marked) == (
        '<mark class="matched" title="m">abcd</mark><mark class="missed" title="m; x">efgh</mark>ij'
    )


def test_eval_settings_record_live_runs_and_replay_recordings(tmp_path: Path) -> None:
    base = Settings(base_url="http://127.0.0.1:9/v1", model="m")
    live = eval_settings(base, model=None, replay=False, recordings_dir=tmp_path)
    assert (live.replay, live.cache_dir, live.model) == ("record", tmp_path, "m")
    replayed = eval_settings(base, model="other", replay=True, recordings_dir=tmp_path)
    assert (replayed.replay, replayed.model) == ("replay", "other")
    own = eval_settings(
        base.model_copy(update={"cache_dir": tmp_path / "mine"}),
        model=None,
        replay=True,
        recordings_dir=tmp_path,
    )
    assert own.cache_dir == tmp_path / "mine"
