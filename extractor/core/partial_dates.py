"""Partial dates ("2025", "2025-05", "2025-05-14"): their precision, the ranges they stand for and when
two agree. The one home of these rules: core resolves dates with them, consolidation merges events by
them and the evaluation aligns predictions with gold by them.

The contract ties a date string's length to its precision (``PRECISION_BY_LENGTH``). A reported date
is only as precise as the article: "in May" is 2025-05, which covers every day of May, so it is
compatible with 2025-05-14; two different days are not compatible with each other (except within the
one-day tolerance visits allow, see :func:`spans_compatible`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from typing import Literal

from extractor.core.contract import Precision

PRECISION_BY_LENGTH: dict[int, Precision] = {4: "year", 7: "month", 10: "day"}
PRECISION_RANK: dict[Precision, int] = {"day": 0, "month": 1, "year": 2, "unknown": 3}
_COMPONENT_LENGTHS = (10, 7, 4)


def precision_of(date: str | None) -> Precision:
    """The precision a date string stands for, by its length; "unknown" for no date."""
    if date is None:
        return "unknown"
    return PRECISION_BY_LENGTH[len(date)]


def date_range(date: str) -> tuple[dt.date, dt.date]:
    """First and last day a partial date covers."""
    year = int(date[0:4])
    if len(date) == 4:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    month = int(date[5:7])
    if len(date) == 7:
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    day = dt.date(year, month, int(date[8:10]))
    return day, day


def compatible(a: str | None, b: str | None) -> bool:
    """Whether two partial dates can name the same day: one is a prefix of the other.

    "2025-05" and "2025-05-14" are (they agree at the coarser of their precisions), "2025-06" and
    "2025-05-14" are not. An unknown date (None) is compatible with any date.
    """
    if a is None or b is None:
        return True
    return a.startswith(b) or b.startswith(a)


def is_chain(dates: Iterable[str]) -> bool:
    """Whether every pair of dates is prefix-compatible (they agree at their precisions)."""
    ordered = sorted(set(dates), key=len)
    return all(compatible(ordered[i], ordered[i + 1]) for i in range(len(ordered) - 1))


def agreed_date(dates: Iterable[str | None]) -> str | None:
    """The most precise date every reported date agrees with.

    Agreeing dates form a chain (2025, 2025-05, 2025-05-14) and the answer is the most precise one.
    Disagreeing dates (2025-05-14 vs 2025-05-15) agree only on their common calendar prefix
    (2025-05); dates in different years agree on nothing (None).
    """
    known = sorted({d for d in dates if d is not None})
    if not known:
        return None
    if is_chain(known):
        return max(known, key=len)
    for length in _COMPONENT_LENGTHS:
        prefixes = {d[:length] for d in known if len(d) >= length}
        if len(prefixes) == 1 and all(len(d) >= length for d in known):
            return prefixes.pop()
    return None


Span = tuple[dt.date, dt.date, bool]  # first day, last day, whether both ends were day-precise


def span(start: str | None, end: str | None) -> Span | None:
    """The days a reported stay covers: from the start's first day to the end's last day."""
    if start is None and end is None:
        return None
    first_date = start if start is not None else end
    last_date = end if end is not None else start
    assert first_date is not None and last_date is not None
    lo, hi = date_range(first_date)[0], date_range(last_date)[1]
    exact = len(first_date) == 10 and len(last_date) == 10
    return min(lo, hi), max(lo, hi), exact


def spans_compatible(a: Span | None, b: Span | None, *, day_tolerance: int = 0) -> bool:
    """Whether two reported stays can be the same one; an unknown span is compatible with anything.

    ``day_tolerance`` applies only when both spans are day-precise: outlets routinely disagree by a
    day on an arrival ("Tuesday" vs "Wednesday"), but "April" vs "May" is never widened into a match.
    """
    if a is None or b is None:
        return True
    tolerance = dt.timedelta(days=day_tolerance if a[2] and b[2] else 0)
    return a[0] <= b[1] + tolerance and b[0] <= a[1] + tolerance


SortDate = tuple[Literal[0, 1], str]


def sort_key(date: str | None) -> SortDate:
    """Dated before undated; partial dates sort before the days they contain ("2025-05" < "2025-05-14")."""
    return (0, date) if date is not None else (1, "")
