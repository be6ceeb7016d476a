"""Date words -> When, resolved deterministically against the publication date.

The model copies the words the article uses ("on Wednesday", "two days ago", "late January");
code turns them into a date at the precision the words support. News convention decides direction:
an event that occurred points back from the publication date, a planned one forward. Without a
publication date, relative words stay unresolved (date null) rather than guessed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

import dateparser

from extractor.core.contract import EventStatus, When
from extractor.core.partial_dates import precision_of

Direction = Literal["past", "future"]

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {
    name: i
    for i, name in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "a": 1, "an": 1}

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_WEEKDAY_RE = "|".join(WEEKDAYS)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?,?\s+(?:of\s+)?(\d{{4}})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b")
_MONTH = re.compile(rf"\b({_MONTH_RE})\b")
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_WEEKDAY = re.compile(rf"\b(?:(last|this|next|past|coming)\s+)?({_WEEKDAY_RE})\b")
_DATE_PREFIX = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b", re.IGNORECASE)
_AGO = re.compile(r"\b(\d+|one|two|three|four|five|six|seven|a|an)\s+(day|week|month|year)s?\s+ago\b")


def direction_for(status: EventStatus) -> Direction:
    return "future" if status == "planned" else "past"


def _when(date: str | None, text: str) -> When:
    return When(date=date, precision=precision_of(date or None), text=text)


def _day(d: dt.date) -> str:
    return d.isoformat()


def _month_of(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _nearest_year(month: int, day: int, published: dt.date, direction: Direction) -> int:
    """Year of a month (and day) written without one: the nearest occurrence in ``direction``."""
    year = published.year
    candidate = (month, day)
    now = (published.month, published.day)
    if direction == "past" and candidate > now:
        return year - 1
    if direction == "future" and candidate < now:
        return year + 1
    return year


def resolve(
    words: str | None,
    published: dt.date | None,
    status: EventStatus = "occurred",
    *,
    language: str | None = "en",
    warnings: list[str] | None = None,
) -> When | None:
    """The When for ``words``; None when there are no words at all.

    ``language`` is the article's (ISO 639-1; None when unknown reads as English). Words in another
    language are read by that language's rules: Arabic day names and "yesterday"/"today" here,
    everything else by dateparser in that language. Latin-script words it cannot read (a model that
    translated them, an English date in a foreign article) get the English rules after that.
    Words that cannot be resolved stay unresolved (date None), and with ``warnings`` say so there.
    """
    if words is None or not words.strip():
        return None
    text = words.strip()
    language = (language or "en").lower()
    if language == "en":
        when = _resolve_english(text, published, status)
    else:
        date = _resolve_in_language(text, published, direction_for(status), language)
        latin = _LATIN.search(text) is not None
        when = _resolve_english(text, published, status) if date is None and latin else _when(date, text)
    if when.date is None and warnings is not None:
        why = "no publication date to count from" if published is None else "no date they name"
        warnings.append(f"date words {text!r} left unresolved ({why}; language {language!r})")
    return when


def _resolve_english(text: str, published: dt.date | None, status: EventStatus) -> When:
    low = text.lower().replace("’", "'")
    direction = direction_for(status)

    # Absolute forms first: they never need the publication date.
    if m := _ISO.search(low):
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if d:
            return _when(_day(d), text)
    if m := _DAY_MONTH_YEAR.search(low):
        d = _safe_date(int(m.group(3)), MONTHS[m.group(2)], int(m.group(1)))
        if d:
            return _when(_day(d), text)
    if m := _MONTH_DAY_YEAR.search(low):
        d = _safe_date(int(m.group(3)), MONTHS[m.group(1)], int(m.group(2)))
        if d:
            return _when(_day(d), text)
    if m := _MONTH_YEAR.search(low):
        return _when(_month_of(int(m.group(2)), MONTHS[m.group(1)]), text)

    try:
        relative = _resolve_relative(low, published, direction)
    except (OverflowError, ValueError):
        # "3000 years ago", "yesterday" of 0001-01-01: outside the calendar, so left unresolved.
        relative = None
    if not isinstance(relative, _NotRelative):
        return _when(relative if relative is None or _in_calendar(relative) else None, text)

    if m := _YEAR.search(low):
        return _when(m.group(1), text)
    if published is not None:
        try:
            fallback = _dateparser_fallback(text, published, direction)
        except (OverflowError, ValueError):
            fallback = None
        return _when(fallback if fallback is None or _in_calendar(fallback) else None, text)
    return _when(None, text)


def _in_calendar(date: str) -> bool:
    """A date string the contract can hold: a year from 0001 to 9999."""
    return bool(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", date)) and date[:4] != "0000"


class _NotRelative:
    """Marks words that are no relative date expression at all (as opposed to one left unresolved)."""


NOT_RELATIVE = _NotRelative()


def _resolve_relative(low: str, published: dt.date | None, direction: Direction) -> str | _NotRelative | None:
    """A date string, None (relative but unresolvable), or NOT_RELATIVE."""
    if m := _MONTH_DAY.search(low):
        month, day = MONTHS[m.group(1)], int(m.group(2))
        if published is None:
            return None
        d = _safe_date(_nearest_year(month, day, published, direction), month, day)
        return _day(d) if d else None
    if m := _DAY_MONTH.search(low):
        month, day = MONTHS[m.group(2)], int(m.group(1))
        if published is None:
            return None
        d = _safe_date(_nearest_year(month, day, published, direction), month, day)
        return _day(d) if d else None
    if "day before yesterday" in low:
        return _day(published - dt.timedelta(days=2)) if published else None
    if "yesterday" in low:
        return _day(published - dt.timedelta(days=1)) if published else None
    if re.search(r"\b(today|tonight|this morning|this evening|this afternoon)\b", low):
        return _day(published) if published else None
    if "tomorrow" in low:
        return _day(published + dt.timedelta(days=1)) if published else None
    if m := _AGO.search(low):
        n = int(m.group(1)) if m.group(1).isdigit() else NUMBERS[m.group(1)]
        unit = m.group(2)
        if published is None:
            return None
        if unit == "day":
            return _day(published - dt.timedelta(days=n))
        if unit == "month":
            total = published.year * 12 + published.month - 1 - n
            return _month_of(total // 12, total % 12 + 1)
        if unit == "year":
            return f"{published.year - n:04d}"
        return None  # "two weeks ago": no honest day, month or year
    if m := _WEEKDAY.search(low):
        if published is None:
            return None
        return _day(_weekday(published, WEEKDAYS[m.group(2)], m.group(1), direction))
    if re.search(r"\b(last|past|previous) month\b", low):
        if published is None:
            return None
        total = published.year * 12 + published.month - 2
        return _month_of(total // 12, total % 12 + 1)
    if re.search(r"\b(this|earlier this|later this) month\b", low):
        return _month_of(published.year, published.month) if published else None
    if re.search(r"\bnext month\b", low):
        if published is None:
            return None
        total = published.year * 12 + published.month
        return _month_of(total // 12, total % 12 + 1)
    if re.search(r"\b(this|earlier this|later this) year\b", low):
        return f"{published.year:04d}" if published else None
    if re.search(r"\blast year\b", low):
        return f"{published.year - 1:04d}" if published else None
    if m := _MONTH.search(low):
        if _YEAR.search(low):
            return NOT_RELATIVE  # "May ... 2024" in other words: let the year rule decide
        if published is None:
            return None
        month = MONTHS[m.group(1)]
        # "In late January" in an article of September: the January before it.
        year = published.year
        if direction == "past" and month > published.month:
            year -= 1
        if direction == "future" and month < published.month:
            year += 1
        return _month_of(year, month)
    if re.search(r"\b(week|weekend|recently|days|earlier|soon|later)\b", low):
        return None
    return NOT_RELATIVE


def _weekday(published: dt.date, weekday: int, qualifier: str | None, direction: Direction) -> dt.date:
    """The day a weekday name refers to, read as news copy reads it.

    "on Wednesday" in a report of what happened: the latest Wednesday on or before publication;
    "last Sunday": the latest Sunday strictly before it; "this/next Friday" or a planned event: the
    next such day on or after publication.
    """
    back = (published.weekday() - weekday) % 7
    forward = (weekday - published.weekday()) % 7
    if qualifier in {"last", "past"}:
        return published - dt.timedelta(days=back or 7)
    if qualifier == "next":
        return published + dt.timedelta(days=forward or 7)
    if qualifier in {"this", "coming"} or direction == "future":
        return published + dt.timedelta(days=forward)
    return published - dt.timedelta(days=back)


def _dateparser_fallback(
    text: str, published: dt.date, direction: Direction, language: str = "en"
) -> str | None:
    parser = dateparser.DateDataParser(
        languages=[language],
        settings={
            "RELATIVE_BASE": dt.datetime.combine(published, dt.time(12)),
            "PREFER_DATES_FROM": direction,
            "RETURN_TIME_AS_PERIOD": True,
        },
    )
    data = parser.get_date_data(text)
    if data.date_obj is None:
        return None
    d = data.date_obj.date()
    period = data.period
    if period == "year":
        return f"{d.year:04d}"
    if period == "month":
        return _month_of(d.year, d.month)
    if period in {"day", "time"}:
        return _day(d)
    return None


# --- other languages ------------------------------------------------------------------------------

_LATIN = re.compile(r"[A-Za-z]")
# Arabic-Indic and Persian digits read as ASCII ones.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
AR_WEEKDAYS = {
    "الاثنين": 0,
    "الإثنين": 0,
    "الثلاثاء": 1,
    "الأربعاء": 2,
    "الاربعاء": 2,
    "الخميس": 3,
    "الجمعة": 4,
    "السبت": 5,
    "الأحد": 6,
    "الاحد": 6,
}
_AR_WEEKDAY_RE = "|".join(AR_WEEKDAYS)
# "يوم الأربعاء" (on Wednesday), "اليوم الأحد" (today, Sunday), "ليل الجمعة" (Friday night), "صباح
# السبت" (Saturday morning); "الماضي" (last) and "المقبل"/"القادم" (next) after the name.
_AR_DAY_PART = r"(?:منتصف\s+)?(?:يوم|اليوم|صباح|مساء|ليل|ليلة|ظهر|فجر|عصر)"
_AR_WEEKDAY = re.compile(
    rf"(?<!\w)(?:(?:في\s+)?{_AR_DAY_PART}\s+)?({_AR_WEEKDAY_RE})(?:\s+(الماضي|الماضية|المقبل|المقبلة|القادم|القادمة))?(?!\w)"
)
_AR_QUALIFIER = {"الماضي": "last", "الماضية": "last", "المقبل": "next", "المقبلة": "next"}
_AR_QUALIFIER |= {"القادم": "next", "القادمة": "next"}
_AR_DAY_BEFORE_YESTERDAY = re.compile(r"(?<!\w)(?:أول\s+(?:أمس|امس)|(?:أمس|امس)\s+الأول)(?!\w)")
_AR_YESTERDAY = re.compile(r"(?<!\w)(?:أمس|امس|الأمس|بالأمس|البارحة)(?!\w)")
_AR_TODAY = re.compile(r"(?<!\w)اليوم(?!\w)")
_AR_TOMORROW = re.compile(r"(?<!\w)(?:غدا|غداً|غدًا)(?!\w)")
# Words around a date that dateparser does not know: "في" (in, on).
_AR_FILLER = re.compile(r"^(?:في|خلال)\s+")


def _resolve_arabic(text: str, published: dt.date | None, direction: Direction) -> str | _NotRelative | None:
    """Arabic day names and the days next to publication; NOT_RELATIVE for anything else."""
    if m := _AR_WEEKDAY.search(text):
        if published is None:
            return None
        weekday = AR_WEEKDAYS[m.group(1)]
        if re.match(r"(?:في\s+)?اليوم\s", m.group(0)):
            # "اليوم الأحد" (today, Sunday): the day of that name nearest to publication, either way
            # (a dateline a day off the article's own clock).
            ahead = (weekday - published.weekday()) % 7
            return _day(published + dt.timedelta(days=ahead if ahead <= 3 else ahead - 7))
        qualifier = _AR_QUALIFIER.get(m.group(2) or "")
        return _day(_weekday(published, weekday, qualifier, direction))
    if _AR_DAY_BEFORE_YESTERDAY.search(text):
        return _day(published - dt.timedelta(days=2)) if published else None
    if _AR_YESTERDAY.search(text):
        return _day(published - dt.timedelta(days=1)) if published else None
    if _AR_TOMORROW.search(text):
        return _day(published + dt.timedelta(days=1)) if published else None
    if _AR_TODAY.search(text):
        return _day(published) if published else None
    return NOT_RELATIVE


def _resolve_in_language(
    text: str, published: dt.date | None, direction: Direction, language: str
) -> str | None:
    """A date for words in ``language`` (not English), or None."""
    text = text.translate(_DIGITS)
    if m := _ISO.search(text):
        d = _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        return _day(d) if d else None
    if language == "ar":
        text = _AR_FILLER.sub("", text)
        found = _resolve_arabic(text, published, direction)
        if not isinstance(found, _NotRelative):
            return found
    anchor = published
    if anchor is None:
        # Without a publication date only words that carry their own year can be placed.
        year = _YEAR.search(text)
        if year is None:
            return None
        anchor = dt.date(int(year.group(1)), 1, 1)
    try:
        date = _dateparser_fallback(text, anchor, direction, language)
    except (OverflowError, ValueError):
        # ValueError too for a language dateparser does not know.
        return None
    return date if date is not None and _in_calendar(date) else None


# Date expressions as news copy writes them, for finding the words in a sentence when the model's
# own words are not in the article.
_EXPRESSION = re.compile(
    rf"\b(?:(?:on|last|this|next|past|coming)\s+)?(?:{_WEEKDAY_RE})\b"
    rf"|\b(?:early|mid|late|in)?-?\s*(?:{_MONTH_RE})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?\b"
    r"|\b(?:the day before )?yesterday\b|\btoday\b|\btomorrow\b"
    r"|\b(?:\d+|one|two|three|four|five|six|seven|a|an)\s+(?:day|week|month|year)s?\s+ago\b"
    r"|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)

_AR_EXPRESSION = re.compile(
    rf"{_AR_WEEKDAY.pattern}"
    r"|(?<!\w)(?:أول\s+(?:أمس|امس)|(?:أمس|امس)\s+الأول)(?!\w)"
    r"|(?<!\w)(?:(?:صباح|مساء|ليل|ليلة|ظهر)\s+)?(?:أمس|امس|الأمس|بالأمس|البارحة|اليوم|غدا|غداً|غدًا)(?!\w)"
)


def date_expressions(sentence: str, language: str | None = "en") -> list[str]:
    """The date expressions a sentence contains, in order ("two days ago", "late January", ...).

    A dateline glued to the first sentence ("date 2024-09-18 Shafaq News/ ...") is the publication
    date, not an event's, and is skipped. In an Arabic article (``language="ar"``) Arabic day names
    and "yesterday"/"today"/"tomorrow" are found too ("يوم الأربعاء", "اليوم الأحد", "أمس").
    """
    sentence = _DATE_PREFIX.sub("", sentence)
    matches = [(m.start(), m.group(0).strip()) for m in _EXPRESSION.finditer(sentence)]
    if language == "ar":
        matches = sorted(
            matches + [(m.start(), m.group(0).strip()) for m in _AR_EXPRESSION.finditer(sentence)]
        )
    found = [f for _, f in matches]
    # "may" is also a verb: only keep it with a day or a year, or after "in"/"early"/"late".
    return [f for f in found if f.lower() != "may" and not re.fullmatch(r"(?i)may(?:,)?", f)]


_DATE_LINE = re.compile(
    r"^\s*(?:date|published|updated|posted)\s*:?\s*(.{4,40}?)\s*$", re.IGNORECASE | re.MULTILINE
)


def find_publication_date(text: str) -> dt.date | None:
    """The publication date the article carries itself, if any.

    Seen in the wild: a "date 2024-09-18" prefix before the body, an "Updated: May 15, 2025, 12:00
    PM" line at the end. An "Updated" date can be later than first publication; it is still the best
    anchor the text offers, and relative words in an updated article are written relative to it.
    """
    if m := _DATE_PREFIX.search(text):
        d = _parse_absolute(m.group(1))
        if d:
            return d
    for m in _DATE_LINE.finditer(text):
        d = _parse_absolute(m.group(1))
        if d:
            return d
    return None


def _parse_absolute(words: str) -> dt.date | None:
    when = resolve(words.split(",  ")[0], None)
    if when is not None and when.precision == "day" and when.date is not None:
        return dt.date.fromisoformat(when.date)
    return None


def parse_published(value: str | dt.date | None) -> dt.date | None:
    """A caller-supplied publication date: a date, ISO text, or words like "May 15, 2025"."""
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        return None
    d = _parse_absolute(text)
    if d is None:
        raise ValueError(f"published: {value!r} is not a day date (expected YYYY-MM-DD)")
    return d
