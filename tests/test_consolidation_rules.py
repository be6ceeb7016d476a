"""The building blocks of the merge rules: partial dates and place keys."""

from __future__ import annotations

import pytest

from extractor.consolidation.places import place_key, places_compatible
from extractor.core.contract import Place
from extractor.core.partial_dates import agreed_date, span, spans_compatible


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (["2025-05", "2025-05-14", None], "2025-05-14"),
        (["2025", "2025-05"], "2025-05"),
        (["2025-05-14", "2025-05-15"], "2025-05"),
        (["2025-05", "2025-05-14", "2025-05-15"], "2025-05"),
        (["2025-05-31", "2025-06-01"], "2025"),
        (["2024-12-31", "2025-01-01"], None),
        ([None], None),
    ],
)
def test_agreed_date_is_the_most_precise_date_all_reports_fit(
    dates: list[str | None], expected: str | None
) -> None:
    assert agreed_date(dates) == expected


@pytest.mark.parametrize(
    ("a", "b", "tolerance", "expected"),
    [
        (("2025-05", None), ("2025-05-14", None), 0, True),
        (("2025-05-14", None), ("2025-05-20", None), 1, False),
        (("2025-05-14", None), ("2025-05-15", None), 0, False),
        (("2025-05-14", None), ("2025-05-15", None), 1, True),
        (("2024-04", None), ("2024-05", None), 1, False),  # the tolerance never widens a month
        (("2025-01-05", "2025-01-07"), ("2025-01-06", None), 0, True),  # a stay contains the day
        ((None, None), ("2025-01-06", None), 0, True),
    ],
)
def test_spans_compatible(
    a: tuple[str | None, str | None], b: tuple[str | None, str | None], tolerance: int, expected: bool
) -> None:
    assert spans_compatible(span(*a), span(*b), day_tolerance=tolerance) is expected


@pytest.mark.parametrize(
    ("name", "country", "key"),
    [
        ("Baghdad", None, ("Iraq", "baghdad")),
        ("the Iraqi capital, Baghdad", None, ("Iraq", "baghdad")),
        ("the Iraqi capital", None, ("Iraq", "baghdad")),
        ("Baghdad", "Iran", ("Iraq", "baghdad")),  # the gazetteer outranks a slip in the country
        ("Iraq", "Iraq", ("Iraq", None)),
        ("the United States", None, ("United States", None)),
        ("Arbil", None, ("Iraq", "erbil")),
        ("northern Iraq", None, ("Iraq", "northern iraq")),
        ("Kurdistan Region", "Iraq", ("Iraq", "kurdistan region")),
        ("Green Village", None, (None, "green village")),
    ],
)
def test_place_keys(name: str, country: str | None, key: tuple[str | None, str | None]) -> None:
    got = place_key(Place(name=name, country=country))
    assert (got.country, got.locality) == key


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Baghdad", "Iraq", True),
        ("Baghdad", "the Iraqi capital, Baghdad", True),
        ("Baghdad", "Erbil", False),
        ("Baghdad", "Tehran", False),
        ("Iraq", "Iran", False),
        ("Baghdad", "northern Iraq", False),
        ("Iraq", "northern Iraq", True),
    ],
)
def test_places_compatible(a: str, b: str, expected: bool) -> None:
    assert places_compatible(place_key(Place(name=a)), place_key(Place(name=b))) is expected
