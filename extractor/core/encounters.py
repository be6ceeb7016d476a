"""Meetings found by code: sentences that say two or more actors met, received or hosted each other.

A 1.5B model lists the meeting an article leads with and misses the ones stated in passing ("Qaani
arrived in Baghdad on Wednesday and met with ... al-Araji"). News copy states an encounter with a few
verbs; code finds those sentences, the actors they name (from the actor list the model and the claim
reader built), whether the encounter is planned, and its date words. ``assemble`` adds a candidate only
when no meeting of the model already covers it.

Phone calls, letters and denials are not meetings, and neither is a sentence that negates the verb.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractor.core.contract import EventStatus
from extractor.core.sentences import Sentence

_CUE = re.compile(
    r"\b(?:met|meets|meeting with|meetings with|held talks with|holds talks with|hold talks with|hosting|"
    r"(?:will|to|would|set to|expected to|scheduled to|due to) meet|received|receives|hosted|hosts|"
    r"welcomed|welcomes|call on|calls on|courtesy call on|talks with)\b",
    re.IGNORECASE,
)
_NOT_IN_PERSON = re.compile(
    r"\b(?:phone|telephone|call(?:ed)? by|video|virtual(?:ly)?|letter|message|e-?mail|tweet|"
    r"received (?:a|an|the) (?:call|letter|message|report|delegation's letter))\b",
    re.IGNORECASE,
)
_NEGATED = re.compile(
    r"\b(?:did not|didn't|never|no|not|denied|denies|deny|refused to|cancel(?:l?ed|s)?)\b"
    r"[^.]{0,40}?\b(?:meet|met|meeting|talks)\b",
    re.IGNORECASE,
)
_PLANNED = re.compile(
    r"\b(?:will|would|is to|are to|is expected to|are expected to|expected to|is set to|are set to|set to|"
    r"scheduled|plans? to|due to|is to hold|upcoming)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class EncounterCue:
    sentence: Sentence
    status: EventStatus
    several: bool = False  # "meetings with A, B and C", "separate talks": one meeting per host
    # "X received Y": the sentence offsets where the guest is named (after the verb; before it in
    # "Y was received by X"), and where the host is; None when the sentence states no reception.
    guest_span: tuple[int, int] | None = None
    host_span: tuple[int, int] | None = None


_HOSTING = re.compile(r"\b(?:received|receives|hosted|hosts|hosting|welcomed|welcomes)\b", re.IGNORECASE)
_HOSTED_BY = re.compile(
    r"\b(?:was|were|is|are|being|been)\s+(?:\w+\s+)?(?:received|hosted|welcomed)\s+by\b", re.IGNORECASE
)
# "... at Mar-a-Lago", "... at the Elysee Palace", "... in Seoul": where an encounter took place.
_PLACE = re.compile(r"\b(?:at|in)\s+(?:the\s+)?((?:[A-Z][\w’'\-]+)(?:[ -](?:[A-Z][\w’'\-]+|of|de)){0,3})")
_NOT_PLACES = frozenset(
    {
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    }
)


def stated_place(text: str) -> str | None:
    """The first place an encounter sentence puts it in ("at Mar-a-Lago"), if any."""
    for m in _PLACE.finditer(text):
        name = m.group(1)
        if name.split()[0] not in _NOT_PLACES:
            return name
    return None


# "Damascus, SANA –", "DAMASCUS, (ST)_", "TEHRAN (Tasnim) –", "RIYADH:": where the story was filed.
_DATELINE = re.compile(r"^\s*([A-Z][A-Za-z]+(?:[ -][A-Z][A-Za-z]+)?)\s*(?:,|\(|:|–|—)")


def dateline_place(article: str) -> str | None:
    """The place a dateline puts the story in, title-cased ("DAMASCUS" -> "Damascus")."""
    for line in article.splitlines()[:6]:
        m = _DATELINE.match(line)
        if m and len(line) > 60:
            return m.group(1).title() if m.group(1).isupper() else m.group(1)
    return None


def encounter_in(sentence: Sentence) -> EncounterCue | None:
    """The encounter a sentence states, if it has a meeting verb and is not a call or a denial."""
    text = sentence.text
    cue = _CUE.search(text)
    if cue is None or _NOT_IN_PERSON.search(text) or _NEGATED.search(text):
        return None
    planned = bool(_PLANNED.search(text[: cue.end()]))
    several = bool(re.search(r"\bmeetings\b|\bseparate\b", text, re.IGNORECASE))
    status: EventStatus = "planned" if planned else "occurred"
    passive = _HOSTED_BY.search(text)
    if passive is not None:
        # "Fernandez visited Brazil, where he was received by Lula": the guest comes first.
        return EncounterCue(sentence, status, several, (0, passive.start()), (passive.end(), len(text)))
    hosting = _HOSTING.search(text)
    if hosting is None:
        return EncounterCue(sentence, status, several)
    return EncounterCue(sentence, status, several, (hosting.end(), len(text)), (0, hosting.start()))


def find_encounters(sentences: list[Sentence]) -> list[EncounterCue]:
    return [cue for s in sentences if (cue := encounter_in(s)) is not None]


# "X arrived in Baghdad", "X visited Iran", "X will head to Muscat", "his trip to Japan": a trip and
# where it went. The visitor is an actor named before the verb (or the trip's owner); the place is
# the capitalized name right after it.
_TRIP = re.compile(
    r"\b(?:arrived in|arrives in|arriving in|landed in|visited|visits|visiting|travell?ed to|"
    r"will travel to|will head to|heads? to|headed to|flew to|trip to|visit to|went to)\s+"
    r"(?:the\s+)?((?:[A-Z][\w’'\-]+)(?:[ -](?:[A-Z][\w’'\-]+)){0,2})"
)
_FUTURE = re.compile(
    r"\b(?:will|would|is to|is expected to|is set to|plans? to|scheduled|upcoming|next)\b", re.I
)


# "canceled a planned visit to South Korea", "postponed his trip to": a trip that is not made is not
# recorded (evals/GUIDE.md); nor is one only hoped for ("looks forward to Pompeo's visit").
_CALLED_OFF = re.compile(
    r"\b(?:cancel(?:l)?ed|cancels|cancel(?:l)?ing|called off|calls off|postponed|postpones|scrapped|"
    r"scraps|shelved|put off|delayed|looks? forward to|looking forward to|hopes? for)\b[^.;]{0,30}$",
    re.IGNORECASE,
)
_OFFICE_WORD = re.compile(r"\b(?:President|Minister|Secretary|Speaker|King|Prince|Chancellor|Premier)\b")


def is_called_off(text: str, at: int) -> bool:
    """Whether the trip words at ``at`` follow a cancellation ("canceled a planned visit to")."""
    return _CALLED_OFF.search(text[:at]) is not None


@dataclass(frozen=True)
class TripCue:
    sentence: Sentence
    place: str
    verb_at: int  # where the trip words start, in sentence offsets
    status: EventStatus


def find_trips(sentences: list[Sentence]) -> list[TripCue]:
    """Every sentence's stated trips, in order."""
    trips: list[TripCue] = []
    for sentence in sentences:
        for m in _TRIP.finditer(sentence.text):
            if m.group(1).split()[0] in _NOT_PLACES or is_called_off(sentence.text, m.start()):
                continue
            if _OFFICE_WORD.search(m.group(1)):
                continue  # "visited Senate President Rodrigo Pacheco": a person, not a place
            planned = bool(_FUTURE.search(sentence.text[: m.start()][-40:] + m.group(0)))
            status: EventStatus = "planned" if planned else "occurred"
            trips.append(TripCue(sentence, m.group(1), m.start(), status))
            # "visited Qatar, Saudi Arabia, and Lebanon": one trip per place of the list.
            at, listed = m.end(), []
            while more := _MORE_PLACES.match(sentence.text, at):
                listed.append(more)
                at = more.end()
            # A list closes with "and"; ", the State Department announced" is not one.
            if any("and" in x.group(0).split() for x in listed):
                trips += [TripCue(sentence, x.group(1), m.start(), status) for x in listed]
    return trips


_MORE_PLACES = re.compile(
    r"(?:\s*,\s*(?:and\s+)?|\s+and\s+)(?:the\s+)?((?:[A-Z][\w’'\-]+)(?:[ -](?:[A-Z][\w’'\-]+)){0,2})"
)
