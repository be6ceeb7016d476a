"""The working state of one article's assembly: its text, sentences, publication date, outlet, the
actors found so far and the warnings, with the name matching every resolver shares.

``assemble`` builds one and hands it to the resolvers: the draft's items (assemble.py), the claims code
reads (claims_by_code.py) and the trips and meetings code reads (events_by_code.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from extractor.core.contract import (
    ActorKind,
    EventStatus,
    Evidence,
    When,
)
from extractor.core.dates import date_expressions, resolve
from extractor.core.draft import DraftActor
from extractor.core.grounding import (
    cited_sentences,
    mentions,
    sentence_evidence,
    sentences_mentioning,
    words_in_article,
)
from extractor.core.layout import headline_words, is_headline, line_at, only_in_byline
from extractor.core.names import (
    fold,
    heads_of_bodies,
    holder_by_role,
    is_office_only,
    media_proper_name,
    name_tokens,
    same_person,
    split_office,
)
from extractor.core.places import state_of_capital
from extractor.core.repairs import Note, Repair
from extractor.core.sentences import Sentence

MAX_EVIDENCE = 3
# A filing stamp opening the story: "date 2025-01-08 Shafaq News/ ...", "2024-09-18 - ...".
_DATELINE_DATE = re.compile(r"\s*(?:date\s*:?\s*)?(\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4})\b", re.IGNORECASE)


@dataclass
class ActorDraft:
    names: list[str]
    kind: ActorKind
    title: str | None = None
    affiliation: str | None = None
    country: str | None = None
    sentence_numbers: list[int] = field(default_factory=list)
    # The name to publish when it is not simply the fullest spelling: a state named by its capital.
    preferred: str | None = None

    @property
    def name(self) -> str:
        return self.preferred or best_name(self.names)


def best_name(names: list[str]) -> str:
    # The fullest spelling is the canonical name: "Esmail Qaani" over "Qaani" or "Mr Qaani".
    return max(names, key=lambda n: (len(name_tokens(n)), len(n)))


class Builder:
    def __init__(
        self,
        article: str,
        sentences: list[Sentence],
        published: dt.date | None,
        outlet: str | None = None,
        language: str | None = "en",
    ) -> None:
        self.language = language
        self.article = article
        self.outlet = outlet
        self.sentences = sentences
        self.published = published
        self.notes: list[Note] = []
        self.actors: list[ActorDraft] = []
        self.article_tokens = set(name_tokens(article))
        self._same_cache: dict[tuple[str, str], bool] = {}

    def resolve(self, words: str, status: EventStatus, what: str = "") -> When | None:
        """Date words resolved in the article's language; words that name no date leave a note."""
        unresolved: list[str] = []
        when = resolve(words, self.published, status, language=self.language, warnings=unresolved)
        for message in unresolved:
            self.note(Repair.DATE_UNRESOLVED, f"{what}: {message}" if what else message)
        return when

    def date_expressions(self, text: str) -> list[str]:
        return date_expressions(text, self.language)

    def note(self, code: Repair, message: str) -> None:
        self.notes.append(Note(code, message))

    @property
    def warnings(self) -> list[str]:
        return [note.message for note in self.notes]

    def matches(self, actor: ActorDraft, name: str) -> bool:
        # Every reference is compared with every actor's names, and an article repeats its names:
        # the answers are remembered for the article (a few ms of CPU per article otherwise).
        return any(self._same(name, n) for n in actor.names)

    def _same(self, a: str, b: str) -> bool:
        found = self._same_cache.get((a, b))
        if found is None:
            found = self._same_cache[(a, b)] = same_person(a, b)
        return found

    # --- actors -------------------------------------------------------------------------------

    def in_article(self, name: str) -> bool:
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
            holder = self.office_holder(draft.name.strip()) or holder_by_role(draft.name, self.article)
            if holder is not None:
                draft = draft.model_copy(update={"name": holder, "title": draft.title or draft.name})
        proper = media_proper_name(draft.name)
        if proper is not None and words_in_article(self.article, proper):
            # "SANA news agency" is SANA: the outlet's name, its description an alias.
            draft = draft.model_copy(update={"name": proper, "other_names": [draft.name, *draft.other_names]})
        names = [n.strip() for n in [draft.name, *draft.other_names] if n.strip()]
        if self.outlet and any(is_outlet(n, self.outlet) for n in names):
            self.note(
                Repair.ACTOR_DROPPED, f"actor {draft.name!r} dropped: the outlet publishing the article"
            )
            return
        present = [n for n in names if self.in_article(n)]
        # Aliases are spellings this article uses: a variant it never writes ("Ismail" in an
        # article that says "Esmail") is the model's knowledge, not the article's.
        written = [n for n in present if words_in_article(self.article, n)]
        present = written or present[:1]
        if not present:
            self.note(Repair.ACTOR_DROPPED, f"actor {draft.name!r} dropped: name not found in the article")
            return
        for dropped in set(names) - set(present):
            self.note(
                Repair.ALIAS_DROPPED, f"alias {dropped!r} of {draft.name!r} dropped: not in the article"
            )
        if not self.story_names(present, draft.name):
            return
        state = (
            next((s for n in present if (s := state_of_capital(n))), None) if draft.kind == "state" else None
        )
        if state is not None:
            # "Tehran has accused ...": the capital stands for the state, published under its name.
            present = list(dict.fromkeys([state, *present]))
        existing = next((a for a in self.actors if any(self.matches(a, n) for n in present)), None)
        if existing is None:
            self.actors.append(
                ActorDraft(
                    names=list(dict.fromkeys(present)),
                    kind=draft.kind,
                    title=draft.title,
                    affiliation=draft.affiliation,
                    country=draft.country,
                    sentence_numbers=list(draft.sentences),
                    preferred=state,
                )
            )
            return
        # One actor per real entity: a second entry for the same person merges into the first.
        existing.names = list(dict.fromkeys([*existing.names, *present]))
        existing.title = existing.title or draft.title
        existing.affiliation = existing.affiliation or draft.affiliation
        existing.country = existing.country or draft.country
        existing.sentence_numbers += draft.sentences

    def story_names(self, names: list[str], label: str) -> bool:
        """False (with a warning) for a byline's author or headline words taken for a name."""
        if only_in_byline(self.article, names):
            self.note(Repair.ACTOR_DROPPED, f"actor {label!r} dropped: only named in a byline")
            return False
        if all(headline_words(self.article, n) for n in names):
            self.note(Repair.ACTOR_DROPPED, f"actor {label!r} dropped: headline words, not a name")
            return False
        return True

    def office_holder(self, office: str) -> str | None:
        """Who the article names right after an office ("Lebanese Prime Minister Nawaf Salam"); a
        headline's capitalized words ("Syrian President Holds High-Level Talks") are not a name, so
        the holder's surname must be written again elsewhere."""
        name_part = r"((?:(?:al|bin)[-\s])?[A-Z][\w’'\-]+(?:\s+(?:al-|bin\s)?[A-Z][\w’'\-]+){0,2})"
        for m in re.finditer(r"(?i:" + re.escape(office) + r")\s+" + name_part, self.article):
            name = m.group(1)
            surname = name.split()[-1]
            mentions_of = re.findall(rf"(?<!\w){re.escape(surname)}(?!\w)", self.article)
            in_body = not is_headline(line_at(self.article, m.start()))
            if name[:1].isupper() and (in_body or len(mentions_of) >= 2):
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
        state = state_of_capital(name)
        if state is not None:
            # A capital in an item ("Tehran said") is its state's actor, when the article has one.
            found = next(
                (i for i, a in enumerate(self.actors) if a.kind == "state" and self.matches(a, state)), None
            )
            if found is not None:
                self.actors[found].names.append(name)
                return found
        only = self.by_unique_token(name)
        if only is not None:
            return only
        if is_office_only(name):
            # An event that names a person by office ("Syrian President"): the actor holding it.
            for i, actor in enumerate(self.actors):
                if actor.title and fold(actor.title) == fold(name):
                    return i
            holder = self.office_holder(name) or holder_by_role(name, self.article)
            if holder is not None and fold(holder) != fold(name):
                return self.actor_index(holder, create=create)
        if not create or not self.in_article(name) or (self.outlet and is_outlet(name, self.outlet)):
            return None
        if not self.story_names([name], name):
            return None
        kind: ActorKind = "person" if len(name_tokens(name)) >= 2 and name[:1].isupper() else "other"
        self.actors.append(ActorDraft(names=[name], kind=kind))
        self.note(
            Repair.ACTOR_ADDED,
            f"actor {name!r} added: referenced by an event but missing from the actor list",
        )
        return len(self.actors) - 1

    def actor_ids(self, names: list[str], what: str, evidence: str = "") -> list[int]:
        """``evidence``: the item's sentences. A body the model named stands for its head when the
        article calls the person "<Body> chief <Person>" and the sentences name the person
        ("Hezbollah chief Hassan Nasrallah made a visit": Nasrallah visited, not Hezbollah)."""
        heads = dict(heads_of_bodies(self.article))
        indices: list[int] = []
        for name in names:
            head = heads.get(name.strip())
            if head is not None and not mentions(evidence, [head, head.split()[-1]]):
                head = None
            person = self.actor_index(head, create=False) if head is not None else None
            if person is not None:
                self.note(Repair.REFERENCE_RESOLVED, f"{what}: {name!r} is {head!r}, its head named with it")
            i = person if person is not None else self.actor_index(name)
            if i is None:
                self.note(
                    Repair.REFERENCE_DROPPED,
                    f"{what}: reference {name!r} dropped: not an actor of this article",
                )
            elif i not in indices:
                indices.append(i)
        return indices

    def cited_text(self, numbers: list[int]) -> str:
        return " ".join(s.text for s in self.sentences if s.number in numbers)

    # --- evidence -----------------------------------------------------------------------------

    def evidence(self, numbers: list[int], names: list[str], what: str) -> list[Evidence]:
        """Cited sentences that exist and mention the item; else the first sentence that does."""
        kept, rejected = cited_sentences(numbers, self.sentences, must_mention=names)
        if rejected:
            self.note(
                Repair.EVIDENCE_REJECTED,
                f"{what}: cited sentence(s) {rejected} rejected (missing or not about it)",
            )
        if not kept:
            kept = sentences_mentioning(self.sentences, names)
            if kept:
                self.note(
                    Repair.EVIDENCE_REANCHORED, f"{what}: evidence re-anchored to sentence {kept[0].number}"
                )
        return [sentence_evidence(s) for s in kept[:MAX_EVIDENCE]]

    def when(self, words: str | None, status: str, what: str, evidence: list[Evidence]) -> When | None:
        """A date from the model's words, only when the article really says them.

        Words missing from the item's evidence (a small model echoing an example, or citing the wrong
        sentence) are replaced by the one date expression the evidence holds; failing that they are
        kept only if the article has them somewhere, and dropped otherwise.
        """
        if words is None or not words.strip():
            return None
        stamp = _DATELINE_DATE.match(self.article)
        if stamp and stamp.group(1) in words and self.article.count(stamp.group(1)) == 1:
            # "date 2025-01-08 Shafaq News/ The visit ...": when the story was filed, not when it happened.
            self.note(
                Repair.DATE_DROPPED, f"{what}: date words {words!r} are the story's dateline; date dropped"
            )
            return None
        direction: EventStatus = "planned" if status == "planned" else "occurred"
        if any(words_in_article(ev.text, words) for ev in evidence):
            return self.resolve(words, direction)
        found = list(dict.fromkeys(x for ev in evidence for x in self.date_expressions(ev.text)))
        if len(found) == 1:
            self.note(
                Repair.DATE_REPLACED,
                f"{what}: date words {words!r} are not in its evidence; used {found[0]!r} from there",
            )
            return self.resolve(found[0], direction)
        if words_in_article(self.article, words):
            return self.resolve(words, direction)
        self.note(Repair.DATE_DROPPED, f"{what}: date words {words!r} are not in the article; date dropped")
        return None


