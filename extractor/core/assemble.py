"""Draft -> contract: ids, grounded evidence, resolved dates, one actor per entity.

Everything here is deterministic code over the article text; each repair or drop is reported as a
warning in meta so nothing changes silently.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from extractor.core.attribution import ClaimCue, classify, has_person_name
from extractor.core.contract import (
    Actor,
    ActorKind,
    Attribution,
    Claim,
    EventStatus,
    Evidence,
    Meeting,
    Place,
    Visit,
    When,
)
from extractor.core.dates import date_expressions, resolve
from extractor.core.draft import Draft, DraftActor, EventsDraft
from extractor.core.encounters import EncounterCue, TripCue, dateline_place, find_trips, stated_place
from extractor.core.grounding import (
    cited_sentences,
    containing_sentence,
    locate,
    mentions,
    quoted_span,
    sentence_evidence,
    sentences_mentioning,
    words_in_article,
)
from extractor.core.names import fold, is_office_only, name_tokens, office_holders, same_person, split_office
from extractor.core.sentences import Sentence

MAX_EVIDENCE = 3


@dataclass
class Assembled:
    actors: list[Actor]
    visits: list[Visit]
    meetings: list[Meeting]
    claims: list[Claim]
    warnings: list[str]


@dataclass
class _ActorDraft:
    names: list[str]
    kind: ActorKind
    title: str | None = None
    affiliation: str | None = None
    country: str | None = None
    sentence_numbers: list[int] = field(default_factory=list)


def _best_name(names: list[str]) -> str:
    # The fullest spelling is the canonical name: "Esmail Qaani" over "Qaani" or "Mr Qaani".
    return max(names, key=lambda n: (len(name_tokens(n)), len(n)))


class _Builder:
    def __init__(
        self, article: str, sentences: list[Sentence], published: dt.date | None, outlet: str | None = None
    ) -> None:
        self.article = article
        self.outlet = outlet
        self.sentences = sentences
        self.published = published
        self.warnings: list[str] = []
        self.actors: list[_ActorDraft] = []
        self.article_tokens = set(name_tokens(article))
        self._same_cache: dict[tuple[str, str], bool] = {}

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def matches(self, actor: _ActorDraft, name: str) -> bool:
        # Every reference is compared with every actor's names, and an article repeats its names:
        # the answers are remembered for the article (a few ms of CPU per article otherwise).
        return any(self._same(name, n) for n in actor.names)

    def _same(self, a: str, b: str) -> bool:
        found = self._same_cache.get((a, b))
        if found is None:
            found = self._same_cache[(a, b)] = same_person(a, b)
        return found

    # --- actors -------------------------------------------------------------------------------

    def _in_article(self, name: str) -> bool:
        """Written in the article, allowing for case, quotes and a dropped title or apostrophe."""
        if words_in_article(self.article, name):
            return True
        tokens = name_tokens(name)
        return bool(tokens) and all(t in self.article_tokens for t in tokens)

    def add_actor(self, draft: DraftActor) -> None:
        office, bare = split_office(draft.name.strip())
        if office is not None and words_in_article(self.article, bare):
            # "Iranian Foreign Minister Abbas Araghchi": the name is the person's, the office a title.
            draft = draft.model_copy(update={"name": bare, "title": draft.title or office})
        elif office is None and is_office_only(draft.name):
            # "Lebanese Prime Minister" is an office; the article names who holds it right after it.
            holder = self.office_holder(draft.name.strip())
            if holder is not None:
                draft = draft.model_copy(update={"name": holder, "title": draft.title or draft.name})
        names = [n.strip() for n in [draft.name, *draft.other_names] if n.strip()]
        if self.outlet and any(_is_outlet(n, self.outlet) for n in names):
            self.warn(f"actor {draft.name!r} dropped: the outlet publishing the article")
            return
        present = [n for n in names if self._in_article(n)]
        # Aliases are spellings this article uses: a variant it never writes ("Ismail" in an
        # article that says "Esmail") is the model's knowledge, not the article's.
        written = [n for n in present if words_in_article(self.article, n)]
        present = written or present[:1]
        if not present:
            self.warn(f"actor {draft.name!r} dropped: name not found in the article")
            return
        for dropped in set(names) - set(present):
            self.warn(f"alias {dropped!r} of {draft.name!r} dropped: not in the article")
        existing = next((a for a in self.actors if any(self.matches(a, n) for n in present)), None)
        if existing is None:
            self.actors.append(
                _ActorDraft(
                    names=list(dict.fromkeys(present)),
                    kind=draft.kind,
                    title=draft.title,
                    affiliation=draft.affiliation,
                    country=draft.country,
                    sentence_numbers=list(draft.sentences),
                )
            )
            return
        # One actor per real entity: a second entry for the same person merges into the first.
        existing.names = list(dict.fromkeys([*existing.names, *present]))
        existing.title = existing.title or draft.title
        existing.affiliation = existing.affiliation or draft.affiliation
        existing.country = existing.country or draft.country
        existing.sentence_numbers += draft.sentences

    def office_holder(self, office: str) -> str | None:
        """Who the article names right after an office ("Lebanese Prime Minister Nawaf Salam"); a
        headline's capitalized words ("Syrian President Holds High-Level Talks") are not a name, so
        the holder's surname must be written again elsewhere."""
        name_part = r"((?:(?:al|bin)[-\s])?[A-Z][\w’'\-]+(?:\s+(?:al-|bin\s)?[A-Z][\w’'\-]+){0,2})"
        for m in re.finditer(r"(?i:" + re.escape(office) + r")\s+" + name_part, self.article):
            name = m.group(1)
            surname = name.split()[-1]
            mentions_of = re.findall(rf"(?<!\w){re.escape(surname)}(?!\w)", self.article)
            if name[:1].isupper() and len(mentions_of) >= 2:
                return name
        return None

    def by_unique_token(self, name: str) -> int | None:
        """The one actor whose name holds every token of a short name, wherever it stands ("Yoon" is
        "Yoon Suk-yeol", "Kishida" is "Kishida Fumio": family names come first there)."""
        tokens = name_tokens(name)
        if not tokens or len(tokens) > 2:
            return None
        found = [
            i
            for i, a in enumerate(self.actors)
            if any(all(t in name_tokens(n) for t in tokens) for n in a.names)
        ]
        return found[0] if len(found) == 1 else None

    def actor_index(self, name: str, *, create: bool = True) -> int | None:
        name = name.strip()
        if not name:
            return None
        for i, actor in enumerate(self.actors):
            if self.matches(actor, name):
                return i
        only = self.by_unique_token(name)
        if only is not None:
            return only
        if is_office_only(name):
            # An event that names a person by office ("Syrian President"): the actor holding it.
            for i, actor in enumerate(self.actors):
                if actor.title and fold(actor.title) == fold(name):
                    return i
            holder = self.office_holder(name)
            if holder is not None and fold(holder) != fold(name):
                return self.actor_index(holder, create=create)
        if not create or not self._in_article(name) or (self.outlet and _is_outlet(name, self.outlet)):
            return None
        kind: ActorKind = "person" if len(name_tokens(name)) >= 2 and name[:1].isupper() else "other"
        self.actors.append(_ActorDraft(names=[name], kind=kind))
        self.warn(f"actor {name!r} added: referenced by an event but missing from the actor list")
        return len(self.actors) - 1

    def actor_ids(self, names: list[str], what: str) -> list[int]:
        indices: list[int] = []
        for name in names:
            i = self.actor_index(name)
            if i is None:
                self.warn(f"{what}: reference {name!r} dropped: not an actor of this article")
            elif i not in indices:
                indices.append(i)
        return indices

    # --- evidence -----------------------------------------------------------------------------

    def evidence(self, numbers: list[int], names: list[str], what: str) -> list[Evidence]:
        """Cited sentences that exist and mention the item; else the first sentence that does."""
        kept, rejected = cited_sentences(numbers, self.sentences, must_mention=names)
        if rejected:
            self.warn(f"{what}: cited sentence(s) {rejected} rejected (missing or not about it)")
        if not kept:
            kept = sentences_mentioning(self.sentences, names)
            if kept:
                self.warn(f"{what}: evidence re-anchored to sentence {kept[0].number}")
        return [sentence_evidence(s) for s in kept[:MAX_EVIDENCE]]

    def when(self, words: str | None, status: str, what: str, evidence: list[Evidence]) -> When | None:
        """A date from the model's words, only when the article really says them.

        Words missing from the item's evidence (a small model echoing an example, or citing the wrong
        sentence) are replaced by the one date expression the evidence holds; failing that they are
        kept only if the article has them somewhere, and dropped otherwise.
        """
        if words is None or not words.strip():
            return None
        direction: EventStatus = "planned" if status == "planned" else "occurred"
        if any(words_in_article(ev.text, words) for ev in evidence):
            return resolve(words, self.published, direction)
        found = list(dict.fromkeys(x for ev in evidence for x in date_expressions(ev.text)))
        if len(found) == 1:
            self.warn(f"{what}: date words {words!r} are not in its evidence; used {found[0]!r} from there")
            return resolve(found[0], self.published, direction)
        if words_in_article(self.article, words):
            return resolve(words, self.published, direction)
        self.warn(f"{what}: date words {words!r} are not in the article; date dropped")
        return None


