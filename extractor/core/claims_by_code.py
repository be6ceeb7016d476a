"""Claims read by code: the cues of ``attribution.py`` turned into claims, each speaker linked to an
actor of the article (or added from the article when the model's list lacks it), pronouns and roles
("he", "the president") continued or resolved, and the publishing outlet never a source.
"""

from __future__ import annotations

import re

from extractor.core.attribution import BODY_WORDS, ClaimCue, classify, has_person_name
from extractor.core.builder import ActorDraft, Builder, is_outlet, named_in
from extractor.core.contract import ActorKind, Attribution
from extractor.core.grounding import (
    mentions,
    sentence_evidence,
    words_in_article,
)
from extractor.core.names import media_proper_name, principal_of
from extractor.core.pending import PendingClaim
from extractor.core.places import state_of_adjective
from extractor.core.repairs import Repair

_CONTINUE_WITHIN = 3  # sentences: "He added ..." continues a source named this recently
_KINDS_OF_SOURCE = frozenset({"source", "official", "aide", "spokesman", "spokeswoman", "statement"})


def _name_run(phrase: str) -> str | None:
    """The proper name a source phrase ends with ("Kremlin spokesperson Dmitry Peskov" -> "Dmitry
    Peskov"; "the Syrian Interior Ministry" -> "Syrian Interior Ministry")."""
    # "Israeli Army Chief of Staff, Hertzi Halevi": the name in apposition, not the office before it.
    tail = phrase.rsplit(",", 1)[-1]
    if tail != phrase and re.fullmatch(r"\s*(?:[A-Z][\w’'\-.]*\s+){1,3}[A-Z][\w’'\-.]*\s*", tail):
        phrase = tail
    tokens = re.findall(r"[\w’'\-.]+", phrase)
    run: list[str] = []
    for token in reversed(tokens):
        if (
            token[:1].isupper()
            or re.match(r"(?:al|el|bin|ibn|abu)-[A-Z]", token)  # "Sabah al-Akili"
            or (run and token.lower() in {"al", "bin", "al-", "de", "da", "von"})
        ):
            run.append(token)
        else:
            break
    run.reverse()
    while run and run[0].lower() in {"the", "a", "an"}:
        run = run[1:]
    return " ".join(run) if run else None


def _speaker_for(builder: Builder, phrase: str) -> int | None:
    """The actor a source phrase names: a person first, then an organization, then a state."""
    named = [(i, a) for i, a in enumerate(builder.actors) if mentions(phrase, a.names)]
    if not named:
        only = builder.by_unique_token(phrase)
        return only
    rank = {"person": 0, "organization": 1, "state": 2, "other": 3}
    return min(named, key=lambda p: (rank.get(p[1].kind, 3), -max(len(n) for n in p[1].names)))[0]


def _by_role(builder: Builder, phrase: str) -> int | None:
    """The person a description names by role ("the president", "the Iranian official"): the one
    whose title, affiliation or country shares its words."""
    words = [w for w in re.findall(r"[a-z]+", phrase.lower()) if w not in {"the", "his", "her"}]
    best: tuple[int, int] | None = None
    for i, actor in enumerate(builder.actors):
        if actor.kind != "person":
            continue
        about = " ".join(x for x in (actor.title, actor.affiliation, actor.country) if x).lower()
        score = sum(1 for w in words if w in about or (len(w) > 5 and w[:4] in about))
        if score and (best is None or score > best[0]):
            best = (score, i)
    return best[1] if best else None


def _linked_speaker(builder: Builder, phrase: str) -> int | None:
    """Who a source phrase names. A person named in it speaks ("Iran's foreign ministry spokesman Saeed
    Khatibzadeh" is Khatibzadeh, not Iran); a body named as the head speaks for itself ("Iran's foreign
    ministry" is the ministry, not Iran); otherwise the actor the phrase mentions."""
    principal = principal_of(phrase)
    if principal is not None:
        # "Al-Sudani's media office": the office speaks for its principal.
        found = builder.actor_index(principal, create=False)
        if found is not None and builder.actors[found].kind == "person":
            return found
    proper = media_proper_name(re.sub(r"^(?:the|a|an)\s+", "", phrase.strip(), flags=re.I))
    if proper is not None and words_in_article(builder.article, proper):
        # "SANA news agency said", "Iraq's Sharqiya television channel said": the outlet by its name.
        return _source_actor(builder, proper, "organization")
    words = re.findall(r"[\w’'\-]+", phrase)
    if words and words[-1].lower() in {"statement", "government"}:
        # "a Turkish statement", "the Iraqi government": the state the adjective names.
        state = next((s for w in words if (s := state_of_adjective(w))), None)
        if state is not None and words_in_article(builder.article, state):
            return _source_actor(builder, state, "state")
    head = phrase.split(",", 1)[0].strip()
    if head != phrase and re.fullmatch(r"(?:[A-Z][\w’'\-.]*\s+){0,3}[A-Z][\w’'\-.]*", head):
        # "Rasul Radi, a member of the State of Law Coalition": the name before the appositive.
        return _created_speaker(builder, head)
    if has_person_name(phrase):
        return _created_speaker(builder, phrase)
    if words and words[-1].lower() in BODY_WORDS and len(words) <= 6:
        body = re.sub(r"^(?:the|a|an)\s+", "", phrase.strip(), flags=re.I)
        existing = next((i for i, a in enumerate(builder.actors) if builder.matches(a, body)), None)
        return existing if existing is not None else _source_actor(builder, body, "organization", find=False)
    return _speaker_for(builder, phrase)


