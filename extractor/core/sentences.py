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
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)|(?<=[a-z)])[.!?][\"”’]?(?=[A-Z])|\n\s*\n|\n(?![ \t]*[a-z])")


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
