"""Claims found by code: reporting cues, the words naming the source, the speaker linked to an actor.

News copy marks attributed speech with a small set of forms, which code reads more reliably than a
1.5B model does: ``X said (that) ...``, ``"...," X said``, ``"...," said X``, ``according to X``,
``X told <outlet> that ...``, ``X added/stressed/denied/tweeted ...``. For each sentence with such a
cue this module returns the source phrase as written, where it stands, how it was found, the quoted
words and the reported content; ``assemble`` links the phrase to an actor. A pronoun or "the source"
continues the source of the claim just before it, as a reader would.

Nothing here calls a model; every span it returns is a slice of the article.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from extractor.core.contract import Attribution, Evidence
from extractor.core.grounding import evidence_at, quoted_span
from extractor.core.sentences import Sentence

Found = Literal["subject", "inverted", "according_to", "reportedly", "statement", "continued"]

_VERBS = (
    # Present forms that are also plural nouns ("Arab states", "media reports", "claims") are left out.
    "said|says|say|told|tells|added|adds|stressed|noted|affirmed|affirms|asserted|asserts|"
    "underlined|underscored|emphasi[sz]ed|emphasi[sz]es|confirmed|confirms|denied|denies|announced|"
    "announces|stated|explained|warned|argued|claimed|insisted|insists|"
    "tweeted|wrote|writes|posted|reported|described|accused|urged|"
    "acknowledged|rejected|revealed|disclosed|indicated|praised|critici[sz]ed|condemned|dismissed|maintained|"
    "estimated|cited|quoted|voiced|expressed|believes|believed|hoped|congratulated|"
    "pointed out|made clear|called on|called for|"
    # Analyses and accusations: "the analysis concludes", "Fatah blamed Hamas", "he admitted".
    "blamed|blames|suggested|suggests|concluded|concludes|predicted|predicts|speculated|speculates|"
    "estimates|admitted|admits|heralded"
)
_VERB = re.compile(rf"\b({_VERBS})\b")
# "according to Israeli Army Chief of Staff, Hertzi Halevi.": a name in apposition belongs to the source.
_ACCORDING = re.compile(
    r"\baccording to\s+(?:the\s+)?([^,.;:\"“”]+"
    r"(?:,\s+[A-Z][\w’'\-]+(?:\s+(?:al-|bin\s)?[A-Z][\w’'\-]+){1,3}(?=\s*[.,;]|\s*$))?)",
    re.IGNORECASE,
)
_PASSIVE = re.compile(
    r"\b(?:was|were|is|are|has been|had been)\s+"
    r"(?:announced|said|stated|reported|confirmed|revealed|disclosed|quoted)\s+by\s+(?:the\s+)?([^,.;:\"“”]+?)(?:\s+(?:on|in|at|last|this|after|before)\b|[,.;:]|$)"
)
_REPORTEDLY = re.compile(r"\b(reportedly|is reported to|are reported to|is said to|are said to)\b", re.I)
# Where the phrase naming a source starts: the clause boundary before the verb.
_CLAUSE_BREAK = re.compile(
    r"(?:^|[,;:—–(\"“”]|\b(?:that|and|while|but|when|where|which|who|whom|after|before|as|because)\b)\s*",
    re.I,
)
_QUOTE_CLOSE = re.compile(r"[\"”]\s*,?\s*$")

PRONOUNS = frozenset({"he", "she", "they", "it", "his excellency"})
CONTINUING = re.compile(
    r"^(?:the|this|that)\s+(?:source|sources|official|officials|aide|spokesman|spokeswoman|statement)$", re.I
)
# "The president", "the Iranian official", "the top diplomat": a person named earlier, by role.
_ROLES = (
    "president|minister|premier|official|diplomat|leader|chief|envoy|king|prince|monarch|secretary|"
    "speaker|ambassador|commander|general|adviser|advisor|head|guest|host|visitor|politician|lawmaker"
)
DESCRIPTION = re.compile(
    rf"^(?:[Tt]he|[Hh]is|[Hh]er)\s+(?:[a-z]+\s+|[A-Z][a-z]+(?:ian|ese|ish|i)\s+){{0,3}}(?:{_ROLES})$"
)
ANONYMOUS_WORDS = frozenset(
    {
        "source",
        "sources",
        "official",
        "officials",
        "aide",
        "aides",
        "adviser",
        "advisor",
        "diplomat",
        "diplomats",
        "spokeswoman",
        "spokesman",
        "spokesperson",
        "insider",
        "insiders",
        "people",
        "person",
        "member",
        "members",
        "figure",
        "figures",
        "leader",
        "leaders",
    }
)
ANALYST_WORDS = frozenset(
    {"analyst", "analysts", "expert", "experts", "observer", "observers", "fellow", "researcher", "professor"}
)
MEDIA_WORDS = frozenset(
    {
        "media",
        "agency",
        "agencies",
        "television",
        "tv",
        "newspaper",
        "paper",
        "daily",
        "channel",
        "radio",
        "broadcaster",
        "outlet",
        "outlets",
        "times",
        "post",
        "news",
        "reports",
    }
)
OFFICIAL_WORDS = frozenset(
    {
        "ministry",
        "office",
        "government",
        "kremlin",
        "presidency",
        "department",
        "embassy",
        "statement",
        "council",
        "administration",
        "house",
        "cabinet",
        "spokesman",
        "spokeswoman",
        "spokesperson",
    }
)
# Words that end the name of a body, not a person ("State of Law Coalition", "Syrian Interior Ministry",
# "the Kremlin"): such a source speaks as an organization.
BODY_WORDS = frozenset(
    {
        "coalition",
        "party",
        "movement",
        "organization",
        "organisation",
        "front",
        "army",
        "forces",
        "bureau",
        "committee",
        "alliance",
        "group",
        "council",
        "agency",
        "ministry",
        "office",
        "government",
        "union",
        "league",
        "assembly",
        "parliament",
        "force",
        "brigades",
        "battalions",
        "corps",
        "bloc",
        "department",
        "kremlin",
        "presidency",
        "house",
        "embassy",
        "channel",
        "television",
        "times",
        "news",
    }
)
_DETERMINERS = re.compile(r"^(?:a|an|the|one|two|three|several|some|many|other|another|separate)\s+", re.I)


@dataclass(frozen=True)
class ClaimCue:
    """One attributed statement a sentence makes, as code read it."""

    sentence: Sentence
    source: str  # the words naming the source, as written ("A political source", "he")
    source_span: Evidence | None  # where those words stand (None for "reportedly")
    found: Found
    attribution_hint: Attribution
    quote: Evidence | None
    statement: str
    continues: bool = False  # a pronoun or "the source": the source of the claim before it
    described: bool = False  # "the president": someone named earlier, found by role


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z’'\-]+", text.lower())


def classify(source: str) -> Attribution:
    """The attribution a source phrase implies before it is linked to any actor."""
    # "An informed source speaking to Shafaq News": the head, not the channel, says who it is.
    source = re.split(r"\s+(?:speaking|talking|close|quoted|cited|told|to|with|in)\b", source, maxsplit=1)[0]
    words = set(_words(source))
    head = _words(source)[-1] if words else ""
    if words & ANALYST_WORDS:
        return "analyst"
    if re.match(r"(?:[A-Z][\w’'\-.]*\s+){1,3}[A-Z][\w’'\-.]*\s*,", source):
        # "Abdul Rahman Al-Jazaeri, a leader in the ... Movement": a name, then who they are.
        return "named"
    # "a Harris aide", "A senior Trump campaign adviser", "Two sources": a name qualifies the head,
    # which is still an unnamed person.
    if head in ANONYMOUS_WORDS:
        return "anonymous"
    if words & MEDIA_WORDS and not words & {"spokesman", "spokeswoman", "spokesperson"}:
        return "media"
    if words & OFFICIAL_WORDS and not has_person_name(source):
        return "official_statement"
    if words & ANONYMOUS_WORDS and not _has_proper_name(source):
        return "anonymous"
    return "named" if _has_proper_name(source) else "anonymous"


def _has_proper_name(text: str) -> bool:
    """A capitalized word that is not the phrase's first word ("A political source" has none)."""
    tokens = re.findall(r"[\w’'\-]+", text)
    # "al-Assad", "bin Salman": a capital anywhere in a later token marks a name.
    return any(re.search(r"[A-Z]", t) for t in tokens[1:]) or (len(tokens) == 1 and tokens[0][:1].isupper())


