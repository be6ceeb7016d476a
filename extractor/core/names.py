"""Person and organization names: normalization and same-entity tests.

Used in three places that must agree: merging actors within one article, aligning predicted actors
with gold in the scorer, and merging actors across articles in consolidation.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz.distance import JaroWinkler

from extractor.core.layout import headline_words

# Honorifics and titles that news copy puts before a name; they never distinguish two people.
TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sir",
        "sayyed",
        "sayyid",
        "sayed",
        "seyed",
        "sheikh",
        "shaikh",
        "sheik",
        "general",
        "gen",
        "brig",
        "brigadier",
        "commander",
        "cmdr",
        "president",
        "prime",
        "minister",
        "pm",
        "ayatollah",
        "grand",
        "imam",
        "hajj",
        "haji",
        "lt",
        "colonel",
        "col",
        "major",
        "maj",
        "speaker",
        "secretary-general",
        "chief",
        "leader",
        "head",
    ]
)

# Arabic/Persian article particles: "al-Sudani" and "Sudani" are the same surname.
_PARTICLE = re.compile(r"^(?:al|el|ad|ar|as|at|az|an|ash|ul)[-\s]+", re.IGNORECASE)

_PARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an"})

# Transliteration variants folded onto one canonical spelling, token by token. Each entry is a
# regex over a lower-cased, accent-free token; the order matters only within a token.
_VARIANTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"^(?:es|is)ma(?:e|i|')?[ie]?l$", "ismail"),  # Esmail, Ismail, Ismael, Esmaeil, Isma'il
        (r"^m[ou]ham+[ae]d$", "muhammad"),  # Mohammed, Mohamed, Muhammad, Mohammad
        (r"^q(?:a|aa)an[iy]$", "qaani"),  # Qaani, Qaany, Qani
        (r"^ghaani$|^ghani$", "qaani"),
        (r"^qass?[ei]m$|^qasim$", "qasim"),  # Qassem, Qasim, Qasem
        (r"^hussa?[ei]n$|^hosse?in$", "husayn"),
        (r"^ahm[ae]d$", "ahmad"),
        (r"^shia'?$", "shia"),
        (r"^sharaa?$", "sharaa"),
        (r"^a(?:ra)?ji$", "araji"),
    )
)


def fold(text: str) -> str:
    """Lower-case, strip accents and typographic quotes; keep letters, digits, spaces, hyphens."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'").lower()
    text = re.sub(r"[^\w\s'-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _canonical_token(token: str) -> str:
    token = _PARTICLE.sub("", token)
    # A possessive is the name itself: "Araghchi's visit" mentions Araghchi.
    token = re.sub(r"'s$", "", token)
    token = token.strip("'-")
    token = token.replace("'", "")
    for pattern, repl in _VARIANTS:
        if pattern.match(token):
            return repl
    return token


def name_tokens(name: str) -> list[str]:
    """Canonical tokens, titles and particles dropped: "General Ismael al-Qaani" -> [ismail, qaani]."""
    return list(_name_tokens(name))


# Assembly and grounding ask for the same names (and whole articles) thousands of times per article.
@functools.lru_cache(maxsize=8192)
def _name_tokens(name: str) -> tuple[str, ...]:
    words = fold(name).replace("-", " - ").split()
    tokens: list[str] = []
    for word in words:
        if word == "-" or word in _PARTICLES:
            continue
        if word in TITLES or word in {"the", "of"}:
            continue
        canon = _canonical_token(word)
        if canon:
            tokens.append(canon)
    return tuple(tokens)


def normalize_name(name: str) -> str:
    """A comparison key: canonical tokens joined by spaces."""
    return " ".join(name_tokens(name))


def surname(name: str) -> str:
    tokens = name_tokens(name)
    return tokens[-1] if tokens else ""


def _token_match(a: str, b: str) -> bool:
    return a == b or (min(len(a), len(b)) >= 5 and JaroWinkler.similarity(a, b) >= 0.93)


def same_person(a: str, b: str) -> bool:
    """Whether two names written in one context plausibly name one person.

    True when the canonical token lists are equal, or when one is a sub-sequence of the other that
    keeps the surname (so "Qaani" matches "Esmail Qaani", but "Ali Khamenei" does not match
    "Ali al-Sistani"). Two full names with different given names never match, even with one surname.
    """
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    if len(ta) == len(tb):
        return all(_token_match(x, y) for x, y in zip(ta, tb, strict=True))
    short, long_ = (ta, tb) if len(ta) < len(tb) else (tb, ta)
    if short[0] in {"bin", "ibn"} and _contiguous_in(short, long_):
        return True  # "Bin Farhan" is Faisal bin Farhan Al-Saud: a patronymic names its bearer
    if len(short) >= 3 and all(_token_match(x, y) for x, y in zip(short, long_, strict=False)):
        return True  # "Luiz Inacio Lula" is Luiz Inacio Lula da Silva: three given names and more agree
    if not _token_match(short[-1], long_[-1]):
        return False
    # Every token of the shorter name must appear, in order, in the longer one.
    i = 0
    for token in long_:
        if i < len(short) and _token_match(short[i], token):
            i += 1
    return i == len(short)


def _contiguous_in(short: Sequence[str], long_: Sequence[str]) -> bool:
    n = len(short)
    return any(
        all(_token_match(x, y) for x, y in zip(short, long_[i : i + n], strict=True))
        for i in range(len(long_) - n + 1)
    )


def name_similarity(a: str, b: str) -> float:
    """0..1 similarity of two names after normalization; 1.0 for same_person matches."""
    if same_person(a, b):
        return 1.0
    na, nb = normalize_name(a), normalize_name(b)
    if not na or not nb:
        return 0.0
    return float(JaroWinkler.similarity(na, nb)) * 0.9


# Words of an office written before a name ("Iranian Foreign Minister Abbas Araghchi"). Royal titles
# stay in the name: "King Salman" and "Mohammed bin Salman" must not both become "Salman".
OFFICE_WORDS = frozenset(
    {
        *(t for t in TITLES if t not in {"head", "leader"}),
        "foreign",
        "defense",
        "defence",
        "interior",
        "finance",
        "national",
        "security",
        "adviser",
        "advisor",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "secretary",
        "state",
        "deputy",
        "vice",
        "former",
        "senior",
        "governor",
        "ambassador",
        "envoy",
        "chairman",
        "director",
        "transitional",
        "army",
        "chief",
        "top",
        "diplomat",
        "fm",
        "opposition",
        "parliament",
        "supreme",
        "new",
        "us",
        "u.s.",
    }
)


def _is_office_word(token: str) -> bool:
    low = token.lower().strip(".,")
    # Nationality adjectives: Iranian, Lebanese, Iraqi, Turkish, Saudi, Israeli.
    return low in OFFICE_WORDS or bool(re.fullmatch(r"[a-z]+(?:ian|ese|ish|i)", low) and token[:1].isupper())


def split_office(name: str) -> tuple[str | None, str]:
    """("Iranian Foreign Minister", "Abbas Araghchi") for "Iranian Foreign Minister Abbas Araghchi";
    (None, name) when the name has no office before it or nothing but an office."""
    tokens = name.split()
    last = max((i for i, t in enumerate(tokens) if t.lower().strip(".,") in OFFICE_WORDS), default=-1)
    if last < 0 or last == len(tokens) - 1:
        return None, name
    if not all(_is_office_word(t) or t[:1].isupper() for t in tokens[: last + 1]):
        return None, name
    rest = tokens[last + 1 :]
    if not all(
        t[:1].isupper() or t.lower() in {"al", "bin", "bint", "ibn", "de", "da", "van", "von"} for t in rest
    ):
        return None, name
    return " ".join(tokens[: last + 1]), " ".join(rest)


def is_office_only(name: str) -> bool:
    """A name that is all office and nationality ("Lebanese Prime Minister", "Syrian President")."""
    tokens = name.split()
    if len(tokens) < 2:
        return False
    if not any(t.lower().strip(".,") in OFFICE_WORDS for t in tokens):
        return False  # "Ali Khamenei": two words shaped like nationalities, and no office
    # "Lebanon PM", "Syrian President", "Lebanese Prime Minister".
    return all(_is_office_word(t) for t in tokens) or (
        len(tokens) <= 3 and tokens[-1].lower() in OFFICE_WORDS and all(t[:1].isupper() for t in tokens)
    )


_OFFICE_TITLE = (
    r"(?:Prime Minister|Foreign Minister|Foreign Secretary|Defen[cs]e Minister|Interior Minister|Minister|"
    r"President|Vice President|Secretary of State|Secretary|Speaker|Chancellor|King|Crown Prince|Emir|"
    r"Supreme Leader|Ambassador|Envoy|General|Commander|Chief of Staff|Spokes(?:man|woman|person)|Adviser|"
    r"Advisor|Governor|Senator|Congressman|Leader)"
)
# "Hungarian Prime Minister Viktor Orbán", "former Japanese Prime Minister Taro Aso", "President Joe
# Biden": an office written before a name marks a person, whatever a model listed.
OFFICE_AND_NAME = re.compile(
    rf"\b{_OFFICE_TITLE}\s+((?:[A-Z][\w’'\-]+|al-[A-Z][\w’'\-]+)(?:\s+(?:al-|bin\s|de\s)?[A-Z][\w’'\-]+){{1,2}})"
)


# "Syria's transitional president, Ahmad al-Shara," : an office in apposition, in lower case.
OFFICE_APPOSITION = re.compile(
    r"((?:[A-Z][\w’']+\s+)?(?:[a-z]+\s+)?(?i:" + _OFFICE_TITLE[3:-1] + r"))\s*,\s+"
    r"((?:[A-Z][\w’'\-]+|al-[A-Z][\w’'\-]+)(?:\s+(?:al-|bin\s|de\s)?[A-Z][\w’'\-]+){1,2})\s*,"
)


# "Hezbollah chief Hassan Nasrallah", "Quds Force commander Esmail Qaani": the head of a named body.
HEAD_OF_BODY = re.compile(
    r"\b([A-Z][\w’'\-]+(?:\s+[A-Z][\w’'\-]+)?)\s+(chief|leader|head|commander|secretary-general)\s+"
    r"((?:[A-Z][\w’'\-]+|al-[A-Z][\w’'\-]+)(?:\s+(?:al-|bin\s)?[A-Z][\w’'\-]+){1,2})"
)


def heads_of_bodies(text: str) -> list[tuple[str, str]]:
    """(body, person) for each "<Body> chief <Person>" in ``text``."""
    return list(_heads_of_bodies(text))


@functools.lru_cache(maxsize=64)
def _heads_of_bodies(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (m.group(1), m.group(3)) for m in HEAD_OF_BODY.finditer(text) if not _is_office_word(m.group(1))
    )


def office_holders(text: str) -> list[tuple[str, str]]:
    """(name, office) for each person an office names in ``text``, in order, without repeats."""
    return list(_office_holders(text))


# Assembly asks for the same article's office holders once per visit, actor and claim source.
@functools.lru_cache(maxsize=64)
def _office_holders(text: str) -> tuple[tuple[str, str], ...]:
    found: dict[str, str] = {}
    for m in HEAD_OF_BODY.finditer(text):
        if not _is_office_word(m.group(1)) and not headline_words(text, m.group(3)):
            found.setdefault(m.group(3), f"{m.group(1)} {m.group(2)}")
    for m in OFFICE_APPOSITION.finditer(text):
        found.setdefault(m.group(2), m.group(1))
    for m in OFFICE_AND_NAME.finditer(text):
        name = re.sub(r"(?:’s|'s)$", "", m.group(1))  # "President Bashar Assad’s regime"
        if headline_words(text, name):
            continue  # "Syrian President Holds High-Level Talks"
        office = text[m.start() : m.start(1)].strip()
        found.setdefault(name, office)
    return tuple(found.items())


_NOT_ROLE_WORDS = frozenset({"the", "former", "new", "top", "transitional", "caretaker", "interim", "acting"})
_ROLE_ABBREVIATIONS = {"pm": "prime minister", "fm": "foreign minister"}


def _office_parts(office: str) -> tuple[str | None, str]:
    """(the nationality or country word, the role) of an office: "Lebanon PM" -> ("lebanon", "prime
    minister"); "Syrian President" -> ("syrian", "president")."""
    words = [w.strip(".,’'s") for w in re.sub(r"’s\b|'s\b", "", office).split()]
    words = [w for w in words if w and w.lower() not in _NOT_ROLE_WORDS]
    country: str | None = None
    if words and words[0][:1].isupper() and words[0].lower() not in OFFICE_WORDS:
        country, words = words[0].lower(), words[1:]
    role = " ".join(_ROLE_ABBREVIATIONS.get(w.lower(), w.lower()) for w in words)
    return country, role


def _same_country(a: str, b: str) -> bool:
    # "lebanon" / "lebanese", "iran" / "iranian", "syria" / "syrian": a shared stem of four letters.
    return a[:4] == b[:4] and len(a) >= 4 and len(b) >= 4


def holder_by_role(office: str, text: str) -> str | None:
    """The one person ``text`` names with the same office ("Lebanon PM" -> "Najib Mikati", written as
    "Lebanese Prime Minister Najib Mikati"); None when none or several do."""
    country, role = _office_parts(office)
    if not role:
        return None
    found: list[str] = []
    for name, written in office_holders(text):
        their_country, their_role = _office_parts(written)
        if their_role != role:
            continue
        if country and their_country and not _same_country(country, their_country):
            continue
        found.append(name)
    distinct = list(dict.fromkeys(found))
    return distinct[0] if len(distinct) == 1 else None


_OFFICE_AT_END = re.compile(r"((?:[A-Z][\w’']+\s+)?(?i:" + _OFFICE_TITLE[3:-1] + r"))\s*$")


def office_at_end(text: str) -> str | None:
    """The office that ends ``text`` ("Recently, the Iranian foreign minister" -> "Iranian foreign
    minister"): who did what the next words say, named by office."""
    m = _OFFICE_AT_END.search(text.rstrip())
    return m.group(1) if m else None


# What a media outlet is, written after its name: "SANA news agency", "Sharqiya television channel".
_MEDIA_KIND = frozenset(
    {"news", "agency", "television", "tv", "channel", "newspaper", "daily", "radio", "broadcaster", "paper"}
)


def media_proper_name(phrase: str) -> str | None:
    """The outlet's own name in a description of it ("Iraq's independent Sharqiya television channel"
    -> "Sharqiya", "SANA news agency" -> "SANA"); None when the phrase is no such description."""
    tokens = phrase.split()
    stripped = 0
    # Lower case only: in "Saudi Press Agency" the kind is part of the name.
    while tokens and tokens[-1].strip(".,") in _MEDIA_KIND:
        tokens.pop()
        stripped += 1
    if not stripped or not tokens:
        return None
    run: list[str] = []
    for token in reversed(tokens):
        if token[:1].isupper() and not re.search(r"(?:'s|’s|'|’)$", token):
            run.append(token)
        else:
            break
    return " ".join(reversed(run)) or None


_OFFICE_OF = re.compile(r"^(?:the\s+)?(.+?)(?:'s|’s|'|’)\s+(?:media\s+|press\s+)?office$", re.IGNORECASE)


def principal_of(phrase: str) -> str | None:
    """Whose office a phrase names ("Al-Sudani's media office" -> "Al-Sudani"): an office speaks for
    its principal (evals/GUIDE.md)."""
    m = _OFFICE_OF.match(phrase.strip())
    return m.group(1) if m else None
