"""The hand-labelled gold sets (evals/gold/<set>/*.json) are well-formed and grounded in their texts.

Each gold file is an ArticleExtraction plus a top-level ``notes`` list; see evals/GUIDE.md for the rules
the labels follow. These tests check form, not judgement: contract validity, exact evidence offsets,
id integrity, and the few conventions the guide makes mechanical.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from extractor.core.article import split_front_matter
from extractor.core.contract import ArticleExtraction, When
from extractor.core.names import same_person
from extractor.evaluation.gold import GOLD_SETS, default_text_dir, gold_sets, load_gold

REPO = Path(__file__).resolve().parents[1]
GOLD_DIR = REPO / "evals" / "gold"
SEEDS_DIR = REPO / "seeds"

GOLD_FILES = sorted(
    p for name in GOLD_SETS for p in (GOLD_DIR / name).glob("*.json") if p.name != "timeline.json"
)
SEED_STEMS = sorted(p.stem for p in SEEDS_DIR.glob("*.txt"))


def raw_text(path: Path) -> str:
    # Offsets are str indices into the file exactly as on disk: no newline translation.
    return (default_text_dir(path.parent.name) / f"{path.stem}.txt").read_bytes().decode("utf-8")


def seed_text(path: Path) -> str:
    """The article text a gold file's offsets index: the file, or its body after a corpus header."""
    return split_front_matter(raw_text(path)).body