def has_person_name(text: str) -> bool:
    """Two capitalized words in a row at the end, other than office words ("spokesman Dmitry Peskov")."""
    tokens = re.findall(r"[\w’'\-]+", text)
    tail = [t for t in tokens[-3:] if t[:1].isupper() and t.lower() not in OFFICIAL_WORDS | BODY_WORDS]
    return len(tail) >= 2 and tokens[-1][:1].isupper() and tokens[-1].lower() not in BODY_WORDS


def _clean_source(raw: str) -> str:
    text = raw.strip().strip(",;:").strip()
    # "Chinese leader Xi Jinping in May", "Netanyahu on Friday": the time is not the source.
    text = re.sub(
        r"\s+(?:in|on|last|this|earlier|late|early|at)\s+(?:the\s+)?[\w-]+(?:\s+\d{1,4})?(?:,?\s+\d{4})?$",
        "",
        text,
    )
    text = re.sub(
        r"^(?:on\s+\w+|in\s+a\s+\w+|also|later|earlier|however|meanwhile|rightly|clearly),?\s+",
        "",
        text,
        flags=re.I,
    )
    # "Mr Modi in an interview to the Wall Street Journal earlier": the speaker, not the channel.
    text = re.sub(r"\s+in an? (?:interview|statement|speech|post|letter)\b.*$", "", text, flags=re.I)
    return text.strip()