def _source_actor(builder: Builder, name: str, kind: ActorKind, *, find: bool = True) -> int:
    """The actor a claim's source names, added (and said so) when the article's list lacks it."""
    found = builder.actor_index(name, create=False) if find else None
    if found is not None:
        return found
    builder.actors.append(ActorDraft(names=[name], kind=kind))
    builder.note(Repair.ACTOR_ADDED, f"actor {name!r} added: the source of a claim")
    return len(builder.actors) - 1


def _created_speaker(builder: Builder, phrase: str) -> int | None:
    name = _name_run(phrase)
    if name is None or len(name) < 3:
        return None
    index = builder.actor_index(name, create=True)
    if index is not None and builder.actors[index].kind == "other":
        words = set(name.lower().split())
        builder.actors[index].kind = "organization" if words & BODY_WORDS or len(words) == 1 else "person"
    return index


def claims_from_cues(builder: Builder, cues: list[ClaimCue], outlet: str | None) -> list[PendingClaim]:
    """One claim per attributed sentence, its speaker linked to an actor by code."""
    claims: list[PendingClaim] = []
    previous: tuple[ClaimCue, int | None, Attribution] | None = None
    # The latest source described by its kind ("an informed source", "the official"): "the source"
    # refers back to it even when a named speaker came in between.
    described_as: dict[str, tuple[ClaimCue, int | None, Attribution]] = {}
    for cue in cues:
        what = f"claim at sentence {cue.sentence.number}"
        if is_outlet(cue.source, outlet):
            builder.note(Repair.CLAIM_DROPPED, f"{what}: the publishing outlet's own report, not a claim")
            continue
        speaker: int | None
        attribution: Attribution
        if cue.continues:
            near = (
                previous is not None and cue.sentence.number - previous[0].sentence.number <= _CONTINUE_WITHIN
            )
            kind = cue.source.lower().split()[-1]
            earlier = described_as.get(kind.rstrip("s"))
            if earlier is not None:
                previous, near = earlier, True
            if previous is None or not near:
                builder.note(
                    Repair.CLAIM_DROPPED, f"{what}: {cue.source!r} continues no recent source; dropped"
                )
                continue
            _, speaker, attribution = previous
            source = previous[0].source
        elif cue.described and (role := _by_role(builder, cue.source)) is not None:
            source, speaker, attribution = cue.source, role, "named"
        else:
            source = cue.source
            attribution = cue.attribution_hint
            speaker = (
                None if attribution in ("anonymous", "unattributed") else _linked_speaker(builder, cue.source)
            )
            if speaker is None and attribution not in ("anonymous", "unattributed", "media"):
                speaker = _created_speaker(builder, cue.source)
            if speaker is None and attribution == "media":
                speaker = _created_speaker(builder, cue.source) if _name_run(cue.source) else None
            if speaker is not None:
                kind = builder.actors[speaker].kind
                if kind == "person" and attribution in ("anonymous", "official_statement", "named"):
                    attribution = "named" if classify(cue.source) != "analyst" else "analyst"
                elif kind in ("organization", "state") and attribution == "named":
                    attribution = "official_statement"
            elif attribution == "named" and re.fullmatch(r"[\u0600-\u06FF\s]+", cue.source):
                # Arabic has no capitals to find a name by: the source phrase, as written, is the actor.
                speaker = _source_actor(builder, cue.source, "organization", find=False)
            elif attribution == "named":
                builder.note(
                    Repair.CLAIM_DROPPED,
                    f"{what}: source {cue.source!r} is no actor of this article; dropped",
                )
                continue
        previous = (cue, speaker, attribution)
        if not cue.continues:
            for word in re.findall(r"[a-z]+", cue.source.lower()):
                if word.rstrip("s") in _KINDS_OF_SOURCE:
                    described_as[word.rstrip("s")] = previous
        evidence = [sentence_evidence(cue.sentence)]
        about = named_in(builder, evidence, exclude=speaker)
        statement = cue.statement.strip()[:300] or cue.sentence.text[:300]
        claims.append(
            PendingClaim(
                speaker=speaker,
                about=about,
                source=source,
                attribution=attribution,
                statement=statement,
                quote=cue.quote.text if cue.quote else None,
                evidence=evidence,
            )
        )
    return claims
