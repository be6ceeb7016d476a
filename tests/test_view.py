"""``extractor view``: the page's highlights, its escaping, and the command on real outputs."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from pathlib import Path

import pytest

from extractor.consolidation import load_outputs
from extractor.consolidation.loading import FailedArticle, Outputs
from extractor.core.contract import Actor, ArticleExtraction, ArticleInfo, Claim, Evidence, Meta, Place, Visit
from extractor.viewer import ArticleTexts, Span, highlight, render_view
from tests.fake_upstream import FakeUpstream
from tests.test_cli import ARTICLE, QAANI, assert_no_traceback, invoke, stderr_of, write_batch_input
from tests.test_cli_consolidate_outputs import clean_environment, extract_output, fake

__all__ = ["clean_environment", "fake"]  # fixtures shared with the consolidate tests

TEXT = 'Esmail Qaani arrived in Baghdad. <script>alert("x")</script> A source said: "He met Sudani & co."\n'


def ev(text: str, phrase: str) -> Evidence:
    start = text.index(phrase)
    return Evidence(text=phrase, start=start, end=start + len(phrase))


def sample(text: str | None = TEXT, article_id: str = "a<1>", **info: str) -> ArticleExtraction:
    body = TEXT
    return ArticleExtraction(
        article=ArticleInfo(id=article_id, text=text, **info),
        actors=[Actor(id="A1", name="Esmail Qaani", kind="person", evidence=[ev(body, "Esmail Qaani")])],
        visits=[
            Visit(
                id="V1",
                visitor_ids=["A1"],
                destination=Place(name="Baghdad", country="Iraq"),
                evidence=[ev(body, "Esmail Qaani arrived in Baghdad.")],
            )
        ],
        claims=[
            Claim(
                id="C1",
                source="A source <b>",
                statement="He met Sudani & co.",
                attribution="anonymous",
                evidence=[ev(body, 'A source said: "He met Sudani & co."')],
            )
        ],
        meta=Meta(model="m", prompt_version="v1", warnings=["date <unresolved> for V1"]),
    )


class Marks(HTMLParser):
    """Text under each ``data-keys`` key, every element's id, and every tag seen."""

    def __init__(self) -> None:
        super().__init__()
        self.by_key: dict[str, str] = defaultdict(str)
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append(tag)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "mark":
            self._open = str(a.get("data-keys", "")).split()

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._open = []

    def handle_data(self, data: str) -> None:
        for key in self._open:
            self.by_key[key] += data


def parse(html: str) -> Marks:
    marks = Marks()
    marks.feed(html)
    return marks


def test_overlapping_spans_mark_exactly_their_text_and_take_the_inner_colour() -> None:
    text = "Esmail Qaani arrived in Baghdad. Then he left."
    spans = [
        Span(0, 32, "visit", "V1", "V1 visit"),
        Span(0, 12, "actor", "A1", "A1 actor"),
    ]
    html = str(highlight(text, spans))
    assert html.startswith('<mark class="t-actor multi" data-keys="V1 A1"')
    marks = parse(html)
    assert marks.by_key["A1"] == "Esmail Qaani"
    assert marks.by_key["V1"] == "Esmail Qaani arrived in Baghdad."
    assert html.endswith("</mark> Then he left.")


def test_page_highlights_every_evidence_span_of_every_item() -> None:
    page = render_view(Outputs([sample()]))
    marks = parse(page.html)
    assert marks.by_key["art-0-A1"] == "Esmail Qaani"
    assert marks.by_key["art-0-V1"] == "Esmail Qaani arrived in Baghdad."
    assert marks.by_key["art-0-C1"] == 'A source said: "He met Sudani & co."'
    # Each item has its fields panel, which the click handler reveals by id.
    assert {"detail-art-0-A1", "detail-art-0-V1", "detail-art-0-C1"} <= marks.ids
    assert "visitor_ids" in page.html and "A1 Esmail Qaani" in page.html and "Baghdad, Iraq" in page.html
    assert page.unmatched_spans == 0 and page.without_text == []


def test_article_text_ids_fields_and_warnings_are_escaped() -> None:
    page = render_view(Outputs([sample()]), title="<i>t</i>")
    html = page.html
    assert parse(html).tags.count("script") == 1  # the page's own, none from the article
    assert "alert" in html and '<script>alert("x")' not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "a<1>" not in html and "a&lt;1&gt;" in html
    assert "<b>" not in html and "A source &lt;b&gt;" in html
    assert "<i>t</i>" not in html
    assert "date &lt;unresolved&gt; for V1" in html  # meta.warnings are shown


def test_a_span_whose_offsets_do_not_match_is_not_highlighted_and_is_reported() -> None:
    extraction = sample()
    wrong = Evidence(text="Sudani", start=0, end=6)  # the text there is "Esmail"
    extraction.actors.append(Actor(id="A2", name="Sudani", evidence=[wrong]))
    page = render_view(Outputs([extraction]))
    marks = parse(page.html)
    assert "art-0-A2" not in marks.by_key
    assert page.unmatched_spans == 1
    assert "A2: evidence [0:6] does not match the text; not highlighted" in page.html