def _subject_before(text: str, verb_start: int) -> tuple[int, int] | None:
    """The span of the phrase naming who speaks, just before a reporting verb."""
    head = text[:verb_start]
    start = 0
    boundary = ""
    for m in _CLAUSE_BREAK.finditer(head):
        if m.end() < len(head.rstrip()):
            start, boundary = m.end(), m.group(0).strip().lower()
    if boundary in {"where", "which", "who", "whom", "when", "after", "before", "because"}:
        return None  # "..., where Qaani urged the groups to ...": narration of an act, not a source
    phrase = head[start:].rstrip()
    # Auxiliaries and adverbs between subject and verb ("Peskov also said", "he has repeatedly told").
    aux = r"(?:also|later|earlier|further|then|again|previously|had|has|have|was|were|\w+ly)"
    phrase = re.sub(rf"(?:^|\s+){aux}(?:\s+{aux})*$", "", phrase)
    if not phrase.strip():
        # "Allawi, a secular Shi'a, has repeatedly accused ...": the subject stands before the aside.
        aside = re.match(
            r"\s*((?:[A-Z][\w’'\-.]*\s+){0,3}[A-Z][\w’'\-.]*),\s*(?:a|an|the)\s[^,]{1,60},\s*$", head[:start]
        )
        if aside is not None:
            return aside.start(1), aside.end(1)
        return None
    lead = len(head[start:]) - len(head[start:].lstrip())
    begin = start + lead
    # "Rasul Radi, a member of the State of Law Coalition, told ...": the appositive names a role; the
    # name before its comma is who speaks.
    if re.match(r"(?:a|an|the)\s", phrase.strip(), re.I) and head[:start].rstrip().endswith(","):
        before = head[: head[:start].rstrip().rfind(",")]
        name = re.search(r"((?:[A-Z][\w’'\-.]*\s+){0,3}[A-Z][\w’'\-.]*)\s*$", before)
        if name and (name.start() == 0 or before[: name.start()].rstrip()[-1:] in {"", ".", ",", ";", "—"}):
            begin = name.start(1)
    return begin, start + len(phrase)


