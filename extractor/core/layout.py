"""The lines of an article that are not prose: headlines and bylines.

A headline capitalizes its words ("Syrian President Holds High-Level Talks with ..."), so a small
model reads "Holds High-Level Talks" as a person; a byline is a line holding nothing but its
author's name ("Sinan Mahmoud"), who is not an actor of the story (evals/GUIDE.md). Code tells both
from the body by their shape.
"""

from __future__ import annotations

import functools
import re

_WORD = re.compile(r"[^\W\d_][\w’'\-]*")
_STOP = (".", "!", "?", "”", '"', "؟", "。")


def line_at(text: str, offset: int) -> str:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start : end if end >= 0 else len(text)]


def is_headline(line: str) -> bool:
    """Title case and no closing stop: most words of four letters or more are capitalized."""
    stripped = line.strip()
    if not stripped or stripped.endswith(_STOP):
        return False
    long_words = [w for w in _WORD.findall(stripped) if len(w) >= 4]
    if len(long_words) < 3:
        return False
    capitalized = sum(1 for w in long_words if w[:1].isupper())
    return capitalized >= 0.8 * len(long_words)


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def is_name_line(line: str, name: str) -> bool:
    """A line that is only the name, perhaps after "By" (a byline or a signature)."""
    bare = re.sub(r"^(?:by|written by)\s+", "", line.strip(), flags=re.IGNORECASE).strip(" .,-–—|")
    return _fold(bare) == _fold(name)


# Every actor's names are checked against the same article many times over.
@functools.lru_cache(maxsize=4096)
def _occurrences(article: str, name: str) -> tuple[int, ...]:
    return tuple(m.start() for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", article))


def only_in_byline(article: str, names: list[str]) -> bool:
    """Every mention of every name is a line of its own: the author, not someone in the story."""
    spots = [(n, at) for n in names for at in _occurrences(article, n)]
    return bool(spots) and all(is_name_line(line_at(article, at), n) for n, at in spots)


@functools.lru_cache(maxsize=4096)
def headline_words(article: str, name: str) -> bool:
    """Capitalized headline words taken for a name: every mention is in a headline and some word of
    it is written in lower case elsewhere in the article ("Holds High-Level Talks", "Lavrov Begins
    Official"); a real name ("Nawaf Salam") is never a common word of its own article."""
    spots = _occurrences(article, name)
    if not spots or not all(is_headline(line_at(article, at)) for at in spots):
        return False
    words = [w for w in _WORD.findall(name) if len(w) >= 3]
    return any(re.search(rf"(?<![\w-]){re.escape(w.lower())}(?![\w-])", article) for w in words)
