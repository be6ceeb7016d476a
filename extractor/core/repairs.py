"""What assembly changed in the model's draft, or added to it, as typed codes.

Every repair is published as a sentence in ``meta.warnings`` (people read those); the code says what
kind of repair it was, so tests, metrics and the eval can count repairs without parsing sentences.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Repair(StrEnum):
    ACTOR_ADDED = "actor_added"  # code found an actor the model left out (office, reference, claim source)
    ACTOR_DROPPED = "actor_dropped"  # the outlet, not in the article, a byline, headline words, a thing
    ALIAS_DROPPED = "alias_dropped"  # a spelling the article never writes
    REFERENCE_RESOLVED = "reference_resolved"  # a body named for the person who acted for it
    REFERENCE_DROPPED = "reference_dropped"  # a name in an item that is no actor of the article
    EVIDENCE_REJECTED = "evidence_rejected"  # a cited sentence that is missing or not about the item
    EVIDENCE_REANCHORED = "evidence_reanchored"  # evidence moved to a sentence that names the item
    DATE_REPLACED = "date_replaced"  # date words the evidence does not hold, or not the arrival's
    DATE_DROPPED = "date_dropped"  # date words not in the article, or the story's filing stamp
    DATE_UNRESOLVED = "date_unresolved"  # date words the article has that name no day it can place
    QUOTE_DROPPED = "quote_dropped"  # a quote not found verbatim in the article
    ITEM_DROPPED = "item_dropped"  # an item with no actor, no support, or a trip called off
    ITEM_MERGED = "item_merged"  # an item identical to an earlier one
    ITEM_ADDED = "item_added"  # a trip, meeting or visit code read in a sentence the draft missed
    CLAIM_DROPPED = "claim_dropped"  # the outlet's own report, or a source that is no actor


@dataclass(frozen=True)
class Note:
    code: Repair
    message: str
