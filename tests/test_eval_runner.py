"""The eval runner, its CI gate, its JSON output and the HTML report, driven by a fake pipeline."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

from extractor.consolidation.model import (
    ActorMention,
    ArticleRef,
    EventDate,
    MeetingEvent,
    MergedActor,
    Support,
    Timeline,
    VisitEvent,
)
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
from extractor.core.errors import BackendUnavailable, ConfigError, ModelOutputError
from extractor.evaluation.gold import GoldSet, load_gold
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
# A second outlet's report of 001's trip: only in the gold sets with a timeline, so that the timeline
# has an actor and an event that consolidation must merge across articles.
GAMMA = "Ismail Qaani, the Quds Force commander, visited Baghdad on 14 May 2025."
ALL_ARTICLES = {**ARTICLES, "003_gamma": GAMMA}


def ev(stem: str, phrase: str) -> Evidence:
    start = ALL_ARTICLES[stem].index(phrase)
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
    if stem == "003_gamma":
        return ArticleExtraction(
            article=ArticleInfo(id=stem, source="Baghdad Today", published="2025-05-14"),
            actors=[Actor(id="A1", name="Ismail Qaani", kind="person", evidence=[ev(stem, "Ismail Qaani")])],
            visits=[
                Visit(
                    id="V1",
                    visitor_ids=["A1"],
                    destination=Place(name="Baghdad", country="Iraq"),
                    arrival=When(date="2025-05-14", precision="day", text="14 May 2025"),
                    evidence=[ev(stem, GAMMA)],
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
        assert text == ALL_ARTICLES[article_id]
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
        if prompt_version == "one-id":
            # Every article answered under one id: consolidation refuses two different extractions.
            pred.article.id = "001_alpha"
        return pred


def run(
    gold_set: tuple[Path, Path], prompt: str, baseline: str | None = None, **kwargs: object
) -> tuple[int, str]:
    out = io.StringIO()
    gold_dir, seeds_dir = gold_set
    code = run_eval(
        prompt,
        baseline,
        sets=[GoldSet("seeds", gold_dir, seeds_dir)],
        pipeline=kwargs.pop("pipeline", FakePipeline()),  # type: ignore[arg-type]
        console=Console(file=out, width=200, color_system=None),
        resamples=200,
        **kwargs,  # type: ignore[arg-type]
    )
    return code, out.getvalue()


def test_loading_gold_keeps_notes_and_tolerates_missing_meta(gold_set: tuple[Path, Path]) -> None:
    golds = load_gold([GoldSet("seeds", *gold_set)])
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


def test_a_candidate_below_the_accepted_floor_fails_the_gate_without_a_baseline(
    gold_set: tuple[Path, Path],
) -> None:
    # 8 gold items, 2 visits missed: micro F1 12/14 = 0.857.
    code, printed = run(gold_set, "no-visits", min_f1=0.86)
    assert code == 1
    assert "micro F1 0.857 is below the accepted floor 0.860" in printed
    assert run(gold_set, "no-visits", min_f1=0.85)[0] == 0


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
    assert re.search(
        r"<mark class=\"missed[^>]*>Esmail Qaani(</mark><mark class=\"missed\"[^>]*>)?"
        r" arrived in Baghdad on 14 May 2025</mark>",
        html,
    )
    assert re.search(
        r'<mark class="matched"[^>]*>'
        r"A political source said the trip was &lt;secret&gt; &amp; unannounced\.</mark>",
        html,
    )
    assert '<mark class="matched"' in html and '<mark class="missed"' in html
    assert "Mahmoud al-Mashhadani" in html  # the baseline's spurious actor is listed
    assert "annotation note for 001_alpha" in html
    assert "<secret>" not in html
    # Per article, the candidate against the baseline, keyed by gold item.
    assert '<table class="diff">' in html and 'class="diff-lost"' in html
    assert 'id="filter-type"' in html and 'id="filter-set"' in html
    # Self-contained: the filter script is inline; nothing is fetched from anywhere.
    assert "<script src" not in html and "<link" not in html and "src=" not in html


def test_report_marks_a_failed_article(gold_set: tuple[Path, Path], tmp_path: Path) -> None:
    report = tmp_path / "flaky.html"
    run(gold_set, "flaky", report=report)
    html = report.read_text(encoding="utf-8")
    assert "Failed: model_output: never produced valid output after 2 reasks" in html
    assert "Gate failed" in html


def test_highlight_keeps_every_status_where_spans_overlap() -> None:
    text = "abcdefghij"
    marked = highlight(
        text, [Span(0, 6, "matched", "m"), Span(4, 8, "missed", "x"), Span(9, 20, "spurious", "out of range")]
    )
    assert str(marked) == (
        '<mark class="matched" title="m">abcd</mark><mark class="missed matched" title="m; x">ef</mark>'
        '<mark class="missed" title="x">gh</mark>ij'
    )
    # A matched claim inside a spurious item's evidence stays marked as matched.
    marked = highlight(text, [Span(0, 10, "spurious", "s"), Span(2, 5, "matched", "claim c1")])
    assert '<mark class="spurious matched" title="s; claim c1">cde</mark>' in str(marked)


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


# --- the consolidation score -----------------------------------------------------------------------


def gold_timeline() -> Timeline:
    """Written by hand from the three toy gold files, not by running the consolidation."""
    day = EventDate(date="2025-05-14", precision="day")
    baghdad = Place(name="Baghdad", country="Iraq")
    return Timeline(
        articles=[ArticleRef(id=stem) for stem in ALL_ARTICLES],
        actors=[
            MergedActor(
                id="P1",
                name="Esmail Qaani",
                names=["Esmail Qaani", "Ismail Qaani"],
                kind="person",
                article_ids=["001_alpha", "003_gamma"],
                mentions=[
                    ActorMention(article_id="001_alpha", actor_id="A1", name="Esmail Qaani"),
                    ActorMention(article_id="003_gamma", actor_id="A1", name="Ismail Qaani"),
                ],
            ),
            MergedActor(
                id="P2",
                name="Nouri al-Maliki",
                kind="person",
                mentions=[ActorMention(article_id="001_alpha", actor_id="A2", name="Nouri al-Maliki")],
            ),
            MergedActor(
                id="P3",
                name="Hadi al-Amiri",
                kind="person",
                mentions=[ActorMention(article_id="002_beta", actor_id="A1", name="Hadi al-Amiri")],
            ),
        ],
        events=[
            VisitEvent(
                id="E1",
                visitor_ids=["P3"],
                destination=Place(name="Tehran", country="Iran"),
                date=EventDate(date="2024-04", precision="month"),
                supports=[Support(article_id="002_beta", item_id="V1")],
            ),
            VisitEvent(
                id="E2",
                visitor_ids=["P1"],
                destination=baghdad,
                date=day,
                disclosure="unannounced",
                meeting_ids=["E3"],
                supports=[
                    Support(article_id="001_alpha", item_id="V1"),
                    Support(article_id="003_gamma", item_id="V1"),
                ],
            ),
            MeetingEvent(
                id="E3",
                participant_ids=["P1", "P2"],
                location=baghdad,
                date=day,
                visit_id="E2",
                supports=[Support(article_id="001_alpha", item_id="M1")],
            ),
        ],
    )


@pytest.fixture
def timeline_gold_set(tmp_path: Path) -> tuple[Path, Path]:
    gold_dir, seeds_dir = tmp_path / "gold", tmp_path / "seeds"
    gold_dir.mkdir()
    seeds_dir.mkdir()
    for stem, text in ALL_ARTICLES.items():
        (seeds_dir / f"{stem}.txt").write_text(text, encoding="utf-8")
        (gold_dir / f"{stem}.json").write_text(gold_for(stem).model_dump_json(), encoding="utf-8")
    (gold_dir / "timeline.json").write_text(gold_timeline().model_dump_json(), encoding="utf-8")
    return gold_dir, seeds_dir


def table_row(printed: str, label: str) -> list[str]:
    line = next(line for line in printed.splitlines() if line.strip("│ ").startswith(label))
    return [cell.strip() for cell in line.strip().strip("│").split("│")]


def test_gold_predictions_consolidate_into_the_gold_timeline(
    timeline_gold_set: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "self.json"
    code, printed = run(timeline_gold_set, "v2", "v1", out=out)
    assert code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    timeline = data["candidate"]["timeline"]
    assert timeline["consolidated_articles"] == ["001_alpha", "002_beta", "003_gamma"]
    assert timeline["skipped_articles"] == [] and timeline["error"] is None
    assert timeline["metrics"] == {
        "event_f1": 1.0,
        "event_precision": 1.0,
        "event_recall": 1.0,
        "visit_f1": 1.0,
        "meeting_f1": 1.0,
        "actor_mention_recall": 1.0,
        "actor_bcubed_f1": 1.0,
        "actor_pairwise_f1": 1.0,
    }
    # The two reports of the Baghdad trip became one event, and the two Qaani mentions one actor.
    assert timeline["detail"]["events"]["tp"] == 3 and timeline["detail"]["events"]["fp"] == 0
    assert timeline["detail"]["actors"]["aligned_mentions"] == 4
    assert data["delta"]["timeline_event_f1"] == 0.0
    assert data["baseline"]["timeline"]["metrics"]["event_f1"] == 1.0
    # Extra rows of the side-by-side table: baseline | candidate | delta, no interval.
    assert table_row(printed, "timeline event F1") == ["timeline event F1", "1.000", "1.000", "+0.000"]
    assert table_row(printed, "actor merge: B-cubed F1")[1:] == ["1.000", "1.000", "+0.000"]
    assert "informational, not gated" in printed


def test_timeline_rows_show_a_regression_but_do_not_gate(
    timeline_gold_set: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "no-visits.json"
    # The per-article drop (micro F1 1.0 -> 0.8: 3 visits of 10 gold items missed) is within the
    # threshold, so the gate passes however much the timeline loses.
    code, printed = run(timeline_gold_set, "no-visits", "v1", out=out, threshold=0.25)
    assert code == 0, printed
    data = json.loads(out.read_text(encoding="utf-8"))
    metrics = data["candidate"]["timeline"]["metrics"]
    # Only the meeting survives: 1 of 3 gold events, no spurious one.
    assert metrics["event_precision"] == 1.0
    assert metrics["event_recall"] == pytest.approx(1 / 3)
    assert metrics["event_f1"] == pytest.approx(0.5)
    assert metrics["visit_f1"] == 0.0 and metrics["meeting_f1"] == 1.0
    assert data["delta"]["timeline_event_f1"] == pytest.approx(-0.5)
    assert data["delta"]["timeline_visit_f1"] == -1.0
    assert data["gate"]["failures"] == []
    assert table_row(printed, "timeline event F1") == ["timeline event F1", "1.000", "0.500", "-0.500"]
    assert table_row(printed, "timeline visit F1")[1:] == ["1.000", "0.000", "-1.000"]


def test_failed_articles_are_left_out_of_the_timeline(
    timeline_gold_set: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "flaky.json"
    code, _ = run(timeline_gold_set, "flaky", out=out)
    assert code == 1  # the failed article fails the gate; the timeline has nothing to do with it
    timeline = json.loads(out.read_text(encoding="utf-8"))["candidate"]["timeline"]
    assert timeline["consolidated_articles"] == ["001_alpha", "003_gamma"]
    assert timeline["skipped_articles"] == ["002_beta"]
    # al-Amiri's Tehran trip is missed; the rest is still found and merged.
    assert timeline["metrics"]["event_recall"] == pytest.approx(2 / 3)
    assert timeline["metrics"]["event_precision"] == 1.0
    assert timeline["metrics"]["actor_mention_recall"] == pytest.approx(3 / 4)
    assert timeline["metrics"]["actor_bcubed_f1"] == 1.0


def test_nothing_to_consolidate_scores_zero_not_perfect(
    timeline_gold_set: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "down.json"
    _, printed = run(timeline_gold_set, "down", out=out)
    metrics = json.loads(out.read_text(encoding="utf-8"))["candidate"]["timeline"]["metrics"]
    assert metrics["event_f1"] == 0.0 and metrics["event_recall"] == 0.0
    assert metrics["actor_mention_recall"] == 0.0
    # Merge quality over no aligned mention is not a perfect score.
    assert metrics["actor_bcubed_f1"] is None and metrics["actor_pairwise_f1"] is None
    assert table_row(printed, "actor merge: B-cubed F1") == ["actor merge: B-cubed F1", "n/a"]


def test_a_consolidation_error_is_reported_not_raised(
    timeline_gold_set: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "one-id.json"
    code, printed = run(timeline_gold_set, "one-id", out=out, threshold=1.0)
    timeline = json.loads(out.read_text(encoding="utf-8"))["candidate"]["timeline"]
    assert timeline["error"].startswith("bad_input: article '001_alpha' is given twice")
    assert timeline["detail"] is None
    assert set(timeline["metrics"].values()) == {None}
    assert "one-id timeline: not scored: bad_input" in printed
    assert table_row(printed, "timeline event F1") == ["timeline event F1", "n/a"]
    assert code == 0  # the per-article scores alone decide


def test_no_gold_timeline_means_no_timeline_rows(gold_set: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "plain.json"
    code, printed = run(gold_set, "v2", "v1", out=out)
    assert code == 0
    assert "timeline event" not in printed and "actor merge" not in printed
    assert "informational" not in printed
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["candidate"]["timeline"] is None
    assert not any(key.startswith("timeline_") for key in data["delta"])


def test_an_invalid_gold_timeline_is_a_config_error(timeline_gold_set: tuple[Path, Path]) -> None:
    gold_dir, _ = timeline_gold_set
    (gold_dir / "timeline.json").write_text('{"events": [{"kind": "visit", "id": "X"}]}', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"gold timeline .* does not validate"):
        run(timeline_gold_set, "v1")


def test_html_report_has_the_timeline_rows(timeline_gold_set: tuple[Path, Path], tmp_path: Path) -> None:
    report = tmp_path / "timeline.html"
    run(timeline_gold_set, "flaky", "v1", report=report)
    html = report.read_text(encoding="utf-8")
    assert re.search(r"<td>timeline event F1</td>\s*<td class=\"num\">1\.000</td>", html)
    assert "<td>actor merge: mention recall</td>" in html
    assert "Informational: not part of the gate." in html
    assert "<strong>flaky</strong>: 2 article(s) consolidated, left out (failed): 002_beta" in html
    assert "<strong>v1</strong>: 3 article(s) consolidated; 3 of 3 gold events found, 0 spurious" in html
