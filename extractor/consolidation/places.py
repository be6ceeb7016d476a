"""Place normalization: "Baghdad", "the Iraqi capital, Baghdad" and "Iraq" as comparable keys.

The rule (documented in docs/consolidation.md):

- A place is reduced to a key ``(country, locality)``. Known cities come from a small gazetteer of
  the capitals and large cities news about the region names; "the Iraqi capital" resolves to
  Baghdad through the country's capital. A place that is only a country ("Iraq", "the United
  States") has no locality. Anything else keeps its folded name as locality ("northern Iraq",
  "Kermanshah province"), with the country taken from ``Place.country`` or a country word in it.
- Two keys are compatible when their localities are equal (and countries do not contradict), or
  when one of them is country-level and both name the same country: a trip "to Iraq" and a trip
  "to Baghdad" can be one trip; trips to Baghdad and to Erbil cannot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from extractor.core.contract import Place
from extractor.core.names import fold

# Country display name -> the folded names and demonyms that mean it.
_COUNTRIES: dict[str, tuple[str, ...]] = {
    "Iraq": ("iraq", "iraqi", "republic of iraq"),
    "Iran": ("iran", "iranian", "islamic republic of iran"),
    "Syria": ("syria", "syrian"),
    "Lebanon": ("lebanon", "lebanese"),
    "Jordan": ("jordan", "jordanian"),
    "Saudi Arabia": ("saudi arabia", "saudi", "kingdom of saudi arabia"),
    "Kuwait": ("kuwait", "kuwaiti"),
    "Qatar": ("qatar", "qatari"),
    "Bahrain": ("bahrain", "bahraini"),
    "United Arab Emirates": ("united arab emirates", "uae", "emirati"),
    "Oman": ("oman", "omani"),
    "Yemen": ("yemen", "yemeni"),
    "Egypt": ("egypt", "egyptian"),
    "Turkey": ("turkey", "turkiye", "turkish"),
    "Israel": ("israel", "israeli"),
    "Palestine": ("palestine", "palestinian territories"),
    "Russia": ("russia", "russian", "russian federation"),
    "China": ("china", "chinese"),
    "United States": ("united states", "united states of america", "us", "u s", "usa", "america", "american"),
    "United Kingdom": ("united kingdom", "uk", "britain", "great britain", "british"),
    "France": ("france", "french"),
    "Afghanistan": ("afghanistan", "afghan"),
    "Pakistan": ("pakistan", "pakistani"),
    "Azerbaijan": ("azerbaijan", "azerbaijani"),
    "Armenia": ("armenia", "armenian"),
}

# Demonyms name a country inside a longer place ("the Iraqi capital") but are not places themselves.
_DEMONYMS = frozenset(
    [
        "iraqi",
        "iranian",
        "syrian",
        "lebanese",
        "jordanian",
        "saudi",
        "kuwaiti",
        "qatari",
        "bahraini",
        "emirati",
        "omani",
        "yemeni",
        "egyptian",
        "turkish",
        "israeli",
        "russian",
        "chinese",
        "american",
        "british",
        "french",
        "afghan",
        "pakistani",
        "azerbaijani",
        "armenian",
    ]
)

# City display name -> (country, other folded spellings).
_CITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "Baghdad": ("Iraq", ()),
    "Basra": ("Iraq", ("basrah",)),
    "Erbil": ("Iraq", ("arbil", "hewler")),
    "Sulaymaniyah": ("Iraq", ("sulaimaniyah", "sulaymaniya", "slemani")),
    "Najaf": ("Iraq", ()),
    "Karbala": ("Iraq", ("kerbala",)),
    "Mosul": ("Iraq", ()),
    "Kirkuk": ("Iraq", ()),
    "Tehran": ("Iran", ("teheran",)),
    "Mashhad": ("Iran", ("mashad",)),
    "Qom": ("Iran", ("qum",)),
    "Isfahan": ("Iran", ("esfahan",)),
    "Tabriz": ("Iran", ()),
    "Damascus": ("Syria", ()),
    "Aleppo": ("Syria", ()),
    "Beirut": ("Lebanon", ()),
    "Amman": ("Jordan", ()),
    "Riyadh": ("Saudi Arabia", ()),
    "Jeddah": ("Saudi Arabia", ("jidda", "jiddah")),
    "Kuwait City": ("Kuwait", ()),
    "Doha": ("Qatar", ()),
    "Manama": ("Bahrain", ()),
    "Abu Dhabi": ("United Arab Emirates", ()),
    "Dubai": ("United Arab Emirates", ()),
    "Muscat": ("Oman", ()),
    "Sanaa": ("Yemen", ("sana'a", "sana a")),
    "Cairo": ("Egypt", ()),
    "Ankara": ("Turkey", ()),
    "Istanbul": ("Turkey", ()),
    "Jerusalem": ("Israel", ()),
    "Tel Aviv": ("Israel", ()),
    "Moscow": ("Russia", ()),
    "Beijing": ("China", ()),
    "Washington": ("United States", ("washington dc", "washington d c")),
    "New York": ("United States", ("new york city",)),
    "London": ("United Kingdom", ()),
    "Paris": ("France", ()),
    "Kabul": ("Afghanistan", ()),
    "Islamabad": ("Pakistan", ()),
    "Baku": ("Azerbaijan", ()),
    "Yerevan": ("Armenia", ()),
}

_CAPITALS: dict[str, str] = {
    "Iraq": "Baghdad",
    "Iran": "Tehran",
    "Syria": "Damascus",
    "Lebanon": "Beirut",
    "Jordan": "Amman",
    "Saudi Arabia": "Riyadh",
    "Kuwait": "Kuwait City",
    "Qatar": "Doha",
    "Bahrain": "Manama",
    "United Arab Emirates": "Abu Dhabi",
    "Oman": "Muscat",
    "Yemen": "Sanaa",
    "Egypt": "Cairo",
    "Turkey": "Ankara",
    "Russia": "Moscow",
    "China": "Beijing",
    "United States": "Washington",
    "United Kingdom": "London",
    "France": "Paris",
    "Afghanistan": "Kabul",
    "Pakistan": "Islamabad",
    "Azerbaijan": "Baku",
    "Armenia": "Yerevan",
}

_COUNTRY_BY_NAME = {alias: country for country, aliases in _COUNTRIES.items() for alias in aliases}
_CITY_BY_NAME = {
    alias: city for city, (_country, aliases) in _CITIES.items() for alias in (city.lower(), *aliases)
}


def _alias_pattern(aliases: Iterable[str]) -> re.Pattern[str]:
    # Longest first so "kuwait city" wins over "kuwait".
    alternatives = sorted(aliases, key=lambda a: (-len(a), a))
    return re.compile(r"\b(" + "|".join(re.escape(a) for a in alternatives) + r")\b")


_CITY_PATTERN = _alias_pattern(_CITY_BY_NAME)
_COUNTRY_PATTERN = _alias_pattern(_COUNTRY_BY_NAME)
_LEADING_FILLER = re.compile(r"^(?:the|city of|town of)\s+")


@dataclass(frozen=True, order=True)
class PlaceKey:
    """A comparison key for a place; ``display`` is what a reader sees and is not compared."""

    country: str | None
    locality: str | None
    display: str = field(default="", compare=False)

    @property
    def is_country_level(self) -> bool:
        return self.locality is None

    def to_place(self) -> Place:
        if self.locality is None:
            return Place(name=self.country or self.display, country=self.country)
        return Place(name=self.display, country=self.country)


def _clean(text: str) -> str:
    text = fold(text).replace("-", " ")
    previous = None
    while previous != text:
        previous = text
        text = _LEADING_FILLER.sub("", text).strip(" ,.'")
    return re.sub(r"\s+", " ", text)


def _country_in(text: str) -> str | None:
    match = _COUNTRY_PATTERN.search(text)
    return _COUNTRY_BY_NAME[match.group(1)] if match else None


def place_key(place: Place) -> PlaceKey:
    """Reduce a reported place to its comparison key (see the module docstring for the rule)."""
    text = _clean(place.name)
    stated_country = _COUNTRY_BY_NAME.get(_clean(place.country)) if place.country else None

    city_match = _CITY_PATTERN.search(text)
    if city_match:
        city = _CITY_BY_NAME[city_match.group(1)]
        # The gazetteer outranks a stated country: "Baghdad, Iran" is a slip, not a second Baghdad.
        return PlaceKey(_CITIES[city][0], city.lower(), city)
    country_word = _country_in(text)
    if country_word is not None and re.search(r"\bcapital\b", text) and country_word in _CAPITALS:
        city = _CAPITALS[country_word]
        return PlaceKey(country_word, city.lower(), city)
    if text in _COUNTRY_BY_NAME and text not in _DEMONYMS:
        country = _COUNTRY_BY_NAME[text]
        return PlaceKey(country, None, country)
    return PlaceKey(stated_country or country_word, text or None, place.name.strip())


def places_compatible(a: PlaceKey | None, b: PlaceKey | None) -> bool:
    """Whether two places can be where one event happened; an unknown place matches anything."""
    if a is None or b is None:
        return True
    if a.locality is not None and b.locality is not None:
        return a.locality == b.locality and (a.country is None or b.country is None or a.country == b.country)
    return a.country is not None and a.country == b.country


def most_specific(keys: Iterable[PlaceKey | None]) -> PlaceKey | None:
    """The most specific of mutually compatible places: a locality over its country.

    Ties go to the locality with a known country, then to the first given, so the display name is
    the one the earliest supporting mention used.
    """
    best: PlaceKey | None = None
    for key in keys:
        if key is None:
            continue
        if best is None or _specificity(key) > _specificity(best):
            best = key
    return best


def _specificity(key: PlaceKey) -> int:
    return (2 if key.locality is not None else 0) + (1 if key.country is not None else 0)