def assemble(
    draft: Draft | EventsDraft,
    article: str,
    sentences: list[Sentence],
    published: dt.date | None,
    *,
    claim_cues: list[ClaimCue] | None = None,
    encounters: list[EncounterCue] | None = None,
    outlet: str | None = None,
) -> Assembled:
    """``claim_cues``: claims read by code (``attribution.find_cues``) instead of the draft's;
    ``encounters``: sentences code read as meetings (``encounters.find_encounters``), added where no
    meeting of the draft covers them; ``outlet``: the publishing outlet, never a claim's source."""
    b = _Builder(article, sentences, published, outlet)
    for actor in draft.actors:
        b.add_actor(actor)
    if claim_cues is not None or encounters is not None:
        # Code reads the article too: a person an office names ("Polish President Andrzej Duda") is an
        # actor even when the model's list, bounded and prone to loop, left them out.
        for name, office in office_holders(article):
            if b.actor_index(name, create=False) is None and b._in_article(name):
                b.actors.append(_ActorDraft(names=[name], kind="person", title=office))
                b.warn(f"actor {name!r} added: named with an office ({office!r})")

    visits: list[tuple[list[int], Visit]] = []
    for i, dv in enumerate(draft.visits, start=1):
        what = f"visit {i}"
        visitor_idx = b.actor_ids(dv.visitors, what)
        if not visitor_idx:
            b.warn(f"{what} dropped: no visitor is an actor of this article")
            continue
        names = [n for j in visitor_idx for n in b.actors[j].names]
        evidence = b.evidence(dv.sentences, names, what)
        if not evidence:
            b.warn(f"{what} dropped: no sentence of the article supports it")
            continue
        visit = Visit(
            id="V1",  # placeholder; numbered after sorting
            visitor_ids=["A1"],
            destination=Place(name=dv.destination, country=dv.destination_country),
            origin=Place(name=dv.origin) if dv.origin else None,
            arrival=b.when(dv.arrival, dv.status, what, evidence),
            departure=b.when(dv.departure, dv.status, what, evidence),
            disclosure=dv.disclosure,
            status=dv.status,
            purposes=list(dv.purposes),
            evidence=evidence,
        )
        visit = _anchor_arrival(b, visit, names, what)
        duplicate = next((v for idx, v in visits if _same_visit(idx, v, visitor_idx, visit)), None)
        if duplicate is not None:
            _merge_evidence(duplicate.evidence, evidence)
            b.warn(f"{what} merged into an identical earlier visit")
            continue
        visits.append((visitor_idx, visit))

    meetings: list[tuple[list[int], Meeting]] = []
    for i, dm in enumerate(draft.meetings, start=1):
        what = f"meeting {i}"
        participant_idx = b.actor_ids(dm.participants, what)
        if len(participant_idx) < 2:
            b.warn(f"{what} dropped: fewer than two participants are actors of this article")
            continue
        names = [n for j in participant_idx for n in b.actors[j].names]
        evidence = b.evidence(dm.sentences, names, what)
        if not evidence:
            b.warn(f"{what} dropped: no sentence of the article supports it")
            continue
        meeting = Meeting(
            id="M1",  # placeholder
            participant_ids=["A1"],
            location=Place(name=dm.location) if dm.location else None,
            date=b.when(dm.date, dm.status, what, evidence),
            status=dm.status,
            private=dm.private,
            topics=list(dm.topics),
            evidence=evidence,
        )
        same_meeting = next(
            (m for idx, m in meetings if set(idx) == set(participant_idx) and m.date == meeting.date), None
        )
        if same_meeting is not None:
            _merge_evidence(same_meeting.evidence, evidence)
            b.warn(f"{what} merged into an identical earlier meeting")
            continue
        meetings.append((participant_idx, meeting))

    if encounters is not None:
        _add_trips(b, visits, find_trips(sentences))
        _add_encounters(b, meetings, encounters, claim_cues or [], visits)

    claims: list[tuple[int | None, list[int], Claim]] = []
    if claim_cues is not None:
        claims = _claims_from_cues(b, claim_cues, outlet)
    for i, dc in enumerate(draft.claims if isinstance(draft, Draft) else [], start=1):
        what = f"claim {i}"
        speaker = b.actor_index(dc.speaker, create=True) if dc.speaker else None
        about_idx = b.actor_ids(dc.about, what)
        quote_ev = locate(article, dc.quote) if dc.quote else None
        if dc.quote and quote_ev is None:
            b.warn(f"{what}: quote dropped: not found in the article")
        evidence = [quote_ev] if quote_ev is not None else []
        anchor_names = [dc.source, *([dc.speaker] if dc.speaker else [])]
        quote_sentence = containing_sentence(sentences, quote_ev) if quote_ev else None
        cited = b.evidence(dc.sentences, [], what)
        for ev in cited:
            # The quote already points into its sentence; other cited sentences add context.
            if quote_sentence is None or ev.start != quote_sentence.start:
                _merge_evidence(evidence, [ev])
        if not evidence:
            evidence = [sentence_evidence(s) for s in sentences_mentioning(sentences, anchor_names)]
        if not evidence:
            b.warn(f"{what} dropped: no sentence of the article supports it")
            continue
        if quote_ev is None:
            # The model copied no quote (a small one rarely does): the quoted words of its sentence.
            quote_ev = next((q for ev in cited if (q := _quote_in(article, sentences, ev))), None)
        if not about_idx:
            about_idx = _named_in(b, cited or evidence[:1], exclude=speaker)
        claim = Claim(
            id="C1",  # placeholder
            source=dc.source,
            attribution=dc.attribution,
            statement=dc.statement,
            quote=quote_ev.text if quote_ev else None,
            evidence=evidence[:MAX_EVIDENCE],
        )
        claims.append((speaker, about_idx, claim))

    # Ids in order of first appearance in the article, so equal input gives equal ids.
    actor_ids = _actor_ids(b, sentences)
    out_actors = _finish_actors(b, actor_ids)
    out_visits: list[Visit] = []
    for n, (idx, v) in enumerate(sorted(visits, key=lambda p: _first_offset(p[1].evidence)), start=1):
        out_visits.append(v.model_copy(update={"id": f"V{n}", "visitor_ids": [actor_ids[i] for i in idx]}))
    out_meetings: list[Meeting] = []
    for n, (idx, m) in enumerate(sorted(meetings, key=lambda p: _first_offset(p[1].evidence)), start=1):
        ids = [actor_ids[i] for i in idx]
        out_meetings.append(
            m.model_copy(
                update={"id": f"M{n}", "participant_ids": ids, "visit_id": _visit_of(m, ids, out_visits)}
            )
        )
    out_claims: list[Claim] = []
    for n, (speaker, idx, c) in enumerate(
        sorted(claims, key=lambda p: _first_offset(p[2].evidence)), start=1
    ):
        out_claims.append(
            c.model_copy(
                update={
                    "id": f"C{n}",
                    "speaker_id": actor_ids[speaker] if speaker is not None else None,
                    "about_ids": [actor_ids[i] for i in idx],
                }
            )
        )
    return Assembled(out_actors, out_visits, out_meetings, out_claims, b.warnings)


