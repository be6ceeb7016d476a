"""Partial dates' one home (extractor/core/partial_dates.py) and the places that use it."""

import pytest

from extractor.core.contract import When
from extractor.core.dates import resolve
from extractor.core.partial_dates import PRECISION_BY_LENGTH, compatible, precision_of
from extractor.evaluation.align import dates_compatible


@pytest.mark.parametrize(
    ("date", "precision"), [(None, "unknown"), ("2025", "year"), ("2025-05", "month"), ("2025-05-14", "day")]
)
def test_precision_of(date: str | None, precision: str) -> None:
    assert precision_of(date) == precision


def test_precision_by_length_is_the_contracts() -> None:
    assert PRECISION_BY_LENGTH == {4: "year", 7: "month", 10: "day"}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("2025-05", "2025-05-14", True),
        ("2025-05-14", "2025-05", True),
        ("2025", "2025-05-14", True),
        ("2025-05-14", "2025-05-14", True),
        ("2025-05-14", "2025-05-15", False),
        ("2025-06", "2025-05-14", False),
        ("2024", "2025-05", False),
        (None, "2025-05-14", True),
        ("2025", None, True),
        (None, None, True),
    ],
)
def test_compatible(a: str | None, b: str | None, expected: bool) -> None:
    assert compatible(a, b) is expected
    # The evaluation's date check is the same rule on Whens (a missing When is an unknown date).
    wa = When(date=a, precision=precision_of(a), text="x") if a else None
    wb = When(date=b, precision=precision_of(b), text="x") if b else None
    assert dates_compatible(wa, wb) is expected


def test_resolved_dates_carry_the_precision_of_their_length() -> None:
    import datetime as dt

    for words in ["2024", "in March 2023", "15 May 2025", "recently"]:
        when = resolve(words, dt.date(2025, 5, 15))
        assert when is not None and when.precision == precision_of(when.date)
