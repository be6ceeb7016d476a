import datetime as dt
from pathlib import Path

import pytest

from extractor.core.contract import When
from extractor.core.dates import date_expressions, find_publication_date, parse_published, resolve
from extractor.core.language import detect_language
from extractor.core.sentences import split_sentences
from extractor.evaluation.gold import read_article_text

MAY_15 = dt.date(2025, 5, 15)  # a Thursday


@pytest.mark.parametrize(
    ("words", "status", "date", "precision"),
    [
        ("Wednesday", "occurred", "2025-05-14", "day"),
        ("on Thursday", "occurred", "2025-05-15", "day"),  # the publication day itself
        ("on Friday", "planned", "2025-05-16", "day"),
        ("this Saturday", "occurred", "2025-05-17", "day"),
        ("last Sunday", "occurred", "2025-05-11", "day"),
        ("next Monday", "occurred", "2025-05-19", "day"),
        ("yesterday", "occurred", "2025-05-14", "day"),
        ("the day before yesterday", "occurred", "2025-05-13", "day"),
        ("two days ago", "occurred", "2025-05-13", "day"),
        ("late January", "occurred", "2025-01", "month"),
        ("in April", "occurred", "2025-04", "month"),
        ("September", "occurred", "2024-09", "month"),  # after May: the September before
        ("September", "planned", "2025-09", "month"),
        ("May 15, 2025", "occurred", "2025-05-15", "day"),
        ("15 May 2025", "occurred", "2025-05-15", "day"),
        ("in March 2023", "occurred", "2023-03", "month"),
        ("2024", "occurred", "2024", "year"),
        ("2024-09-16", "occurred", "2024-09-16", "day"),
        ("last month", "occurred", "2025-04", "month"),
        ("last week", "occurred", None, "unknown"),
    ],
)
def test_resolves_against_publication_date(words: str, status: str, date: str | None, precision: str) -> None:
    when = resolve(words, MAY_15, status)  # type: ignore[arg-type]
    assert when is not None
    assert (when.date, when.precision, when.text) == (date, precision, words)


def test_background_months_in_a_september_article() -> None:
    published = dt.date(2024, 9, 18)
    assert resolve("two days ago", published).date == "2024-09-16"  # type: ignore[union-attr]
    assert resolve("late January", published).date == "2024-01"  # type: ignore[union-attr]
    assert resolve("May", published).date == "2024-05"  # type: ignore[union-attr]


def test_relative_words_stay_unresolved_without_publication_date() -> None:
    for words in ["Wednesday", "two days ago", "late January", "yesterday", "last month"]:
        when = resolve(words, None)
        assert when is not None and when.date is None and when.precision == "unknown", words
    when = resolve("May 15, 2025", None)
    assert when is not None and when.date == "2025-05-15"


def test_no_words_no_when() -> None:
    assert resolve(None, MAY_15) is None
    assert resolve("  ", MAY_15) is None


def test_publication_date_forms_found_in_seeds() -> None:
    assert find_publication_date(" date 2024-09-18 Shafaq News/ The visit") == dt.date(2024, 9, 18)
    assert find_publication_date("body text\n\nUpdated: May 15, 2025, 12:00 PM") == dt.date(2025, 5, 15)
    assert find_publication_date("Qaani arrived on Wednesday.") is None


def test_caller_publication_date() -> None:
    assert parse_published("2025-05-15") == MAY_15
    assert parse_published(MAY_15) == MAY_15
    assert parse_published(None) is None
    with pytest.raises(ValueError, match="not a day date"):
        parse_published("sometime")


@pytest.mark.parametrize(
    ("words", "published", "status"),
    [
        ("3000 years ago", "2025-05-15", "occurred"),
        ("100000 years ago", "2025-05-15", "occurred"),
        ("99999999999999999999999 days ago", "2025-05-15", "occurred"),
        ("yesterday", "0001-01-01", "occurred"),
        ("tomorrow", "9999-12-31", "planned"),
        ("two days ago", "0001-01-01", "occurred"),
        ("next month", "9999-12-20", "planned"),
    ],
)
def test_dates_outside_the_calendar_stay_unresolved(words: str, published: str, status: str) -> None:
    when = resolve(words, dt.date.fromisoformat(published), status)  # type: ignore[arg-type]
    assert when is not None and when.date is None and when.precision == "unknown" and when.text == words


# --- the article's language ------------------------------------------------------------------------

AUG_3_2013 = dt.date(2013, 8, 3)  # a Saturday: the CNN Arabic corpus article's publication date


