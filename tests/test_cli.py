"""The ``extractor`` commands through their real code paths: Typer parsing, settings, the pipeline, the
OpenAI client, retries and the response cache, against a real OpenAI-compatible server on 127.0.0.1
(tests/fake_upstream.py). Only the model's answer is scripted."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from extractor.cli import app
from extractor.consolidation import consolidate, load_extractions, render_json
from extractor.consolidation.model import Timeline
from extractor.core.contract import Actor, ArticleExtraction, Visit
from extractor.core.schema import contract_schema
from extractor.pipeline import article_id_for
from tests.fake_upstream import FakeUpstream, delay, ok, server_error, user_messages

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "evals" / "gold" / "seeds"
RECORDINGS = ROOT / "evals" / "recordings"

QAANI = "Esmail Qaani"
ARTICLE = (
    "Esmail Qaani arrived in Baghdad on Wednesday. "
    "He met leaders of the Coordination Framework, a political source said.\n"
)
HTML_ARTICLE = """<!DOCTYPE html>
<html><head><title>Qaani in Baghdad</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World news and more</a></nav>
<article><h1>Quds Force commander in Baghdad</h1>
<p>Esmail Qaani arrived in Baghdad on Wednesday, according to two officials who spoke to reporters in
the Iraqi capital &amp; asked not to be named.</p>
<p>He met leaders of the Coordination Framework during the visit, the officials said, and left the same
evening after the talks ended.</p>
</article>
<footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>
"""


def qaani_draft(request: dict[str, Any]) -> dict[str, Any]:
    """A Draft naming Qaani and his visit, citing the numbered sentence of the article that names him.

    The article is in the first user message (later ones would be reasks), one ``[n] sentence`` a line.
    """
    numbered = re.findall(r"^\[(\d+)\] (.*)$", user_messages(request)[0], flags=re.MULTILINE)
    cited = next(int(n) for n, sentence in numbered if QAANI in sentence)
    return {
        "actors": [{"name": QAANI, "kind": "person", "sentences": [cited]}],
        "visits": [
            {
                "sentences": [cited],
                "visitors": [QAANI],
                "destination": "Baghdad",
                "destination_country": "Iraq",
                "arrival": "Wednesday",
            }
        ],
        "meetings": [],
        "claims": [],
    }


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The settings read EXTRACTOR_* from the environment: a developer's own setup must not leak in.
    for name in list(os.environ):
        if name.startswith("EXTRACTOR_") or name == "OPENAI_API_KEY":
            monkeypatch.delenv(name)
    monkeypatch.setenv("EXTRACTOR_RETRY_BACKOFF_S", "0.01")
    monkeypatch.setenv("EXTRACTOR_WORKER_POLL_S", "0.05")
    monkeypatch.setenv("EXTRACTOR_ITEM_RETRY_DELAY_S", "0.05")


@pytest.fixture
def fake() -> Iterator[FakeUpstream]:
    with FakeUpstream(default=ok(qaani_draft, usage=(120, 30))) as upstream:
        yield upstream


def invoke(*args: str | Path, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], input=stdin)


def backend(fake: FakeUpstream) -> list[str]:
    return ["--base-url", fake.url, "--model", "fake-model"]


def stderr_of(result: Result) -> str:
    """stderr with whitespace runs folded: the console wraps long lines at its width."""
    return " ".join(result.stderr.split())


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout and "Traceback" not in result.stderr
    # A handled failure ends in SystemExit with a code; anything else escaped the command.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def assert_grounded(extraction: ArticleExtraction, text: str) -> None:
    items: list[Actor | Visit] = [*extraction.actors, *extraction.visits]
    spans = [ev for item in items for ev in item.evidence]
    assert spans
    for ev in spans:
        assert text[ev.start : ev.end] == ev.text
    assert extraction.evidence_errors(text) == []


def qaani_visit_arrival(extraction: ArticleExtraction) -> tuple[str | None, str, str | None]:
    (actor,) = extraction.actors
    (visit,) = extraction.visits
    assert actor.name == QAANI and visit.visitor_ids == [actor.id]
    assert visit.arrival is not None
    return visit.arrival.date, visit.arrival.precision, visit.arrival.text


# --- extract ------------------------------------------------------------------------------------------


def test_extract_prints_a_grounded_contract_with_resolved_dates(fake: FakeUpstream, tmp_path: Path) -> None:
    path = tmp_path / "qaani.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    result = invoke("extract", path, *backend(fake), "--published", "2025-05-15")
    assert result.exit_code == 0, result.stderr
    extraction = ArticleExtraction.model_validate_json(result.stdout)
    assert extraction.article.id == "qaani"
    assert extraction.article.published == "2025-05-15"
    assert_grounded(extraction, ARTICLE)
    assert extraction.visits[0].evidence[0].text == "Esmail Qaani arrived in Baghdad on Wednesday."
    # Thursday 15 May 2025 published: the Wednesday of the visit is the day before.
    assert qaani_visit_arrival(extraction) == ("2025-05-14", "day", "Wednesday")
    assert extraction.meta.model == "fake-model"
    assert extraction.meta.usage.prompt_tokens == 120 and extraction.meta.usage.completion_tokens == 30
    assert extraction.meta.warnings == []
    # What the server received: the chosen model and the article as numbered sentences with its date.
    (request,) = fake.chat_requests()
    assert request.body["model"] == "fake-model"
    prompt = user_messages(request.body)[0]
    assert "[1] Esmail Qaani arrived in Baghdad on Wednesday." in prompt
    assert "2025-05-15" in prompt


def test_without_a_publication_date_relative_dates_stay_unresolved(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    path = tmp_path / "undated.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    result = invoke("extract", path, *backend(fake))
    assert result.exit_code == 0, result.stderr
    extraction = ArticleExtraction.model_validate_json(result.stdout)
    assert extraction.article.published is None
    assert qaani_visit_arrival(extraction) == (None, "unknown", "Wednesday")


def test_metadata_beside_the_file_gives_its_date_and_source(fake: FakeUpstream, tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(ARTICLE, encoding="utf-8")
    metadata = {"story": {"published": "2025-05-15", "source": "Shafaq News", "url": "https://example.org/s"}}
    (tmp_path / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    result = invoke("extract", tmp_path / "story.txt", *backend(fake))
    assert result.exit_code == 0, result.stderr
    extraction = ArticleExtraction.model_validate_json(result.stdout)
    info = extraction.article
    assert (info.published, info.source, info.url) == ("2025-05-15", "Shafaq News", "https://example.org/s")
    assert qaani_visit_arrival(extraction)[0] == "2025-05-14"
    # --published overrides the metadata.
    result = invoke("extract", tmp_path / "story.txt", *backend(fake), "--published", "2025-05-20")
    assert qaani_visit_arrival(ArticleExtraction.model_validate_json(result.stdout))[0] == "2025-05-14"
    assert ArticleExtraction.model_validate_json(result.stdout).article.published == "2025-05-20"


def test_several_files_give_one_json_line_each_and_bad_files_fail_alone(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    files = {
        "first": ARTICLE.encode(),
        "empty": b"",
        "blank": b"  \n\t\n",
        "binary": b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)),
        "latin1": "Esmail Qaani arriv\xe9 \xe0 Bagdad mercredi.".encode("latin-1"),
        "second": ARTICLE.replace("Wednesday", "Tuesday").encode(),
    }
    for stem, data in files.items():
        (tmp_path / f"{stem}.txt").write_bytes(data)
    args = [tmp_path / f"{stem}.txt" for stem in files]
    args.insert(3, tmp_path / "missing.txt")
    result = invoke("extract", *args, *backend(fake), "--published", "2025-05-15")
    assert result.exit_code == 1
    assert_no_traceback(result)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    # The batch -o shape: index, article id and status on every line.
    assert [line["index"] for line in lines] == list(range(7))
    assert [line["article_id"] for line in lines] == [
        "first",
        "empty",
        "blank",
        "missing",
        "binary",
        "latin1",
        "second",
    ]
    failed = {line["article_id"]: line for line in lines if line["status"] == "failed"}
    assert set(failed) == {"empty", "blank", "missing", "binary", "latin1"}
    for line in failed.values():
        assert set(line) == {"index", "article_id", "status", "error"}
        assert set(line["error"]) == {"kind", "message"} and line["error"]["kind"] == "bad_input"
    assert "empty" in failed["empty"]["error"]["message"]
    assert "no such file" in failed["missing"]["error"]["message"]
    assert "binary" in failed["binary"]["error"]["message"]
    assert "UTF-8" in failed["latin1"]["error"]["message"]
    # The good files before and after the bad ones were extracted, each from its own text.
    good = [ArticleExtraction.model_validate(line["result"]) for line in lines if line["status"] == "ok"]
    assert [qaani_visit_arrival(x)[0] for x in good] == ["2025-05-14", "2025-05-13"]
    assert len(fake.chat_requests()) == 2  # bad files never reach the model
    # stderr says which file failed and why, and the tally.
    stderr = stderr_of(result)
    for stem in failed:
        assert f"{stem}.txt" in stderr
    assert "not valid UTF-8" in stderr and "no such file" in stderr
    assert "5 of 7 article(s) failed" in stderr


def test_one_bad_file_alone_exits_1_without_output(fake: FakeUpstream, tmp_path: Path) -> None:
    path = tmp_path / "nul.txt"
    path.write_bytes(b"Esmail\x00Qaani")
    result = invoke("extract", path, *backend(fake))
    assert result.exit_code == 1
    assert_no_traceback(result)
    assert result.stdout == ""
    assert "binary data" in stderr_of(result)
    assert fake.chat_requests() == []


def test_extract_reads_standard_input(fake: FakeUpstream) -> None:
    result = invoke("extract", "-", *backend(fake), "--published", "2025-05-15", stdin=ARTICLE.encode())
    assert result.exit_code == 0, result.stderr
    extraction = ArticleExtraction.model_validate_json(result.stdout)
    # No file name to go by: the id is the content hash.
    assert extraction.article.id == article_id_for(ARTICLE)
    assert_grounded(extraction, ARTICLE)
    assert qaani_visit_arrival(extraction) == ("2025-05-14", "day", "Wednesday")


def test_extract_reduces_html_to_its_text_and_grounds_in_that_text(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML_ARTICLE, encoding="utf-8")
    result = invoke("extract", path, *backend(fake), "--published", "2025-05-15")
    assert result.exit_code == 0, result.stderr
    extraction = ArticleExtraction.model_validate_json(result.stdout)
    text = extraction.article.text
    # The offsets index the extracted text, which the output carries because it is not the input.
    assert text is not None and "<p>" not in text and "&amp;" not in text
    assert "Esmail Qaani arrived in Baghdad on Wednesday" in text
    assert "Copyright" not in text and "Home" not in text
    assert_grounded(extraction, text)
    assert qaani_visit_arrival(extraction) == ("2025-05-14", "day", "Wednesday")
    # The model saw the text, not the markup.
    prompt = user_messages(fake.chat_requests()[0].body)[0]
    assert "<article>" not in prompt and "Esmail Qaani arrived in Baghdad" in prompt


def test_a_backend_that_keeps_failing_is_backend_unavailable(tmp_path: Path) -> None:
    paths = []
    for stem in ("a", "b"):
        paths.append(tmp_path / f"{stem}.txt")
        paths[-1].write_text(ARTICLE, encoding="utf-8")
    with FakeUpstream(default=server_error(500)) as down:
        result = invoke("extract", *paths, *backend(down), "--max-retries", "1")
        requests = len(down.chat_requests())
    assert result.exit_code == 1
    assert_no_traceback(result)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["article_id"] for line in lines] == ["a", "b"]
    assert {line["error"]["kind"] for line in lines} == {"backend_unavailable"}
    assert "500" in lines[0]["error"]["message"]
    assert requests == 4  # one try and one retry per article, no more
    assert "2 of 2 article(s) failed" in stderr_of(result)


def test_replay_with_an_empty_cache_fails_without_calling_the_server(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    paths = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for path in paths:
        path.write_text(ARTICLE, encoding="utf-8")
    result = invoke("extract", *paths, *backend(fake), "--cache", "replay", "--cache-dir", cache)
    assert result.exit_code == 1
    assert_no_traceback(result)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["error"]["kind"] for line in lines] == ["replay_miss", "replay_miss"]
    assert "no recorded response" in stderr_of(result)
    assert fake.requests == []
    assert list(cache.iterdir()) == []


def test_recorded_responses_replay_after_the_server_is_gone(tmp_path: Path) -> None:
    path, cache = tmp_path / "a.txt", tmp_path / "cache"
    path.write_text(ARTICLE, encoding="utf-8")
    with FakeUpstream(default=ok(qaani_draft)) as upstream:
        recorded = invoke("extract", path, *backend(upstream), "--cache", "record", "--cache-dir", cache)
        url = upstream.url
    assert recorded.exit_code == 0, recorded.stderr
    assert len(list(cache.glob("*.json"))) == 1
    # The server is stopped: only the recording can answer.
    replayed = invoke(
        "extract", path, "--base-url", url, "--model", "fake-model", "--cache", "replay", "--cache-dir", cache
    )
    assert replayed.exit_code == 0, replayed.stderr
    first = ArticleExtraction.model_validate_json(recorded.stdout)
    second = ArticleExtraction.model_validate_json(replayed.stdout)
    assert second.model_dump(exclude={"meta"}) == first.model_dump(exclude={"meta"})
    assert second.meta.usage == first.meta.usage


# --- schema -------------------------------------------------------------------------------------------


def test_schema_prints_the_contract_schema(tmp_path: Path) -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == contract_schema()
    written = invoke("schema", "--write", tmp_path / "schemas")
    assert written.exit_code == 0
    on_disk = json.loads(
        (tmp_path / "schemas" / "article_extraction.schema.json").read_text(encoding="utf-8")
    )
    assert on_disk == contract_schema()
    assert (tmp_path / "schemas" / "timeline.schema.json").is_file()


# --- consolidate --------------------------------------------------------------------------------------


def gold_files() -> list[Path]:
    files = sorted(GOLD.glob("0*.json"))
    assert len(files) == 5
    return files


def test_consolidate_json_is_the_timeline_of_the_gold_files() -> None:
    result = invoke("consolidate", *gold_files(), "-f", "json")
    assert result.exit_code == 0, result.stderr
    timeline = Timeline.model_validate_json(result.stdout)
    assert result.stdout.rstrip("\n") == render_json(consolidate(load_extractions(gold_files()))).rstrip("\n")
    assert {a.id for a in timeline.articles} == {
        json.loads(p.read_text(encoding="utf-8"))["article"]["id"] for p in gold_files()
    }
    assert any("Qaani" in actor.name for actor in timeline.actors)
    assert timeline.events


def test_consolidate_markdown_and_html(tmp_path: Path) -> None:
    md = invoke("consolidate", *gold_files(), "--format", "md")
    assert md.exit_code == 0, md.stderr
    assert md.stdout.startswith("#") and "Qaani" in md.stdout
    out = tmp_path / "timeline.html"
    html = invoke("consolidate", *gold_files(), "-f", "html", "-o", out)
    assert html.exit_code == 0, html.stderr
    assert html.stdout == ""
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Qaani" in page and "</html>" in page


def test_consolidate_reads_json_lines_from_stdin() -> None:
    lines = "".join(
        json.dumps(json.loads(p.read_text(encoding="utf-8"))) + "\n" for p in gold_files()
    ).encode()
    result = invoke("consolidate", "-", stdin=lines)
    assert result.exit_code == 0, result.stderr
    from_files = invoke("consolidate", *gold_files())
    assert result.stdout == from_files.stdout


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"article": {"id": "x"}, "actors": "none"}', "not an article extraction"),
        (b"\xff\xfe\x00bad", "cannot read"),
    ],
)
def test_consolidate_names_a_bad_file_and_exits_2(tmp_path: Path, content: bytes, complaint: str) -> None:
    bad = tmp_path / "broken.json"
    bad.write_bytes(content)
    result = invoke("consolidate", gold_files()[0], bad)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert result.stdout == ""
    stderr = stderr_of(result)
    assert "broken.json" in stderr and complaint in stderr


def test_consolidate_missing_file_and_unknown_format_exit_2(tmp_path: Path) -> None:
    missing = invoke("consolidate", tmp_path / "nope.json")
    assert missing.exit_code == 2 and "nope.json" in stderr_of(missing)
    assert_no_traceback(missing)
    unknown = invoke("consolidate", gold_files()[0], "-f", "pdf")
    assert unknown.exit_code == 2 and "pdf" in stderr_of(unknown)
    assert_no_traceback(unknown)


# --- batch --------------------------------------------------------------------------------------------

BATCH_ARTICLES = [
    {"id": "one", "text": ARTICLE, "published": "2025-05-15", "source": "Shafaq News"},
    {"id": "two", "text": "Esmail Qaani flew to Baghdad on Wednesday. The visit was unannounced."},
    {"id": "three", "text": ARTICLE.replace("Wednesday", "Monday"), "published": "2025-05-15"},
]


def write_batch_input(path: Path, malformed_at: int | None = None) -> Path:
    lines = [json.dumps(article) for article in BATCH_ARTICLES]
    if malformed_at is not None:
        lines.insert(malformed_at, '{"id": "broken", "text": ')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_batch_keeps_input_order_records_malformed_lines_and_resumes(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    source = write_batch_input(tmp_path / "in.jsonl", malformed_at=1)
    out = tmp_path / "out.jsonl"
    # The first request to arrive is answered last, so completion order is not input order.
    fake.push(delay(0.5, then=ok(qaani_draft)))
    result = invoke("batch", source, "-o", out, *backend(fake))
    assert result.exit_code == 1  # one line failed
    assert_no_traceback(result)
    assert "4 article(s): 3 ok, 1 failed, 0 done earlier" in stderr_of(result)
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["index"] for r in records] == [0, 1, 2, 3]
    assert [(r["article_id"], r["status"]) for r in records] == [
        ("one", "ok"),
        ("line-2", "failed"),
        ("two", "ok"),
        ("three", "ok"),
    ]
    assert records[1]["error"]["kind"] == "bad_line" and "line 2" in records[1]["error"]["message"]
    by_id = {a["id"]: a for a in BATCH_ARTICLES}
    for record in records[0:1] + records[2:]:
        extraction = ArticleExtraction.model_validate(record["result"])
        assert extraction.article.id == record["article_id"]
        assert_grounded(extraction, str(by_id[record["article_id"]]["text"]))
    first = ArticleExtraction.model_validate(records[0]["result"])
    assert first.article.source == "Shafaq News"
    assert qaani_visit_arrival(first)[0] == "2025-05-14"
    assert qaani_visit_arrival(ArticleExtraction.model_validate(records[3]["result"]))[0] == "2025-05-12"
    assert len(fake.chat_requests()) == 3

    # Re-running the same input: everything is done already, nothing goes to the model again.
    again = invoke("batch", source, "-o", out, *backend(fake))
    assert again.exit_code == 1
    assert "4 article(s): 3 ok, 1 failed, 4 done earlier" in stderr_of(again)
    assert len(fake.chat_requests()) == 3
    assert [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()] == records


def test_batch_after_a_backend_outage_retries_what_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXTRACTOR_ITEM_MAX_ATTEMPTS", "2")
    source = write_batch_input(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    with FakeUpstream(default=server_error(503)) as down:
        failed = invoke("batch", source, "-o", out, *backend(down), "--max-retries", "0")
        # Each article: one call per item attempt, no transport retry.
        assert len(down.chat_requests()) == 3 * 2
    assert failed.exit_code == 1
    assert_no_traceback(failed)
    statuses = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {r["status"] for r in statuses} == {"failed"}
    assert {r["error"]["kind"] for r in statuses} == {"backend_unavailable"}
    with FakeUpstream(default=ok(qaani_draft)) as up:
        recovered = invoke("batch", source, "-o", out, *backend(up))
        assert len(up.chat_requests()) == 3
    assert recovered.exit_code == 0, recovered.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["article_id"], r["status"]) for r in records] == [
        ("one", "ok"),
        ("two", "ok"),
        ("three", "ok"),
    ]


def assert_usage_error(result: Result, *fragments: str) -> None:
    """Exit status 2 and one line on stderr, naming what is wrong."""
    assert result.exit_code == 2, result.stderr
    assert_no_traceback(result)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_batch_with_a_missing_input_exits_2(tmp_path: Path) -> None:
    result = invoke("batch", tmp_path / "absent.jsonl", "-o", tmp_path / "out.jsonl")
    assert_usage_error(result, "absent.jsonl", "no such file")


def test_batch_refuses_bad_output_paths_before_any_work(fake: FakeUpstream, tmp_path: Path) -> None:
    source = write_batch_input(tmp_path / "in.jsonl")
    original = source.read_bytes()
    (tmp_path / "outdir").mkdir()
    same = invoke("batch", source, "-o", source, *backend(fake))
    assert_usage_error(same, "in.jsonl", "is the input file")
    directory = invoke("batch", source, "-o", tmp_path / "outdir", *backend(fake))
    assert_usage_error(directory, "outdir", "is a directory")
    under_a_file = invoke("batch", source, "-o", source / "out.jsonl", *backend(fake))
    assert_usage_error(under_a_file, "cannot create the output directory")
    assert fake.chat_requests() == []
    assert source.read_bytes() == original
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "outdir"]
    assert list((tmp_path / "outdir").iterdir()) == []


def test_batch_creates_a_missing_output_directory_and_takes_numeric_ids(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": 42, "text": ARTICLE, "published": "2025-05-15"}) + "\n", encoding="utf-8"
    )
    out = tmp_path / "results" / "run1" / "out.jsonl"
    result = invoke("batch", source, "-o", out, *backend(fake))
    assert result.exit_code == 0, result.stderr
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (record["article_id"], record["status"]) == ("42", "ok")
    assert ArticleExtraction.model_validate(record["result"]).article.id == "42"


# --- serve --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [" , ", "[]", '["a"'])
def test_serve_refuses_a_token_setting_without_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("EXTRACTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'never.sqlite3'}")
    monkeypatch.setenv("EXTRACTOR_API_TOKENS", value)

    def must_not_serve(*_: object, **__: object) -> None:
        raise AssertionError("served despite a bad setting")

    monkeypatch.setattr("uvicorn.run", must_not_serve)
    result = invoke("serve", "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--port", "9")
    assert_usage_error(result, "EXTRACTOR_API_TOKENS")
    assert not (tmp_path / "never.sqlite3").exists()


# --- eval ---------------------------------------------------------------------------------------------


@pytest.mark.skipif(
    len(list(RECORDINGS.glob("*.json"))) < 5, reason="evals/recordings does not hold all five seeds yet"
)
def test_eval_replays_the_committed_recordings_offline(tmp_path: Path) -> None:
    out, report = tmp_path / "v1.json", tmp_path / "v1.html"
    result = invoke("eval", "--prompt", "v1", "--set", "seeds", "--replay", "--out", out, "--report", report)
    assert result.exit_code == 0, result.stdout
    assert "gate: passed" in result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    cand = data["candidate"]
    assert cand["prompt_version"] == "v1"
    assert [a["error_kind"] for a in cand["articles"]] == [None] * 5
    assert cand["scores"]["schema_valid_rate"] == 1.0
    assert cand["scores"]["grounding_rate"] == 1.0
    assert 0.0 < cand["scores"]["micro"]["f1"] <= 1.0
    assert cand["timeline"]["consolidated_articles"] == [a["article_id"] for a in cand["articles"]]
    assert data["gate"]["exit_code"] == 0
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_eval_with_no_flags_replays_the_default_prompt_over_every_gold_set(tmp_path: Path) -> None:
    out = tmp_path / "all.json"
    result = invoke("eval", "--replay", "--out", out)
    assert result.exit_code == 0, result.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    cand = data["candidate"]
    assert cand["prompt_version"] == "v5"
    assert len(cand["articles"]) >= 31
    assert [a["error_kind"] for a in cand["articles"]] == [None] * len(cand["articles"])
    assert set(cand["sets"]) == {"seeds", "short", "long", "arabic"}
    assert cand["scores"]["grounding_rate"] == 1.0
    assert cand["scores"]["outlet_claims"] == 0


def test_eval_picks_articles_and_refuses_unknown_ones(tmp_path: Path) -> None:
    result = invoke("eval", "--replay", "--article", "03_", "--article", "05_")
    assert result.exit_code == 0, result.stdout
    assert "2 gold article(s)" in result.stdout
    result = invoke("eval", "--replay", "--article", "zz_nothing")
    assert result.exit_code == 2
    result = invoke("eval", "--replay", "--prompt", "v9")
    assert result.exit_code == 2


def test_version_and_short_help() -> None:
    result = invoke("--version")
    assert result.exit_code == 0 and result.stdout.startswith("extractor ")
    for args in (["-h"], ["extract", "-h"], ["eval", "-h"]):
        result = invoke(*args)
        assert result.exit_code == 0, args
        assert "Usage" in result.stdout
