"""Places as an article names them.

A small model (and a trip regex) often takes the adjective for the place: "arrived in the Indian
capital of New Delhi" gives "Indian", "head to the Omani capital, Muscat" gives "Omani". The
article itself says which place is meant: the capital it names with the adjective, else the country
whose name the adjective grows from ("Iraqi" from "Iraq").
"""

from __future__ import annotations

import re

_NAME = r"[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)?"
_DEMONYM = re.compile(r"[A-Z][a-z]+(?:ian|an|ese|i|ish)")


def _capital_named(demonym: str, text: str) -> str | None:
    m = re.search(rf"\b{re.escape(demonym)}\s+capital(?:\s+city)?(?:\s*,|\s+of)?\s+({_NAME})", text)
    return m.group(1) if m else None


def _country_named(demonym: str, text: str) -> str | None:
    # "Iraq" for "Iraqi", "India" for "Indian", "Lebanon" for "Lebanese": a shorter capitalized word
    # of the article sharing the adjective's stem.
    candidates = {
        w
        for w in re.findall(r"\b[A-Z][a-z]{3,}\b", text)
        if w != demonym
        and len(w) < len(demonym)
        and (demonym.startswith(w) or (len(w) >= 6 and demonym[:5] == w[:5]))
    }
    return max(candidates, key=len) if candidates else None


def place_named(name: str, text: str) -> str:
    """The place ``name`` stands for in ``text``: itself, unless it is an adjective of nationality
    that the article turns into a capital or a country."""
    bare = name.strip()
    if not _DEMONYM.fullmatch(bare):
        return bare
    return _capital_named(bare, text) or _country_named(bare, text) or bare