def raw_gold(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def gold_extraction(path: Path) -> ArticleExtraction:
    data = raw_gold(path)
    data.pop("notes", None)
    return ArticleExtraction.model_validate(data)


gold_params = pytest.mark.parametrize(
    "path", GOLD_FILES, ids=[f"{p.parent.name}/{p.stem}" for p in GOLD_FILES]
)


def test_every_seed_has_a_gold_file() -> None:
    assert SEED_STEMS, "no seed articles found"
    assert (
        sorted(p.stem for p in (GOLD_DIR / "seeds").glob("*.json") if p.name != "timeline.json") == SEED_STEMS
    )


@pytest.mark.parametrize("name", [n for n in GOLD_SETS if n != "seeds"])
def test_every_corpus_text_has_a_gold_file_and_back(name: str) -> None:
    texts = sorted(p.stem for p in default_text_dir(name).glob("*.txt"))
    golds = sorted(p.stem for p in (GOLD_DIR / name).glob("*.json"))
    assert texts, f"no texts in the {name} corpus"
    assert golds == texts


def test_the_gold_sets_hold_the_seeds_and_at_least_26_corpus_articles() -> None:
    golds = load_gold(gold_sets())
    by_set = {name: [g for g in golds if g.set_name == name] for name in GOLD_SETS}
    assert len(by_set["seeds"]) == 5
    assert sum(len(v) for name, v in by_set.items() if name != "seeds") >= 26
    assert all(g.grounding_errors() == [] for g in golds)


@gold_params
def test_validates_as_article_extraction(path: Path) -> None:
    extraction = gold_extraction(path)
    assert extraction.schema_version == "1"
    assert extraction.meta.model == "gold"
    assert extraction.meta.prompt_version == "gold"


@gold_params
def test_notes_is_a_list_of_strings(path: Path) -> None:
    notes = raw_gold(path)["notes"]
    assert isinstance(notes, list)
    assert all(isinstance(note, str) and note.strip() for note in notes)


@gold_params
def test_article_info_matches_the_text(path: Path) -> None:
    article = gold_extraction(path).article
    text = seed_text(path)
    assert article.id == path.stem
    assert article.language == ("ar" if path.parent.name == "arabic" else "en")
    assert article.content_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    front = split_front_matter(raw_text(path))
    if front.fields:
        assert (article.published, article.source, article.url) == (front.published, front.source, front.url)
    else:
        assert article.published == expected_published(path.stem, text)


def expected_published(stem: str, text: str) -> str | None:
    """The text's own date line when it has one, else metadata.json's date, else None (GUIDE.md)."""
    if match := re.match(r"\s*date (\d{4}-\d{2}-\d{2})\b", text):
        return match.group(1)
    if match := re.search(r"Updated: ([A-Z][a-z]+ \d{1,2}, \d{4})", text):
        return dt.datetime.strptime(match.group(1), "%B %d, %Y").date().isoformat()
    metadata = json.loads((SEEDS_DIR / "metadata.json").read_text(encoding="utf-8"))
    published: str | None = metadata.get(stem, {}).get("published")
    return published


@gold_params
def test_every_evidence_offset_matches_the_seed_text(path: Path) -> None:
    extraction = gold_extraction(path)
    assert extraction.evidence_errors(seed_text(path)) == []


@gold_params
def test_every_item_has_evidence(path: Path) -> None:
    extraction = gold_extraction(path)
    for items in (extraction.actors, extraction.visits, extraction.meetings, extraction.claims):
        for item in items:
            assert item.evidence, f"{item.id} has no evidence"


@gold_params
def test_ids_are_sequential_unique_and_references_resolve(path: Path) -> None:
    extraction = gold_extraction(path)
    for prefix, ids in (
        ("A", [a.id for a in extraction.actors]),
        ("V", [v.id for v in extraction.visits]),
        ("M", [m.id for m in extraction.meetings]),
        ("C", [c.id for c in extraction.claims]),
    ):
        assert ids == [f"{prefix}{i}" for i in range(1, len(ids) + 1)]
    actor_ids = {a.id for a in extraction.actors}
    visit_ids = {v.id for v in extraction.visits}
    for visit in extraction.visits:
        assert set(visit.visitor_ids) <= actor_ids
    for meeting in extraction.meetings:
        assert set(meeting.participant_ids) <= actor_ids
        assert len(set(meeting.participant_ids)) == len(meeting.participant_ids)
        assert meeting.visit_id is None or meeting.visit_id in visit_ids
    for claim in extraction.claims:
        assert set(claim.about_ids) <= actor_ids
        assert claim.speaker_id is None or claim.speaker_id in actor_ids


@gold_params
def test_actor_ids_follow_first_mention(path: Path) -> None:
    extraction = gold_extraction(path)
    text = seed_text(path)

    def first_mention(names: list[str]) -> int:
        hits = [m.start() for n in names for m in re.finditer(rf"(?<!\w){re.escape(n)}(?!\w)", text)]
        assert hits, f"none of {names} occurs in the text"
        return min(hits)

    positions = [first_mention([a.name, *a.aliases]) for a in extraction.actors]
    assert positions == sorted(positions)


@gold_params
def test_qaani_is_one_actor_with_every_spelling(path: Path) -> None:
    if path.parent.name != "seeds":
        pytest.skip("the seed story only")
    extraction = gold_extraction(path)
    text = seed_text(path)
    qaanis = [
        a for a in extraction.actors if any(same_person(n, "Esmail Qaani") for n in [a.name, *a.aliases])
    ]
    assert len(qaanis) == 1
    names = {qaanis[0].name, *qaanis[0].aliases}
    spellings = set(re.findall(r"\b(?:Esmail|Ismail|Ismael) Qaani\b", text))
    assert spellings <= names


@gold_params
def test_quotes_are_verbatim_in_their_evidence(path: Path) -> None:
    for claim in gold_extraction(path).claims:
        if claim.quote is not None:
            assert any(claim.quote in ev.text for ev in claim.evidence), claim.id


@gold_params
def test_dates_respect_publication(path: Path) -> None:
    extraction = gold_extraction(path)
    published = extraction.article.published
    dated: list[tuple[str, str, When | None]] = []
    for visit in extraction.visits:
        dated += [(visit.id, visit.status, visit.arrival), (visit.id, visit.status, visit.departure)]
    dated += [(m.id, m.status, m.date) for m in extraction.meetings]
    for item_id, status, when in dated:
        if when is None or when.date is None:
            continue
        assert when.text, f"{item_id}: a resolved date keeps the words it came from"
        if published is None:
            # Without a publication date only a written year can date anything (GUIDE.md, dates).
            assert re.search(r"\b\d{4}\b", when.text), (
                f"{item_id}: a relative date resolved without a publication date"
            )
            continue
        if status == "occurred":
            assert when.date <= published[: len(when.date)], f"{item_id}: occurred after publication"


@gold_params
def test_speaker_alternatives_name_actors_of_the_article(path: Path) -> None:
    data = raw_gold(path)
    actor_ids = {a["id"] for a in data["actors"]}
    outlet = data["article"].get("source")
    for claim in data["claims"]:
        alternatives = claim.get("speaker_alternatives", [])
        assert isinstance(alternatives, list)
        for alt in alternatives:
            assert alt is None or alt in actor_ids, claim["id"]
            # The publishing outlet is never an acceptable speaker (GUIDE.md, claims).
            if alt is not None and outlet:
                name = next(a["name"] for a in data["actors"] if a["id"] == alt)
                assert not same_person(name, outlet), claim["id"]
        assert claim["speaker_id"] not in alternatives, (
            f"{claim['id']}: the speaker is not its own alternative"
        )
