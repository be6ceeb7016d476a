import datetime as dt

import pytest

from extractor.core.dates import find_publication_date, parse_published, resolve

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