def _plausible_source(phrase: str) -> bool:
    words = _words(phrase)
    if not words or len(words) > 12:
        return False
    low = phrase.lower().strip()
    if low in PRONOUNS or CONTINUING.match(low) or DESCRIPTION.match(phrase.strip()):
        return True
    if set(words) & (ANONYMOUS_WORDS | ANALYST_WORDS | MEDIA_WORDS | OFFICIAL_WORDS):
        return True
    return _has_proper_name(phrase)


def _statement(sentence: Sentence, verb_end: int, quote: Evidence | None) -> str:
    rest = sentence.text[verb_end:].strip()
    that = re.match(r"(?:\s*\w+\s+){0,4}?that\s+(.+)", rest)
    if that:
        return that.group(1).strip()
    if quote is not None:
        return quote.text
    return sentence.text


# Arabic reporting verbs (verb-first: "وقال المرصد ...", "أكدت مصادر ..."), "according to" forms, and
# the words that make a source unnamed or a statement.
_AR_VERB = re.compile(
    r"(?:^|(?<=[\s،]))(?:و|ف)?(?:قال|قالت|أكد|أكدت|أفاد|أفادت|أضاف|أضافت|شدد|شددت|دعا|دعت|أعلن|أعلنت|"
    r"ذكر|ذكرت|صرح|صرحت|حذر|حذرت|حض|حضت)(?=\s)"
)
_AR_ACCORDING = re.compile(r"(?:^|(?<=[\s،]))و?(?:بحسب|حسب|وفقا ل|وفقاً ل)\s*")
_AR_STOP = re.compile(r"\s+(?:إن|أن|ان|عن|على|في|إلى|الى|خلال|فقد|وقد|قد)(?=\s)|[،,.:\"«»]")
_AR_LEADING_STOP = re.compile(r"(?:إن|أن|ان|عن|على|في|إلى|الى|خلال)(?=\s)")
_AR_ANONYMOUS = ("مصادر", "مصدر", "جهات", "مسؤول", "مسؤولون")
_AR_OFFICIAL = ("بيان", "وزارة", "الحكومة", "الرئاسة")


def _arabic_cue(sentence: Sentence, article: str, quote: Evidence | None) -> ClaimCue | None:
    text = sentence.text
    for pattern, found in ((_AR_VERB, "subject"), (_AR_ACCORDING, "according_to")):
        m = pattern.search(text)
        if m is None:
            continue
        rest = text[m.end() :].lstrip()
        if _AR_LEADING_STOP.match(rest):
            # No subject after the verb: it stands before it ("أما الائتلاف ...، فقد دعا في بيان"), or
            # the source of the claim before goes on ("وأضاف أن ...").
            segments = [
                re.sub(r"\s*(?:فقد|وقد|قد|ف)\s*$", "", re.sub(r"^\s*(?:أما|و)\s+", "", part)).strip()
                for part in re.split(r"[،,.]", text[: m.start()])
            ]
            words = next((x for x in reversed(segments) if x), "").split()[-6:]
            if not words:
                return ClaimCue(sentence, "he", None, "subject", "named", quote, text, continues=True)
            source = " ".join(words)
            at = text.index(source)
        else:
            stop = _AR_STOP.search(rest)
            words = (rest[: stop.start()] if stop else rest).split()[:6]
            if not words:
                return ClaimCue(sentence, "he", None, "subject", "named", quote, text, continues=True)
            source = " ".join(words)
            at = text.index(source, m.end())
        hint: Attribution = (
            "anonymous"
            if any(w in source for w in _AR_ANONYMOUS)
            else "official_statement"
            if any(w in source for w in _AR_OFFICIAL)
            else "named"
        )
        ev = evidence_at(article, sentence.start + at, sentence.start + at + len(source))
        return ClaimCue(sentence, source, ev, found, hint, quote, text)  # type: ignore[arg-type]
    return None


