"""Overlapping, sentence-aligned windows for an article longer than the model's context.

The model cites sentences by their number in the whole article, so a window is a run of the
article's own sentences (numbers unchanged): evidence offsets stay offsets into the whole text, and
the drafts of all windows assemble as one. Consecutive windows share a few sentences, so an event
told across a window's edge is read whole by one of them.

Token counts are estimated, not asked of a server, so the same article and settings always give the
same windows (and the same recorded requests): UTF-8 bytes / 3 is above what the Qwen tokenizer
counts for English (about 4 characters a token) and Arabic (about 2.5 characters, 5 bytes, a token).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from extractor.core.sentences import Sentence

OVERLAP_SENTENCES = 2


def estimate_tokens(text: str) -> int:
    return math.ceil(len(text.encode("utf-8")) / 3)


def sentence_tokens(sentence: Sentence) -> int:
    # "[12] " and the line break the numbered listing adds to each sentence.
    return estimate_tokens(sentence.text) + 4


def plan_windows(
    sentences: list[Sentence],
    budget: int,
    *,
    overlap: int = OVERLAP_SENTENCES,
    cost: Callable[[Sentence], int] = sentence_tokens,
) -> list[list[Sentence]]:
    """Runs of ``sentences`` whose estimated cost fits ``budget`` tokens, each starting ``overlap``
    sentences before the previous one ended. One window when the article fits; a sentence longer
    than the budget is a window of its own (the server then says whether it fits)."""
    if budget <= 0:
        raise ValueError("the window budget must be positive")
    windows: list[list[Sentence]] = []
    start = 0
    while start < len(sentences):
        end, used = start, 0
        while end < len(sentences) and (end == start or used + cost(sentences[end]) <= budget):
            used += cost(sentences[end])
            end += 1
        windows.append(sentences[start:end])
        if end >= len(sentences):
            break
        # Overlap, but always move forward by at least one sentence.
        start = max(end - overlap, start + 1)
    return windows