_ARRIVAL_VERB = re.compile(r"\b(?:arrived|arrives|arriving|travell?ed|landed|flew)\b", re.IGNORECASE)
_ARRIVAL_WINDOW = dt.timedelta(days=7)


def _anchor_arrival(b: _Builder, visit: Visit, visitor_names: list[str], what: str) -> Visit:
    """Take the arrival date from the sentence that states the arrival, when the article has one.

    A small model often copies the date of something else the visitor did ("held meetings on
    Thursday") as the arrival. When exactly one date is written after an arrival verb in sentences
    that name the visitor and the destination ("Qaani arrived in Baghdad on Wednesday"), that date
    wins, provided it is within a week of the model's (so a background trip keeps its own date).
    """
    if visit.status != "occurred" or visit.arrival is None:
        return visit
    destination = [t for t in re.findall(r"\w+", visit.destination.name) if len(t) >= 4]
    found: dict[str, Sentence] = {}
    for s in b.sentences:
        verb = _ARRIVAL_VERB.search(s.text)
        if verb is None or not mentions(s.text[: verb.start()], visitor_names):
            continue
        if destination and not any(t in s.text for t in destination):
            continue
        after = date_expressions(s.text[verb.end() :])
        if after:
            found.setdefault(after[0], s)
    if len(found) != 1:
        return visit
    (words, sentence), *_ = found.items()
    if words_in_article(sentence.text, visit.arrival.text):
        return visit
    when = resolve(words, b.published, "occurred")
    old, new = visit.arrival.date, when.date if when else None
    if not (old and new and len(old) == len(new) == 10):
        return visit
    if abs(dt.date.fromisoformat(old) - dt.date.fromisoformat(new)) > _ARRIVAL_WINDOW:
        return visit
    b.warn(f"{what}: arrival {visit.arrival.text!r} replaced by {words!r}, written after the arrival verb")
    evidence = list(visit.evidence)
    _merge_evidence(evidence, [sentence_evidence(sentence)])
    return visit.model_copy(update={"arrival": when, "evidence": evidence})


