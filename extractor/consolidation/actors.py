"""Cross-article actor merging: one MergedActor per real person or organization.

Rules (docs/consolidation.md has the worked examples):

1. Full names merge. Two article actors merge when a full name (two or more name tokens after
   titles and particles are dropped) of one is ``same_person`` as a full name of the other, and at
   least one of the two names is that actor's primary name (alias-to-alias matches are too weak:
   two commanders can share the alias "Quds Force commander").
2. Partial names attach only when unambiguous. An actor known only by a one-token name ("Qaani",
   "al-Sudani") joins the one full-name actor it matches; if it matches several (e.g. "Khamenei"
   with both Ali and Mojtaba Khamenei present) it stays on its own. Only persons (and kind
   "other") attach this way: "Hezbollah" must not become "Kata'ib Hezbollah". Partial names that
   match no full name merge with each other ("Iran" in every article is one state).
   Organizations also merge when their names agree once generic head nouns are dropped and "-ist"
   adjectives stemmed: "Sadr faction" / "Sadrist Movement", "State of Law" / "State of Law Coalition".
3. Never merge across a conflict: two actors of one article (its extraction already told them
   apart), different kinds (person vs organization), two primary full person names that are not the
   same person, or two person names with one surname and different given names ("Ali Khamenei" vs
   "Mojtaba Khamenei"), wherever they sit in the two groups.

Mentions are processed in (article id, actor number) order, so the result does not depend on the
order articles were given in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from extractor.consolidation.model import ActorMention, MergedActor
from extractor.core.contract import Actor, ActorKind, ArticleExtraction
from extractor.core.names import name_tokens, normalize_name, same_person
from extractor.core.places import state_of_capital

_PERSONLIKE: frozenset[ActorKind] = frozenset({"person", "other"})


# Clustering compares every pair of mentions, while a corpus has few distinct names: memoize.
@lru_cache(maxsize=1 << 16)
def _tokens(name: str) -> tuple[str, ...]:
    return tuple(name_tokens(name))


@lru_cache(maxsize=1 << 16)
def _same(a: str, b: str) -> bool:
    return same_person(a, b)


def item_number(item_id: str) -> int:
    """The number in a per-article id ("A12" -> 12), for numeric rather than string order."""
    return int(item_id[1:])


Signature = tuple[tuple[str, ...], ActorKind]  # what name matching looks at: names and kind


@dataclass(frozen=True)
class _Mention:
    article_id: str
    actor: Actor
    names: tuple[str, ...]  # primary name first, then aliases; only names with tokens

    @property
    def primary(self) -> str:
        return self.names[0]

    @property
    def signature(self) -> Signature:
        return (self.names, self.actor.kind)


def _full(names: tuple[str, ...]) -> bool:
    return any(len(_tokens(n)) >= 2 for n in names)


def actor_names(actor: Actor) -> list[str]:
    """The actor's name and aliases, with a capital that stands for its state ("Baghdad said ...")
    read as the state: a city is a place, not another name of the state actor."""
    names = [actor.name, *actor.aliases]
    if actor.kind == "state":
        names = [state_of_capital(n) or n for n in names]
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def _mentions(extractions: Sequence[ArticleExtraction]) -> list[_Mention]:
    mentions: list[_Mention] = []
    for extraction in extractions:
        for actor in sorted(extraction.actors, key=lambda a: item_number(a.id)):
            names = actor_names(actor) or [actor.name]
            usable = tuple(dict.fromkeys(n for n in names if _tokens(n))) or (actor.name,)
            mentions.append(_Mention(extraction.article.id, actor, usable))
    return mentions


def _kinds_compatible(a: ActorKind, b: ActorKind) -> bool:
    return a == b or "other" in (a, b)


def _is_full(name: str) -> bool:
    return len(_tokens(name)) >= 2


@lru_cache(maxsize=1 << 16)
def _surname_clash(a: str, b: str) -> bool:
    ta, tb = _tokens(a), _tokens(b)
    return len(ta) >= 2 and len(tb) >= 2 and _same(ta[-1], tb[-1]) and not _same(a, b)


@lru_cache(maxsize=1 << 16)
def _signatures_conflict(a: Signature, b: Signature) -> bool:
    (names_a, kind_a), (names_b, kind_b) = a, b
    if not _kinds_compatible(kind_a, kind_b):
        return True
    if kind_a not in _PERSONLIKE or kind_b not in _PERSONLIKE:
        return False
    if _is_full(names_a[0]) and _is_full(names_b[0]) and not _same(names_a[0], names_b[0]):
        return True
    return any(_surname_clash(x, y) for x in names_a for y in names_b)


# Head nouns that organizations drop or swap freely ("the Sadr faction" / "the Sadrist Movement").
_ORG_HEADS = frozenset(
    [
        "movement",
        "faction",
        "party",
        "organization",
        "organisation",
        "coalition",
        "bloc",
        "group",
        "current",
        "trend",
        "alliance",
    ]
)


@lru_cache(maxsize=1 << 16)
def _org_key(name: str) -> tuple[str, ...]:
    """An organization's distinctive words: generic head nouns dropped, "-ist" adjectives stemmed."""
    tokens = [t for t in _tokens(name) if t not in _ORG_HEADS]
    return tuple(t[:-3] if t.endswith("ist") and len(t) > 5 else t for t in tokens)


@lru_cache(maxsize=1 << 16)
def _strong_match(a: Signature, b: Signature) -> bool:
    (names_a, kind_a), (names_b, kind_b) = a, b
    organizations = kind_a == "organization" and kind_b == "organization"
    for i, x in enumerate(names_a):
        for j, y in enumerate(names_b):
            if i != 0 and j != 0:
                continue
            if _is_full(x) and _is_full(y) and _same(x, y):
                return True
            if organizations and _org_key(x) and _org_key(x) == _org_key(y):
                return True
    return False


