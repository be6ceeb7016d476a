"""The timeline's published formats (JSON + schema, Markdown, HTML) and reading extraction files."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from extractor.consolidation import consolidate, load_extractions, render_html, render_json, render_markdown
from extractor.consolidation.model import Timeline
from extractor.consolidation.schema import TIMELINE_SCHEMA_FILE, timeline_schema
from extractor.core.errors import InputError
from tests.test_consolidation_builders import actor, article, claim, meeting, visit

ROOT = Path(__file__).resolve().parents[1]

HOSTILE = "<script>alert(1)</script> *bold* | pipe"


def _timeline() -> Timeline:
    a = article(
        "000",
        [actor("A1", "Esmail Qaani"), actor("A2", "Qassem al-Araji")],
        visits=[
            visit(
                "V1",
                ["A1"],
                "Baghdad",
                "2025-05-14",
                evidence=[("Qaani arrived in Baghdad on Wednesday", 5)],
                disclosure="announced",
            )
        ],
        meetings=[meeting("M1", ["A1", "A2"], date="2025-05-14", visit_id="V1", evidence=[(HOSTILE, 300)])],
        claims=[
            claim("C1", "The visit rallies Arab support", ["A1"], evidence=[("rallying Arab support", 700)])
        ],
    )
    b = article(
        "001",
        [actor("A1", "Ismail Qaani")],
        visits=[
            visit(
                "V1", ["A1"], "Iraq", "2025-05-15", disclosure="secret", evidence=[("travelled to Iraq", 0)]
            ),
            visit("V2", ["A1"], "Baghdad", "2024-01"),
        ],
    )
    c = article("002", [actor("A1", "Ismael Qaani")], visits=[visit("V1", ["A1"], "Baghdad")])
    return consolidate([a, b, c])


def test_published_schema_matches_models() -> None:
    published = json.loads((ROOT / "schemas" / TIMELINE_SCHEMA_FILE).read_text(encoding="utf-8"))
    assert published == timeline_schema(), "schema drifted: run `python -m extractor.consolidation.schema`"


def test_rendered_json_is_valid_against_the_published_schema() -> None:
    schema = json.loads((ROOT / "schemas" / TIMELINE_SCHEMA_FILE).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    errors = [e.message for e in validator.iter_errors(json.loads(render_json(_timeline())))]
    assert errors == []


def test_json_round_trips_through_the_models() -> None:
    t = _timeline()
    text = render_json(t)
    assert Timeline.model_validate_json(text) == t
    doc = json.loads(text)
    assert [e["kind"] for e in doc["events"]] == ["visit", "visit", "meeting", "visit"]
    assert doc["events"][1]["conflicts"][0]["field"] == "arrival"


def test_markdown_lists_events_with_evidence_conflicts_and_actors() -> None:
    md = render_markdown(_timeline())
    assert "### E2 · 2025-05 · Esmail Qaani visits Baghdad, Iraq" in md
    assert "> Qaani arrived in Baghdad on Wednesday" in md
    assert "**Conflict** arrival: 2025-05-14 (`000` V1); 2025-05-15 (`001` V1)" in md
    assert "| P1 | Esmail Qaani | person | Esmail Qaani; Ismael Qaani; Ismail Qaani |" in md
    # Article text cannot inject markup or break the table.
    assert "\\<script\\>" in md and "\\*bold\\*" in md and "\\| pipe" in md


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_one_self_contained_page_with_an_axis_and_expandable_evidence() -> None:
    t = _timeline()
    page = _Page()
    page.feed(render_html(t))
    tags = [tag for tag, _ in page.tags]
    assert "script" not in tags  # the hostile evidence is text, not markup
    assert HOSTILE in "".join(page.text)
    for _, attrs in page.tags:  # nothing is fetched from elsewhere
        assert "src" not in attrs
        assert (attrs.get("href") or "#").startswith("#")
    details = [attrs["id"] for tag, attrs in page.tags if tag == "details"]
    assert details == [e.id for e in t.events]
    axis_links = [attrs["href"] for tag, attrs in page.tags if tag == "a" and "href" in attrs][
        : len(details) - 1
    ]
    assert axis_links == ["#E1", "#E2", "#E3"]  # dated events sit on the axis; the undated one does not
    assert tags.count("svg") == 1 and tags.count("rect") == 3
    text = "".join(page.text)
    assert "Qaani arrived in Baghdad on Wednesday" in text and "000" in text


def test_html_without_dated_events_has_no_axis() -> None:
    t = consolidate([article("a", [actor("A1", "Esmail Qaani")], visits=[visit("V1", ["A1"], "Baghdad")])])
    assert "<svg" not in render_html(t)


def _gold_like(aid: str) -> dict[str, object]:
    doc: dict[str, object] = json.loads(article(aid, [actor("A1", "Esmail Qaani")]).model_dump_json())
    doc["notes"] = "hand-labelled; the loader ignores this"
    return doc


def test_load_extractions_reads_json_arrays_and_json_lines(tmp_path: Path) -> None:
    (tmp_path / "one.json").write_text(json.dumps(_gold_like("a")))
    (tmp_path / "many.json").write_text(json.dumps([_gold_like("b"), _gold_like("c")]))
    (tmp_path / "lines.jsonl").write_text("\n".join(json.dumps(_gold_like(x)) for x in "de") + "\n\n")
    loaded = load_extractions([tmp_path / "one.json", tmp_path / "many.json", str(tmp_path / "lines.jsonl")])
    assert [x.article.id for x in loaded] == ["a", "b", "c", "d", "e"]


@pytest.mark.parametrize(
    ("content", "where"),
    [
        ("{not json", "bad.json:1"),
        ('{"article": {"id": "a"}}\n{"oops"', "bad.json:2"),
        ('[{"article": {"id": "a"}}]', "bad.json[0]"),
    ],
)
def test_load_extractions_names_the_bad_place(tmp_path: Path, content: str, where: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError) as info:
        load_extractions([path])
    assert where in str(info.value)


def test_load_extractions_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        load_extractions([tmp_path / "nope.json"])


def test_a_capital_standing_for_its_state_is_not_a_name_of_the_state_actor() -> None:
    from extractor.consolidation.actors import actor_names
    from extractor.core.contract import Actor

    iraq = Actor.model_validate(
        {"id": "A2", "name": "Iraq", "kind": "state", "aliases": ["Baghdad"], "evidence": []}
    )
    assert actor_names(iraq) == ["Iraq"]
    # Another kind keeps its aliases as written.
    group = Actor.model_validate(
        {
            "id": "A3",
            "name": "Coordination Framework",
            "kind": "organization",
            "aliases": ["Baghdad bloc"],
            "evidence": [],
        }
    )
    assert actor_names(group) == ["Coordination Framework", "Baghdad bloc"]


def test_the_timeline_page_names_articles_by_outlet_and_date() -> None:
    from extractor.consolidation.model import ArticleRef, Timeline
    from extractor.consolidation.render_html import article_name

    timeline = Timeline.model_construct(
        articles=[
            ArticleRef(id="a1", source="Shafaq News", published="2024-10-13"),
            ArticleRef(id="a2", url="https://www.example.org/news/1"),
            ArticleRef(id="a3"),
        ]
    )
    assert article_name(timeline, "a1") == "Shafaq News, 2024-10-13"
    assert article_name(timeline, "a2") == "example.org"
    assert article_name(timeline, "a3") == "a3"