def _quote_in(article: str, sentences: list[Sentence], evidence: Evidence) -> Evidence | None:
    sentence = containing_sentence(sentences, evidence)
    return quoted_span(article, sentence) if sentence else None


def _named_in(b: _Builder, evidence: list[Evidence], *, exclude: int | None) -> list[int]:
    """Actors of the article a claim's sentences name, other than its speaker, in order of mention."""
    text = " ".join(ev.text for ev in evidence)

    def position(names: list[str]) -> int:
        spots = [text.find(w) for n in names for w in (n, n.split()[-1]) if w]
        return min((x for x in spots if x >= 0), default=len(text))

    others = [(i, a) for i, a in enumerate(b.actors) if i != exclude]
    named = [(position(a.names), i) for i, a in others if mentions(text, a.names)]
    return [i for _, i in sorted(named)]


def _first_offset(evidence: list[Evidence]) -> int:
    return min((e.start for e in evidence), default=1 << 30)


def _merge_evidence(into: list[Evidence], new: list[Evidence]) -> None:
    for ev in new:
        if all((ev.start, ev.end) != (e.start, e.end) for e in into):
            into.append(ev)


def _same_visit(idx_a: list[int], a: Visit, idx_b: list[int], b: Visit) -> bool:
    return (
        set(idx_a) == set(idx_b)
        and same_person(a.destination.name, b.destination.name)
        and (a.arrival.date if a.arrival else None) == (b.arrival.date if b.arrival else None)
        and a.status == b.status
    )