@pytest.mark.parametrize(
    ("words", "status", "date"),
    [
        ("يوم الأربعاء", "occurred", "2013-07-31"),  # on Wednesday
        ("يوم الأربعاء", "planned", "2013-08-07"),
        ("الأربعاء الماضي", "occurred", "2013-07-31"),  # last Wednesday
        ("الأربعاء المقبل", "occurred", "2013-08-07"),  # next Wednesday
        ("السبت", "occurred", "2013-08-03"),  # the publication day itself, as in English
        ("اليوم الأحد", "occurred", "2013-08-04"),  # "today, Sunday": the Sunday nearest publication
        ("اليوم السبت", "occurred", "2013-08-03"),
        ("ليل الجمعة", "occurred", "2013-08-02"),  # Friday night
        ("أمس", "occurred", "2013-08-02"),  # yesterday
        ("أول أمس", "occurred", "2013-08-01"),  # the day before yesterday
        ("غدا", "planned", "2013-08-04"),  # tomorrow
        ("اليوم", "occurred", "2013-08-03"),  # today
        ("قبل يومين", "occurred", "2013-08-01"),  # two days ago (dateparser)
        ("في يوليو", "occurred", "2013-07"),  # in July (dateparser)
        ("الشهر الماضي", "occurred", "2013-07"),  # last month (dateparser)
        ("٣ أغسطس ٢٠١٣", "occurred", "2013-08-03"),  # Arabic-Indic digits
        ("on Wednesday", "occurred", "2013-07-31"),  # words the model translated: English rules
    ],
)
def test_arabic_words_resolve_in_arabic(words: str, status: str, date: str) -> None:
    when = resolve(words, AUG_3_2013, status, language="ar")  # type: ignore[arg-type]
    assert when is not None and when.date == date and when.text == words


@pytest.mark.parametrize(
    ("words", "language", "date"),
    [("mercredi", "fr", "2013-07-31"), ("hier", "fr", "2013-08-02"), ("周三", "zh", "2013-07-31")],
)
def test_other_languages_resolve_with_dateparser(words: str, language: str, date: str) -> None:
    when = resolve(words, AUG_3_2013, language=language)
    assert when is not None and when.date == date


def test_english_is_the_default_and_unchanged() -> None:
    assert resolve("يوم الأربعاء", AUG_3_2013) == resolve("يوم الأربعاء", AUG_3_2013, language=None)
    assert resolve("Wednesday", MAY_15) == resolve("Wednesday", MAY_15, language="en")
    assert date_expressions("وصل يوم الأربعاء إلى بغداد") == []


def test_unresolvable_words_stay_unresolved_with_a_warning() -> None:
    warnings: list[str] = []
    # "last week": no single day, month or year.
    when = resolve("الأسبوع الماضي", AUG_3_2013, language="ar", warnings=warnings)
    assert when is not None and when.date is None and when.precision == "unknown"
    # The Sada El Balad article has no publication date: "today, Sunday" cannot be placed.
    when = resolve("اليوم الأحد", None, language="ar", warnings=warnings)
    assert when is not None and when.date is None and when.text == "اليوم الأحد"
    assert len(warnings) == 2
    assert "'الأسبوع الماضي'" in warnings[0] and "'ar'" in warnings[0]
    assert "no publication date" in warnings[1]
    # Resolved words add no warning; a language dateparser does not know is unresolved, not an error.
    resolve("أمس", AUG_3_2013, language="ar", warnings=warnings)
    assert resolve("foo", AUG_3_2013, language="xx", warnings=warnings) == When(
        date=None, precision="unknown", text="foo"
    )
    assert len(warnings) == 3


def test_arabic_day_names_are_date_expressions() -> None:
    sentence = "أكدت مصادر وصول وزير خارجية مملكة البحرين خالد آل خليفة، اليوم الأحد، إلى العاصمة بغداد."
    assert date_expressions(sentence, "ar") == ["اليوم الأحد"]
    assert date_expressions("التقى الرئيس بنظيره أمس، ثم يوم الأربعاء الماضي في دمشق.", "ar") == [
        "أمس",
        "يوم الأربعاء الماضي",
    ]
    # English expressions are still found in an Arabic article's English words.
    assert date_expressions("قال في بيان on Wednesday إن", "ar") == ["on Wednesday"]


def test_a_date_of_the_cnn_arabic_corpus_article_resolves() -> None:
    path = Path(__file__).resolve().parents[1] / "evals/corpus/arabic/01_cnnarabic-syria-rebels-qalamoun.txt"
    body = read_article_text(path)
    published = dt.date.fromisoformat("2013-08-03")  # its header
    assert detect_language(body) == "ar"
    found = [(s.text, w) for s in split_sentences(body) for w in date_expressions(s.text, "ar")]
    # "... clashes late on Friday night (ليل الجمعة), in the village of al-Tuwaymiyah ..."
    sentence, words = next((s, w) for s, w in found if w == "ليل الجمعة")
    assert "قرية التويمية" in sentence
    when = resolve(words, published, "occurred", language="ar")
    assert when is not None and when.date == "2013-08-02" and when.precision == "day"
