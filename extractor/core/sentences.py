"""Sentence spans with exact character offsets; the model cites them by number."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Tokens ending in a period that do not end a sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "gen",
        "brig",
        "col",
        "lt",
        "maj",
        "sgt",
        "capt",
        "st",
        "jr",
        "sr",
        "vs",
        "etc",
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "u.s",
        "u.n",
        "u.k",
        "e.g",
        "i.e",
    ]
)
# A single line break ends a sentence (headlines, captions, one-line paragraphs) unless the next line
# continues it in lower case: a sentence some outlets hard-wrap over several lines.
# Some stored copies run sentences together ("...the agency reported.President al-Assad affirmed"): a
# full stop between a lower-case letter and a capital ends a sentence too.
# The Arabic question mark "؟" ends a sentence like "?"; the Arabic semicolon "؛" does not (like ";", it
# joins clauses: '... حيدر العبادي" ؛ دون مزيد من التفاصيل' goes on "without further details").
# Chinese and Japanese full stops and marks end a sentence with no space after them.
_BOUNDARY = re.compile(
    r"[.!?…؟]+[\"'”’)\]]*(?=\s)|(?<=[a-z)])[.!?][\"”’]?(?=[A-Z])|\n\s*\n|\n(?![ \t]*[a-z])"
    r"|[。！？]+[」』”’）)\]]*"
)
# "a.m."/"p.m." end a sentence only when a new one starts after them: not before a day, a month, a
# time zone or "local time" ("He left at 5 p.m. Friday.", "at 9 a.m. GMT on Monday").
_CLOCK = re.compile(r"(?i)\b[ap]\.m$")
_CLOCK_GOES_ON = re.compile(
    r"\s+(?:[a-z0-9(]|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept"
    r"|Oct|Nov|Dec)[a-z]*\b|(?:GMT|UTC|[ECMP][SD]?T|AEST|IST|local)\b)"
)


@dataclass(frozen=True)
class Sentence:
    number: int  # 1-based, as shown to the model
    start: int
    end: int
    text: str


def _ends_in_abbreviation(text: str, stop: int) -> bool:
    match = re.search(r"([A-Za-z.]+)\.$", text[max(0, stop - 12) : stop + 1])
    if not match:
        return False
    word = match.group(1).lower().strip(".")
    if _CLOCK.search(match.group(1)):
        return bool(_CLOCK_GOES_ON.match(text, stop + 1))
    # Single capital initials ("J. Smith") do not end sentences either.
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str, *, dedupe: bool = True) -> list[Sentence]:
    """Split into trimmed, non-empty sentences; ``text[s.start:s.end] == s.text`` for each.

    With ``dedupe``, a sentence repeated verbatim (photo captions scraped four times) is kept only at
    its first occurrence: the model reads it once and evidence points at the first copy.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if match.group(0)[0] == "." and _ends_in_abbreviation(text, match.start()):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    sentences: list[Sentence] = []
    seen: set[str] = set()
    for s, e in spans:
        chunk = text[s:e]
        stripped_left = len(chunk) - len(chunk.lstrip())
        stripped_right = len(chunk) - len(chunk.rstrip())
        s2, e2 = s + stripped_left, e - stripped_right
        if e2 > s2 and re.search(r"\w", text[s2:e2]):
            if dedupe and text[s2:e2] in seen:
                continue
            seen.add(text[s2:e2])
            sentences.append(Sentence(number=len(sentences) + 1, start=s2, end=e2, text=text[s2:e2]))
    return sentences


def numbered(sentences: list[Sentence]) -> str:
    """The article as the model sees it: one numbered sentence per line."""
    return "\n".join(f"[{s.number}] {s.text}" for s in sentences)