def _actor_ids(b: _Builder, sentences: list[Sentence]) -> dict[int, str]:
    def first_mention(i: int) -> int:
        at = [b.article.find(n) for n in b.actors[i].names]
        found = [x for x in at if x >= 0]
        if found:
            return min(found)
        hits = sentences_mentioning(sentences, b.actors[i].names)
        return hits[0].start if hits else len(b.article)

    order = sorted(range(len(b.actors)), key=lambda i: (first_mention(i), i))
    return {i: f"A{n}" for n, i in enumerate(order, start=1)}


def _finish_actors(b: _Builder, ids: dict[int, str]) -> list[Actor]:
    actors: list[Actor] = []
    for i, a in enumerate(b.actors):
        name = _best_name(a.names)
        evidence = b.evidence(a.sentence_numbers, a.names, f"actor {name!r}")
        if not evidence:
            spans = [locate(b.article, n, fuzzy=False) for n in a.names]
            evidence = [next(sp for sp in spans if sp is not None)] if any(spans) else []
        actors.append(
            Actor(
                id=ids[i],
                name=name,
                aliases=[n for n in a.names if n != name],
                kind=a.kind,
                title=a.title,
                affiliation=a.affiliation,
                country=a.country,
                evidence=evidence[:2],
            )
        )
    return sorted(actors, key=lambda a: int(a.id[1:]))


def _visit_of(meeting: Meeting, participant_ids: list[str], visits: list[Visit]) -> str | None:
    """The visit a meeting happened during: a shared actor, a compatible place and date."""
    for v in visits:
        if not set(v.visitor_ids) & set(participant_ids):
            continue
        if meeting.location and not (
            same_person(meeting.location.name, v.destination.name)
            or meeting.location.name.lower() in v.destination.name.lower()
            or v.destination.name.lower() in meeting.location.name.lower()
        ):
            continue
        if (
            v.status != meeting.status
            and "planned" in (v.status, meeting.status)
            and meeting.status != "planned"
        ):
            continue
        if not _dates_compatible(v, meeting):
            continue
        return v.id
    return None


def _dates_compatible(visit: Visit, meeting: Meeting) -> bool:
    arrival = visit.arrival.date if visit.arrival else None
    date = meeting.date.date if meeting.date else None
    if arrival is None or date is None:
        return True
    if len(arrival) < 10 or len(date) < 10:
        return arrival.startswith(date) or date.startswith(arrival)
    departure = visit.departure.date if visit.departure and visit.departure.date else None
    until = (
        dt.date.fromisoformat(departure)
        if departure and len(departure) == 10
        else (dt.date.fromisoformat(arrival) + dt.timedelta(days=7))
    )
    return dt.date.fromisoformat(arrival) <= dt.date.fromisoformat(date) <= until


# --- claims read by code ------------------------------------------------------------------------------

_CONTINUE_WITHIN = 3  # sentences: "He added ..." continues a source named this recently
_ORG_WORDS = frozenset(
    {
        "ministry",
        "office",
        "government",
        "council",
        "agency",
        "party",
        "organization",
        "organisation",
        "department",
        "kremlin",
        "presidency",
        "house",
        "movement",
        "front",
        "army",
        "forces",
        "bureau",
        "committee",
        "coalition",
        "alliance",
        "group",
        "embassy",
        "channel",
        "television",
        "times",
        "news",
    }
)