@lru_cache(maxsize=1 << 16)
def _any_match(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    return any(_same(x, y) for x in a for y in b)


class _Partition:
    """Union-find over mentions that refuses a union joining conflicting mentions (rule 3)."""

    def __init__(self, mentions: list[_Mention]) -> None:
        self.mentions = mentions
        self.parent = list(range(len(mentions)))
        self._members = {i: [i] for i in range(len(mentions))}
        self._actor_in = {i: {m.article_id: m.actor.id} for i, m in enumerate(mentions)}
        self._signatures = {i: {m.signature} for i, m in enumerate(mentions)}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def members(self, i: int) -> list[int]:
        return self._members[self.find(i)]

    def conflict(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        actors_a, actors_b = self._actor_in[ra], self._actor_in[rb]
        if any(actors_b.get(article, actor) != actor for article, actor in actors_a.items()):
            return True
        return any(_signatures_conflict(x, y) for x in self._signatures[ra] for y in self._signatures[rb])

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.conflict(ra, rb):
            return False
        # The smaller index stays root so groups are named by their earliest mention.
        keep, gone = min(ra, rb), max(ra, rb)
        self.parent[gone] = keep
        self._members[keep] = sorted(self._members[keep] + self._members.pop(gone))
        self._actor_in[keep] |= self._actor_in.pop(gone)
        self._signatures[keep] |= self._signatures.pop(gone)
        return True

    def roots(self) -> list[int]:
        return sorted(self._members)


def _cluster(mentions: list[_Mention]) -> list[list[int]]:
    part = _Partition(mentions)
    by_signature: dict[Signature, list[int]] = {}
    for i, m in enumerate(mentions):
        by_signature.setdefault(m.signature, []).append(i)

    # Rule 1: each mention tries to join every earlier group holding a strong match, in order.
    for j, mention in enumerate(mentions):
        tried: set[int] = set()
        for signature, indices in by_signature.items():
            if not _strong_match(signature, mention.signature):
                continue
            for i in indices:
                if i >= j:
                    break
                root = part.find(i)
                if root not in tried:
                    tried.add(root)
                    part.union(i, j)

    strong_roots = part.roots()
    names_of = {r: {mentions[i].names for i in part.members(r)} for r in strong_roots}
    personlike = {
        r: all(mentions[i].actor.kind in _PERSONLIKE for i in part.members(r)) for r in strong_roots
    }
    full_roots = [r for r in strong_roots if any(_full(n) for n in names_of[r])]
    partial_roots = [r for r in strong_roots if not any(_full(n) for n in names_of[r])]

    def matches(a: int, b: int) -> bool:
        return any(_any_match(x, y) for x in names_of[a] for y in names_of[b])

    # Rule 2. Candidates are judged against the groups as they stood after rule 1, so which partial
    # name is looked at first cannot change the outcome.
    unattached: list[int] = []
    for root in partial_roots:
        candidates = (
            [r for r in full_roots if personlike[r] and matches(root, r) and not part.conflict(root, r)]
            if personlike[root]
            else []
        )
        if len(candidates) == 1:
            part.union(root, candidates[0])
        elif not candidates:
            unattached.append(root)
    for i, a in enumerate(unattached):
        for b in unattached[i + 1 :]:
            if matches(a, b):
                part.union(a, b)
    return [part.members(r) for r in part.roots()]


def _display_name(mentions: list[_Mention]) -> str:
    # The fullest, then the most used name; on a tie, the spelling of the earliest article.
    counts = Counter(m.primary for m in mentions)
    first_seen = list(counts)
    return min(counts, key=lambda n: (-len(name_tokens(n)), -counts[n], first_seen.index(n)))


def _distinct(values: list[str | None]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.strip():
            seen.setdefault(normalize_name(value) or value.casefold(), value.strip())
    return sorted(seen.values(), key=lambda v: (v.casefold(), v))


def _kind(mentions: list[_Mention]) -> ActorKind:
    kinds = Counter(m.actor.kind for m in mentions if m.actor.kind != "other")
    if not kinds:
        return "other"
    return min(kinds, key=lambda k: (-kinds[k], k))


def merge_actors(
    extractions: Sequence[ArticleExtraction],
) -> tuple[list[MergedActor], dict[tuple[str, str], str]]:
    """Merge the actors of articles already sorted by id.

    Returns the merged actors (ids ``P1..`` in order of first mention) and a map from
    ``(article id, per-article actor id)`` to merged actor id.
    """
    mentions = _mentions(extractions)
    merged: list[MergedActor] = []
    index: dict[tuple[str, str], str] = {}
    for number, members in enumerate(_cluster(mentions), start=1):
        group = [mentions[i] for i in members]
        person_id = f"P{number}"
        all_names = sorted({n for m in group for n in actor_names(m.actor)})
        merged.append(
            MergedActor(
                id=person_id,
                name=_display_name(group),
                names=sorted(all_names, key=lambda n: (n.casefold(), n)),
                kind=_kind(group),
                titles=_distinct([m.actor.title for m in group]),
                affiliations=_distinct([m.actor.affiliation for m in group]),
                article_ids=sorted({m.article_id for m in group}),
                mentions=[
                    ActorMention(
                        article_id=m.article_id,
                        actor_id=m.actor.id,
                        name=m.actor.name,
                        evidence=m.actor.evidence,
                    )
                    for m in group
                ],
            )
        )
        for m in group:
            index[(m.article_id, m.actor.id)] = person_id
    return merged, index
