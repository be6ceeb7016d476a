"""Evidence offsets, computed and verified by code; nothing the model says about positions is trusted.

Every Evidence this module returns satisfies ``article[start:end] == text``. Text that cannot be
found exactly is aligned fuzzily onto the article and the article's own characters are returned;
text that cannot be aligned at all yields None and the caller drops it with a warning.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from rapidfuzz import fuzz

from extractor.core.contract import Evidence
from extractor.core.names import name_tokens
from extractor.core.sentences import Sentence

FUZZY_MIN_SCORE = 90.0
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "`": "'", "–": "-", "—": "-"})


def evidence_at(article: str, start: int, end: int) -> Evidence:
    if not 0 <= start < end <= len(article):
        raise ValueError(f"span [{start}:{end}] outside the article")
    return Evidence(text=article[start:end], start=start, end=end)


@functools.lru_cache(maxsize=256)
def _normalized_with_map(text: str) -> tuple[str, tuple[int, ...]]:
    """Lower-cased text with quotes unified and whitespace runs collapsed, plus, for each character
    of the result, its index in ``text`` so a match maps back to original offsets."""
    out: list[str] = []
    index: list[int] = []
    previous_space = False
    for i, ch in enumerate(text.translate(_QUOTES)):
        if ch.isspace():
            if previous_space:
                continue
            previous_space = True
            out.append(" ")
        else:
            previous_space = False
            out.append(ch.lower())
        index.append(i)
    return "".join(out), tuple(index)


def locate(article: str, snippet: str, *, fuzzy: bool = True) -> Evidence | None:
    """Where ``snippet`` stands in the article: exact, then normalized, then fuzzy alignment."""
    snippet = snippet.strip().strip("\"'“”‘’").strip()
    if not snippet:
        return None
    at = article.find(snippet)
    if at >= 0:
        return evidence_at(article, at, at + len(snippet))
    norm_article, index = _normalized_with_map(article)
    norm_snippet, _ = _normalized_with_map(snippet)
    at = norm_article.find(norm_snippet)
    if at >= 0:
        return evidence_at(article, index[at], index[at + len(norm_snippet) - 1] + 1)
    if not fuzzy or len(norm_snippet) < 12:
        return None
    alignment = fuzz.partial_ratio_alignment(norm_snippet, norm_article, score_cutoff=FUZZY_MIN_SCORE)
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return None
    start = index[alignment.dest_start]
    end = index[alignment.dest_end - 1] + 1
    # Widen to word boundaries so a fuzzy match never cuts a word in half.
    while start > 0 and article[start - 1].isalnum():
        start -= 1
    while end < len(article) and article[end].isalnum():
        end += 1
    return evidence_at(article, start, end)


def sentence_evidence(sentence: Sentence) -> Evidence:
    return Evidence(text=sentence.text, start=sentence.start, end=sentence.end)


def mentions(text: str, names: Iterable[str]) -> bool:
    """Whether ``text`` mentions any of ``names`` (by full name, or by a distinctive name token)."""
    folded = text.lower().replace("’", "'")
    folded_tokens = set(name_tokens(text))
    for name in names:
        name = name.strip()
        if not name:
            continue
        if name.lower() in folded:
            return True
        tokens = [t for t in name_tokens(name) if len(t) >= 4]
        # A surname alone is enough ("Qaani arrived..."), a given name alone is not.
        if tokens and tokens[-1] in folded_tokens:
            return True
    return False


def cited_sentences(
    numbers: Iterable[int], sentences: list[Sentence], *, must_mention: Iterable[str] = ()
) -> tuple[list[Sentence], list[int]]:
    """The cited sentences that exist (and mention one of ``must_mention``, when given), and the
    numbers that were rejected."""
    by_number = {s.number: s for s in sentences}
    names = [n for n in must_mention if n]
    kept: list[Sentence] = []
    rejected: list[int] = []
    for n in dict.fromkeys(numbers):
        s = by_number.get(n)
        if s is None or (names and not mentions(s.text, names)):
            rejected.append(n)
        elif s not in kept:
            kept.append(s)
    return kept, rejected


def sentences_mentioning(
    sentences: list[Sentence], names: Iterable[str], *, limit: int = 1
) -> list[Sentence]:
    names = [n for n in names if n]
    found = [s for s in sentences if mentions(s.text, names)]
    return found[:limit]


def containing_sentence(sentences: list[Sentence], evidence: Evidence) -> Sentence | None:
    for s in sentences:
        if s.start <= evidence.start and evidence.end <= s.end:
            return s
    return None


def words_in_article(article: str, words: str) -> bool:
    """Whether words the model copied really appear in the article (case and spacing aside)."""
    norm_article, _ = _normalized_with_map(article)
    norm_words, _ = _normalized_with_map(words.strip())
    return bool(norm_words) and re.sub(r"^(on|in|at) ", "", norm_words) in norm_article


_QUOTED = re.compile(r"[\"“]\s*([^\"“”]+?)\s*[\"”]")
MIN_QUOTE_WORDS = 4


def quoted_span(article: str, sentence: Sentence) -> Evidence | None:
    """The first quotation of at least ``MIN_QUOTE_WORDS`` words inside ``sentence``, without its marks.

    Shorter quoted bits are names or scare quotes ("the so-called 'axis'"), not someone's words.
    """
    for m in _QUOTED.finditer(sentence.text):
        if len(m.group(1).split()) >= MIN_QUOTE_WORDS:
            return evidence_at(article, sentence.start + m.start(1), sentence.start + m.end(1))
    return None
