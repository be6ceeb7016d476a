"""Sentence splitting beyond English: Arabic and CJK punctuation, clock times, exact offsets."""

from pathlib import Path

import pytest

from extractor.core.sentences import split_sentences
from extractor.evaluation.gold import read_article_text

ROOT = Path(__file__).resolve().parents[1]


def texts(text: str) -> list[str]:
    sentences = split_sentences(text)
    assert all(text[s.start : s.end] == s.text for s in sentences)
    return [s.text for s in sentences]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He left at 5 p.m. Friday.", ["He left at 5 p.m. Friday."]),
        ("At 9 a.m. on Monday, he left. He came back.", ["At 9 a.m. on Monday, he left.", "He came back."]),
        (
            "He landed at 9 a.m. local time. He met Assad.",
            ["He landed at 9 a.m. local time.", "He met Assad."],
        ),
        (
            "The talks began at 10 A.M. GMT and ended late.",
            ["The talks began at 10 A.M. GMT and ended late."],
        ),
        ("He arrived at 11 p.m. May 14 and left.", ["He arrived at 11 p.m. May 14 and left."]),
        # A new sentence after a clock time still starts a sentence.
        (
            "The talks ended at 5 p.m. The minister then left.",
            ["The talks ended at 5 p.m.", "The minister then left."],
        ),
        (
            "He met Mr. Smith in the U.S. on Monday. Then he left.",
            ["He met Mr. Smith in the U.S. on Monday.", "Then he left."],
        ),
    ],
)
def test_english_abbreviations_and_clock_times(text: str, expected: list[str]) -> None:
    assert texts(text) == expected


def test_arabic_question_mark_ends_a_sentence() -> None:
    text = "هل وصل الوزير إلى بغداد؟ نعم، وصل أمس.\nوقال المتحدث إن الزيارة مفاجئة؟! لا."
    assert texts(text) == [
        "هل وصل الوزير إلى بغداد؟",
        "نعم، وصل أمس.",
        "وقال المتحدث إن الزيارة مفاجئة؟!",
        "لا.",
    ]


def test_arabic_semicolon_joins_clauses() -> None:
    # The Sada El Balad article: '... حيدر العبادي" ؛ دون مزيد من التفاصيل' ("; without further details").
    path = ROOT / "evals" / "corpus" / "arabic" / "02_elbalad-bahrain-fm-surprise-baghdad.txt"
    body = read_article_text(path)
    line = next(x for x in body.splitlines() if "؛" in x)
    assert texts(line) == [line]


def test_cjk_full_stops_need_no_space() -> None:
    text = "外交部长周三抵达巴格达。他与伊拉克总理举行了会谈！会谈持续了多久？两个小时。"
    assert texts(text) == [
        "外交部长周三抵达巴格达。",
        "他与伊拉克总理举行了会谈！",
        "会谈持续了多久？",
        "两个小时。",
    ]


def test_cjk_closing_quote_stays_with_its_sentence() -> None:
    assert texts("他说：「我们明天见。」随后离开。") == ["他说：「我们明天见。」", "随后离开。"]


def test_the_arabic_corpus_articles_split_with_exact_offsets() -> None:
    for path in sorted((ROOT / "evals" / "corpus" / "arabic").glob("*.txt")):
        body = read_article_text(path)
        sentences = split_sentences(body)
        assert len(sentences) >= 3
        assert all(body[s.start : s.end] == s.text for s in sentences)