def cue_in(sentence: Sentence, article: str) -> ClaimCue | None:
    """The claim a sentence attributes, if it has a reporting cue with a plausible source."""
    text = sentence.text
    quote = quoted_span(article, sentence)
    if re.search(r"[\u0600-\u06FF]", text):
        return _arabic_cue(sentence, article, quote)

    def span(a: int, b: int) -> Evidence:
        return evidence_at(article, sentence.start + a, sentence.start + b)

    if m := _PASSIVE.search(text):
        source = _clean_source(m.group(1))
        if source and _plausible_source(source):
            at = m.start(1) + m.group(1).find(source)
            return ClaimCue(
                sentence, source, span(at, at + len(source)), "according_to", classify(source), quote, text
            )
    for m in _VERB.finditer(text):
        before = text[: m.start()]
        # '"...," said X.' / '"...," X said.': the speaker stands right after the closing quote.
        if _QUOTE_CLOSE.search(before):
            after = text[m.end() :]
            inv = re.match(
                r"\s+((?:[\w’'\-.]+\s+){0,6}?[\w’'\-.]+?)\s*(?:[,.;]|$|\s+(?:to|on|in|at)\b)", after
            )
            if inv and _plausible_source(inv.group(1)):
                source = _clean_source(inv.group(1))
                at = m.end() + after.find(source)
                return ClaimCue(
                    sentence,
                    source,
                    span(at, at + len(source)),
                    "inverted",
                    classify(source),
                    quote,
                    quote.text if quote else text,
                )
        subject = _subject_before(text, m.start())
        if subject is None:
            continue
        source = text[subject[0] : subject[1]]
        cleaned = _clean_source(source)
        if not cleaned or not _plausible_source(cleaned):
            continue
        at = subject[0] + source.find(cleaned)
        low = cleaned.lower()
        continues = low in PRONOUNS or bool(CONTINUING.match(low))
        described = not continues and bool(DESCRIPTION.match(cleaned)) and classify(cleaned) != "analyst"
        return ClaimCue(
            sentence,
            cleaned,
            span(at, at + len(cleaned)),
            "subject",
            classify(cleaned),
            quote,
            _statement(sentence, m.end(), quote),
            continues=continues,
            described=described,
        )
    if m := _ACCORDING.search(text):
        source = _clean_source(m.group(1))
        if source and _plausible_source(source):
            at = m.start(1) + m.group(1).find(source)
            return ClaimCue(
                sentence,
                source,
                span(at, at + len(source)),
                "according_to",
                classify(source),
                quote,
                text[: m.start()].rstrip(" ,") or text,
            )
    if m := _REPORTEDLY.search(text):
        return ClaimCue(sentence, m.group(1), None, "reportedly", "unattributed", quote, text)
    return None


def find_cues(sentences: Sequence[Sentence], article: str) -> list[ClaimCue]:
    """Every sentence's cue, in article order.

    A sentence with no cue of its own that follows a claim in the same paragraph continues that
    source's account ("The source added that... He is also reinforcing..."), as evals/GUIDE.md reads
    it; a paragraph break ends the account.
    """
    cues: list[ClaimCue] = []
    previous: ClaimCue | None = None
    for sentence in sentences:
        cue = cue_in(sentence, article)
        if cue is None and previous is not None and _same_paragraph(article, previous.sentence, sentence):
            # Unnamed sources and statements carry on for a paragraph; a named person's next sentence
            # is usually the outlet's own narration again (measured on the corpus gold).
            carries = previous.attribution_hint in ("anonymous", "official_statement", "analyst")
            if (
                carries
                and sentence.number == previous.sentence.number + 1
                and not _QUESTION.search(sentence.text)
            ):
                cue = ClaimCue(
                    sentence,
                    "he",
                    None,
                    "continued",
                    previous.attribution_hint,
                    quoted_span(article, sentence),
                    sentence.text,
                    continues=True,
                )
        if cue is not None:
            cues.append(cue)
        previous = cue
    return cues


_QUESTION = re.compile(r"\?\s*$")


def _same_paragraph(article: str, before: Sentence, after: Sentence) -> bool:
    return "\n" not in article[before.end : after.start]