def _name_run(phrase: str) -> str | None:
    """The proper name a source phrase ends with ("Kremlin spokesperson Dmitry Peskov" -> "Dmitry
    Peskov"; "the Syrian Interior Ministry" -> "Syrian Interior Ministry")."""
    tokens = re.findall(r"[\w’'\-.]+", phrase)
    run: list[str] = []
    for token in reversed(tokens):
        if token[:1].isupper() or (run and token.lower() in {"al", "bin", "al-", "de", "da", "von"}):
            run.append(token)
        else:
            break
    run.reverse()
    while run and run[0].lower() in {"the", "a", "an"}:
        run = run[1:]
    return " ".join(run) if run else None


def _speaker_for(b: _Builder, phrase: str) -> int | None:
    """The actor a source phrase names: a person first, then an organization, then a state."""
    named = [(i, a) for i, a in enumerate(b.actors) if mentions(phrase, a.names)]
    if not named:
        only = b.by_unique_token(phrase)
        return only
    rank = {"person": 0, "organization": 1, "state": 2, "other": 3}
    return min(named, key=lambda p: (rank.get(p[1].kind, 3), -max(len(n) for n in p[1].names)))[0]


def _by_role(b: _Builder, phrase: str) -> int | None:
    """The person a description names by role ("the president", "the Iranian official"): the one
    whose title, affiliation or country shares its words."""
    words = [w for w in re.findall(r"[a-z]+", phrase.lower()) if w not in {"the", "his", "her"}]
    best: tuple[int, int] | None = None
    for i, actor in enumerate(b.actors):
        if actor.kind != "person":
            continue
        about = " ".join(x for x in (actor.title, actor.affiliation, actor.country) if x).lower()
        score = sum(1 for w in words if w in about or (len(w) > 5 and w[:4] in about))
        if score and (best is None or score > best[0]):
            best = (score, i)
    return best[1] if best else None


def _linked_speaker(b: _Builder, phrase: str) -> int | None:
    """Who a source phrase names. A person named in it speaks ("Iran's foreign ministry spokesman Saeed
    Khatibzadeh" is Khatibzadeh, not Iran); a body named as the head speaks for itself ("Iran's foreign
    ministry" is the ministry, not Iran); otherwise the actor the phrase mentions."""
    words = re.findall(r"[\w’'\-]+", phrase)
    head = phrase.split(",", 1)[0].strip()
    if head != phrase and re.fullmatch(r"(?:[A-Z][\w’'\-.]*\s+){0,3}[A-Z][\w’'\-.]*", head):
        # "Rasul Radi, a member of the State of Law Coalition": the name before the appositive.
        return _created_speaker(b, head)
    if has_person_name(phrase):
        return _created_speaker(b, phrase)
    if words and words[-1].lower() in _ORG_WORDS and len(words) <= 6:
        body = re.sub(r"^(?:the|a|an)\s+", "", phrase.strip(), flags=re.I)
        existing = next((i for i, a in enumerate(b.actors) if b.matches(a, body)), None)
        if existing is not None:
            return existing
        b.actors.append(_ActorDraft(names=[body], kind="organization"))
        b.warn(f"actor {body!r} added: the source of a claim")
        return len(b.actors) - 1
    return _speaker_for(b, phrase)


def _created_speaker(b: _Builder, phrase: str) -> int | None:
    name = _name_run(phrase)
    if name is None or len(name) < 3:
        return None
    index = b.actor_index(name, create=True)
    if index is not None and b.actors[index].kind == "other":
        words = set(name.lower().split())
        b.actors[index].kind = "organization" if words & _ORG_WORDS or len(words) == 1 else "person"
    return index


def _is_outlet(source: str, outlet: str | None) -> bool:
    """The source is the publishing outlet itself ("Shafaq News reported", "our agency")."""
    if source.lower() in {"our agency", "our correspondent", "our reporter", "this newspaper"}:
        return True
    if not outlet:
        return False
    bare = fold(re.sub(r"^(?:the)\s+", "", source, flags=re.I))
    # "CNN" for "CNN Arabic", "SANA" for "SANA (Syrian Arab News Agency)".
    return bare == fold(outlet) or fold(outlet).startswith(bare + " ") or same_person(source, outlet)