def is_outlet(source: str, outlet: str | None) -> bool:
    """The source is the publishing outlet itself ("Shafaq News reported", "our agency")."""
    if source.lower() in {"our agency", "our correspondent", "our reporter", "this newspaper"}:
        return True
    if not outlet:
        return False
    bare = fold(re.sub(r"^(?:the)\s+", "", source, flags=re.I))
    # "CNN" for "CNN Arabic", "SANA" for "SANA (Syrian Arab News Agency)".
    return bare == fold(outlet) or fold(outlet).startswith(bare + " ") or same_person(source, outlet)


def merge_evidence(into: list[Evidence], new: list[Evidence]) -> None:
    for ev in new:
        if all((ev.start, ev.end) != (e.start, e.end) for e in into):
            into.append(ev)


def named_in(builder: Builder, evidence: list[Evidence], *, exclude: int | None) -> list[int]:
    """Actors of the article a claim's sentences name, other than its speaker, in order of mention."""
    text = " ".join(ev.text for ev in evidence)

    def position(names: list[str]) -> int:
        spots = [text.find(w) for n in names for w in (n, n.split()[-1]) if w]
        return min((x for x in spots if x >= 0), default=len(text))

    others = [(i, a) for i, a in enumerate(builder.actors) if i != exclude]
    named = [(position(a.names), i) for i, a in others if mentions(text, a.names)]
    return [i for _, i in sorted(named)]


def position_in(text: str, names: list[str]) -> int:
    spots = [text.find(w) for n in names for w in (n, n.split()[-1]) if w and text.find(w) >= 0]
    return min(spots, default=len(text))