def test_without_text_the_items_and_quotes_are_shown_and_the_page_says_so() -> None:
    page = render_view(Outputs([sample(text=None)]))
    assert "<mark" not in page.html
    assert "Article text not available" in page.html
    assert "“Esmail Qaani arrived in Baghdad.”" in page.html
    assert page.without_text == ["a<1>"]


def test_text_comes_from_a_file_by_stem_or_by_content(tmp_path: Path) -> None:
    (tmp_path / "story.txt").write_text(TEXT, encoding="utf-8")
    by_stem = render_view(Outputs([sample(text=None, article_id="story")]), ArticleTexts.from_files([]))
    assert by_stem.without_text == ["story"]
    texts = ArticleTexts.from_files([], folder=tmp_path)
    assert render_view(Outputs([sample(text=None, article_id="story")]), texts).without_text == []
    sha = hashlib.sha256(TEXT.encode()).hexdigest()
    texts = ArticleTexts.from_files([tmp_path / "story.txt"])
    other = sample(text=None, article_id="other-id", content_sha256=sha)
    page = render_view(Outputs([other]), texts)
    assert page.without_text == [] and parse(page.html).by_key["art-0-A1"] == "Esmail Qaani"


def test_failed_articles_are_listed_with_their_reason() -> None:
    failure = FailedArticle("gone", "bad_input", "gone.txt: empty <input>", "out.jsonl:2")
    page = render_view(Outputs([sample(), failure]))
    assert page.failed == 1
    assert "Failed articles" in page.html and "gone.txt: empty &lt;input&gt;" in page.html


def test_the_page_loads_nothing_from_outside() -> None:
    html = render_view(Outputs([sample(url="https://example.com/a")])).html
    tags = parse(html).tags
    assert "link" not in tags and "img" not in tags and "iframe" not in tags
    assert not re.search(r"""\b(src|href)\s*=\s*["']?(https?:)?//""", html)


# --- the command, on what extract -o and batch -o really write --------------------------------------


def test_view_of_extract_output_with_the_article_files(fake: FakeUpstream, tmp_path: Path) -> None:
    out = extract_output(fake, tmp_path)
    page_path = tmp_path / "page.html"
    result = invoke("view", out, tmp_path / "a.txt", tmp_path / "b.txt", "-o", page_path)
    assert result.exit_code == 0, result.stderr
    assert_no_traceback(result)
    assert "wrote" in stderr_of(result) and "2 article(s), 1 failed" in stderr_of(result)
    html = page_path.read_text(encoding="utf-8")
    marks = parse(html)
    assert marks.by_key["art-0-A1"].startswith(QAANI)
    assert marks.by_key["art-1-V1"].startswith(QAANI)
    assert "empty" in html and "bad_input" in html  # the failed article and its reason


def test_view_of_batch_output_without_texts_warns_and_with_a_folder_highlights(
    fake: FakeUpstream, tmp_path: Path
) -> None:
    source = write_batch_input(tmp_path / "in.jsonl", malformed_at=1)
    out = tmp_path / "results.jsonl"
    invoke("batch", source, "-o", out, "--base-url", fake.url, "--model", "fake-model")
    quotes_only = invoke("view", out, "-o", tmp_path / "q.html")
    assert quotes_only.exit_code == 0, quotes_only.stderr
    assert "no text for 3 article(s)" in stderr_of(quotes_only)
    texts = tmp_path / "texts"
    texts.mkdir()
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.endswith("}"):
            article = json.loads(line)
            (texts / f"{article['id']}.txt").write_text(article["text"], encoding="utf-8")
    full = invoke("view", out, "--text", texts, "-o", tmp_path / "full.html")
    assert full.exit_code == 0, full.stderr
    assert "no text" not in stderr_of(full)
    marks = parse((tmp_path / "full.html").read_text(encoding="utf-8"))
    assert marks.by_key["art-0-A1"].startswith(QAANI)
    assert load_outputs([out]).failures[0].article_id == "line-2"


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["story.txt"], "no extraction output"),
        (["bad.jsonl"], "bad.jsonl: not an article extraction"),
        (["good.json", "--text", "nowhere"], "not a folder"),
        (["good.json", "missing.txt"], "missing.txt: no such file"),
    ],
)
def test_view_usage_errors_exit_2_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], complaint: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "story.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "bad.jsonl").write_text('{"hello": 1}\n', encoding="utf-8")
    (tmp_path / "good.json").write_text(sample().model_dump_json(), encoding="utf-8")
    result = invoke("view", *args)
    assert result.exit_code == 2
    assert_no_traceback(result)
    assert complaint in stderr_of(result)
    assert not (tmp_path / "view.html").exists()