def _claims_from_cues(
    b: _Builder, cues: list[ClaimCue], outlet: str | None
) -> list[tuple[int | None, list[int], Claim]]:
    """One claim per attributed sentence, its speaker linked to an actor by code."""
    claims: list[tuple[int | None, list[int], Claim]] = []
    previous: tuple[ClaimCue, int | None, Attribution] | None = None
    for cue in cues:
        what = f"claim at sentence {cue.sentence.number}"
        if _is_outlet(cue.source, outlet):
            b.warn(f"{what}: the publishing outlet's own report, not a claim")
            continue
        speaker: int | None
        attribution: Attribution
        if cue.continues:
            near = (
                previous is not None and cue.sentence.number - previous[0].sentence.number <= _CONTINUE_WITHIN
            )
            if previous is None or not near:
                b.warn(f"{what}: {cue.source!r} continues no recent source; dropped")
                continue
            _, speaker, attribution = previous
            source = previous[0].source
        elif cue.described and (role := _by_role(b, cue.source)) is not None:
            source, speaker, attribution = cue.source, role, "named"
        else:
            source = cue.source
            attribution = cue.attribution_hint
            speaker = None if attribution in ("anonymous", "unattributed") else _linked_speaker(b, cue.source)
            if speaker is None and attribution not in ("anonymous", "unattributed", "media"):
                speaker = _created_speaker(b, cue.source)
            if speaker is None and attribution == "media":
                speaker = _created_speaker(b, cue.source) if _name_run(cue.source) else None
            if speaker is not None:
                kind = b.actors[speaker].kind
                if kind == "person" and attribution in ("anonymous", "official_statement", "named"):
                    attribution = "named" if classify(cue.source) != "analyst" else "analyst"
                elif kind in ("organization", "state") and attribution == "named":
                    attribution = "official_statement"
            elif attribution == "named" and re.fullmatch(r"[\u0600-\u06FF\s]+", cue.source):
                # Arabic has no capitals to find a name by: the source phrase, as written, is the actor.
                b.actors.append(_ActorDraft(names=[cue.source], kind="organization"))
                b.warn(f"actor {cue.source!r} added: the source of a claim")
                speaker = len(b.actors) - 1
            elif attribution == "named":
                b.warn(f"{what}: source {cue.source!r} is no actor of this article; dropped")
                continue
        previous = (cue, speaker, attribution)
        evidence = [sentence_evidence(cue.sentence)]
        about = _named_in(b, evidence, exclude=speaker)
        statement = cue.statement.strip()[:300] or cue.sentence.text[:300]
        claims.append(
            (
                speaker,
                about,
                Claim(
                    id="C1",  # placeholder
                    source=source,
                    attribution=attribution,
                    statement=statement,
                    quote=cue.quote.text if cue.quote else None,
                    evidence=evidence,
                ),
            )
        )
    return claims


# --- meetings read by code ----------------------------------------------------------------------------


def _add_encounters(
    b: _Builder,
    meetings: list[tuple[list[int], Meeting]],
    encounters: list[EncounterCue],
    claim_cues: list[ClaimCue],
    visits: list[tuple[list[int], Visit]],
) -> None:
    visitors = {i for idx, _ in visits for i in idx}
    dateline = dateline_place(b.article)
    """A meeting for each encounter sentence naming two or more actors that no meeting covers yet."""
    # A named source often took part ("Trump told CNN he met Netanyahu"); an unnamed one or an outlet
    # only reports ("a political source told Shafaq News that Qaani met al-Maliki").
    sources = {
        c.sentence.number: c.source_span
        for c in claim_cues
        if c.source_span is not None and c.attribution_hint != "named"
    }
    for cue in encounters:
        what = f"meeting at sentence {cue.sentence.number}"
        text = cue.sentence.text
        source = sources.get(cue.sentence.number)
        if source is not None:
            # Who reports a meeting is not in it: blank the source phrase out.
            at = source.start - cue.sentence.start
            text = text[:at] + " " * (source.end - source.start) + text[at + source.end - source.start :]
        named = sorted(
            (i for i, a in enumerate(b.actors) if mentions(text, a.names)),
            key=lambda i: _position(text, b.actors[i].names),
        )
        people = [i for i in named if b.actors[i].kind == "person"]
        bodies = [i for i in named if b.actors[i].kind == "organization"]
        states = [i for i in named if b.actors[i].kind == "state"]
        # A person stands for their state; states meet only when no person is named ("talks between
        # Washington and Tehran").
        participants = people + bodies if len(people) + len(bodies) >= 2 else states if not people else []
        if len(participants) < 2:
            continue
        evidence = [sentence_evidence(cue.sentence)]
        words = next(iter(date_expressions(cue.sentence.text)), None)
        when = resolve(words, b.published, cue.status) if words else None
        groups = [participants]
        if cue.several and len(participants) >= 3:
            # "meetings with his counterpart, the president and the prime minister": one per host,
            # each with the visitor (whoever travelled, else the first named).
            guest = next((i for i in participants if i in visitors), participants[0])
            groups = [[guest, other] for other in participants if other != guest]
        for group in groups:
            _add_encounter(b, meetings, group, when, cue.status, evidence, what, exact=len(groups) > 1)
        if cue.guest_from is None or cue.status != "occurred":
            continue
        # "Assad received Kharazi" in a story filed from Damascus, "hosting Orbán at Mar-a-Lago": the
        # guest travelled to the place the sentence states, else to the dateline's.
        where = stated_place(text[cue.guest_from :]) or dateline
        if where is not None:
            after = text[cue.guest_from :]
            guests = [i for i in participants if _position(after, b.actors[i].names) < len(after)]
            hosts = {i for i in participants if i not in guests}
            # A host receiving guests at home did not travel there (a small model says so anyway).
            for hosted in [
                pair
                for pair in visits
                if set(pair[0]) <= hosts and fold(pair[1].destination.name) == fold(where)
            ]:
                visits.remove(hosted)
                visitors.difference_update(hosted[0])
                b.warn(f"{what}: visit by the host {b.actors[hosted[0][0]].names[0]!r} to {where!r} dropped")
            for guest in guests:
                if guest not in visitors:
                    visitors.add(guest)
                    b.warn(
                        f"{what}: a visit by {b.actors[guest].names[0]!r} to {where!r}, from the reception"
                    )
                    visits.append(
                        (
                            [guest],
                            Visit(
                                id="V1",  # placeholder
                                visitor_ids=["A1"],
                                destination=Place(name=where),
                                arrival=when,
                                status="occurred",
                                evidence=list(evidence),
                            ),
                        )
                    )


