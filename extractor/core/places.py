"""Places as an article names them.

A small model (and a trip regex) often takes the adjective for the place: "arrived in the Indian
capital of New Delhi" gives "Indian", "head to the Omani capital, Muscat" gives "Omani". The
article itself says which place is meant: the capital it names with the adjective, else the country
whose name the adjective grows from ("Iraqi" from "Iraq").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

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
    named = state_of_adjective(bare)
    return (
        _capital_named(bare, text)
        or (named if named and named in text else None)
        or _country_named(bare, text)
        or bare
    )


# --- states: their capitals and adjectives (countryinfo's table of every state) ---------------------


@dataclass(frozen=True)
class _States:
    by_capital: dict[str, str]
    by_demonym: dict[str, str]
    names: frozenset[str]


@functools.cache
def _states() -> _States:
    import countryinfo

    by_capital: dict[str, str] = {}
    by_demonym: dict[str, str] = {}
    names: set[str] = set()
    for country in countryinfo.all_countries():
        info = country.info()
        name = info.get("name")
        if not isinstance(name, str):
            continue
        names.add(name)
        capital = info.get("capital")
        if isinstance(capital, str) and capital:
            # "Washington D.C." is written "Washington".
            for spelling in {capital, capital.removesuffix(" D.C.")}:
                by_capital.setdefault(spelling, name)
        demonym = info.get("demonym")
        if isinstance(demonym, str) and demonym:
            by_demonym.setdefault(demonym, name)
    return _States(by_capital, by_demonym, frozenset(names))


def state_of_capital(name: str) -> str | None:
    """The state a capital names when it stands for its government ("Tehran has accused ...")."""
    return _states().by_capital.get(name.strip())


def state_of_adjective(word: str) -> str | None:
    """The state an adjective of nationality names ("Turkish" -> "Turkey", "Iraqi" -> "Iraq")."""
    return _states().by_demonym.get(word.strip())
