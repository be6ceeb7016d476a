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

from rapidfuzz import fuzz

from extractor.core.contract import Place
from extractor.core.names import fold, same_person

_NAME = r"[A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)?"
_DEMONYM = re.compile(r"[A-Z][a-z]+(?:ian|an|ese|i|ish)")


# Words that do not tell two places apart: "the city of Baghdad", "the Iraqi capital, Baghdad".
_PLACE_NOISE = frozenset(
    {"the", "city", "of", "capital", "iraqi", "iranian", "syrian", "province", "governorate"}
)


def _place_tokens(name: str) -> set[str]:
    return {t for t in fold(name).replace("-", " ").split() if t not in _PLACE_NOISE}


def place_similarity(a: Place | None, b: Place | None) -> float:
    """1.0 same name; 0.8 when one name's tokens contain the other's ("Baghdad" / "Baghdad, Iraq");
    a fuzzy ratio for spelling variants; 0.5 when one names the other's country ("Iraq" / Baghdad, Iraq).
    """
    if a is None or b is None:
        return 0.0
    ta, tb = _place_tokens(a.name), _place_tokens(b.name)
    if not ta or not tb:
        return 0.0
    if ta == tb:
        return 1.0
    if ta <= tb or tb <= ta:
        return 0.8
    ratio = fuzz.token_sort_ratio(" ".join(sorted(ta)), " ".join(sorted(tb))) / 100
    if ratio >= 0.9:
        return ratio * 0.9
    for x, y in ((a, b), (b, a)):
        if y.country and _place_tokens(y.country) and _place_tokens(x.name) == _place_tokens(y.country):
            return 0.5
    return 0.0


def same_place(a: str, b: str) -> bool:
    """Whether two names written for places in one article name one place ("Baghdad", "the Iraqi
    capital Baghdad"; "Mar-a-Lago", "Trump's Mar-a-Lago resort"): the test assembly uses to merge
    visits and to tie a meeting to a visit."""
    fa, fb = fold(a), fold(b)
    return fa == fb or fa in fb or fb in fa or same_person(a, b)


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


def state_named_in(text: str) -> str | None:
    """The first state a phrase names, by name or adjective ("Syria's transitional president",
    "Lebanese Prime Minister"): whose office it is."""
    states = _states()
    for word in re.findall(r"[A-Z][\w’'\-]*(?:\s+[A-Z][\w’'\-]*)?", text):
        for candidate in (word, word.split()[0]):
            bare = re.sub(r"(?:’s|'s)$", "", candidate)
            if bare in states.names:
                return bare
            if (state := states.by_demonym.get(bare)) is not None:
                return state
    return None


def state_of_place(name: str) -> str | None:
    """The state a destination is, or whose capital it is ("Damascus" -> "Syria", "Iran" -> "Iran")."""
    bare = name.strip()
    return bare if bare in _states().names else state_of_capital(bare)