def _position(text: str, names: list[str]) -> int:
    spots = [text.find(w) for n in names for w in (n, n.split()[-1]) if w and text.find(w) >= 0]
    return min(spots, default=len(text))


def _add_encounter(
    b: _Builder,
    meetings: list[tuple[list[int], Meeting]],
    participants: list[int],
    when: When | None,
    status: EventStatus,
    evidence: list[Evidence],
    what: str,
    *,
    exact: bool = False,
) -> None:
    """Add the meeting unless one with (about) these participants and a compatible date exists."""
    need = 1.0 if exact else 0.5
    covered = next(
        (
            m
            for idx, m in meetings
            if len(set(idx) & set(participants)) / len(set(idx) | set(participants)) >= need
            and (m.date is None or when is None or m.date.date == when.date)
        ),
        None,
    )
    if covered is not None:
        _merge_evidence(covered.evidence, evidence)
        return
    b.warn(f"{what}: added from the sentence (no meeting of the draft covered it)")
    meeting = Meeting(
        id="M1",  # placeholder
        participant_ids=["A1"],
        date=when,
        status=status,
        evidence=list(evidence),
    )
    meetings.append((participants, meeting))


def _add_trips(b: _Builder, visits: list[tuple[list[int], Visit]], trips: list[TripCue]) -> None:
    """A visit for each stated trip whose traveller is an actor and that no visit covers yet."""
    for trip in trips:
        what = f"visit at sentence {trip.sentence.number}"
        head = trip.sentence.text[: trip.verb_at]
        # The traveller: the person named last before the trip words ("Qaani arrived", "Araghchi's trip").
        named = [
            (pos, i)
            for i, a in enumerate(b.actors)
            if a.kind == "person" and (pos := _last_position(head, a.names)) >= 0
        ]
        if not named:
            continue
        visitor = max(named)[1]
        if b.matches(b.actors[visitor], trip.place) or any(
            b.matches(a, trip.place) for a in b.actors if a.kind == "person"
        ):
            continue  # "visited Assad": a person, not a place
        place = Place(name=trip.place)
        if any(visitor in idx and _places_alike(v.destination.name, trip.place) for idx, v in visits):
            continue
        words = next(iter(date_expressions(trip.sentence.text[trip.verb_at :])), None)
        when = resolve(words, b.published, trip.status) if words else None
        b.warn(f"{what}: a trip by {b.actors[visitor].names[0]!r} to {trip.place!r} the draft missed")
        visits.append(
            (
                [visitor],
                Visit(
                    id="V1",  # placeholder
                    visitor_ids=["A1"],
                    destination=place,
                    arrival=when,
                    status=trip.status,
                    evidence=[sentence_evidence(trip.sentence)],
                ),
            )
        )


def _last_position(text: str, names: list[str]) -> int:
    spots = [text.rfind(w) for n in names for w in (n, n.split()[-1]) if w]
    return max(spots, default=-1)


def _places_alike(a: str, b: str) -> bool:
    fa, fb = fold(a), fold(b)
    return fa == fb or fa in fb or fb in fa or same_person(a, b)
