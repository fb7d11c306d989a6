"""Match the claims of a re-extracted article to the claims it had before. Django-free.

The rule that protects reviewers: a verdict is carried only to a sentence that says exactly the
same thing, compared after folding white space, quote styles and case. Any other difference (a
number, a name, a negation, a word) makes it a changed claim that goes back to pending; the old
text and verdict are kept beside it so the reviewer sees what changed.

Matching is by content, not position, so moved paragraphs and edits elsewhere in the article do not
disturb it: exact matches are paired first (in order, so repeated sentences pair up one to one),
then each remaining new sentence is paired with the most similar remaining old one, if any is
similar enough, to show it as "changed" rather than as brand new.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "‚": "'", "`": "'"})
_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")

# Pairing changed sentences costs old × new comparisons; past this, leftovers are simply new.
_MAX_FUZZY_PAIRS = 250_000
SIMILARITY_THRESHOLD = 0.5


def normalise(text: str) -> str:
    return _SPACE.sub(" ", text.translate(_QUOTES)).strip().casefold()


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two sentences' word sets (0..1)."""
    wa, wb = set(_WORD.findall(a.casefold())), set(_WORD.findall(b.casefold()))
    if not wa and not wb:
        return 1.0
    return len(wa & wb) / len(wa | wb)


class Change(Enum):
    SAME = "same"
    CHANGED = "changed"
    NEW = "new"


@dataclass
class Plan:
    # (new index, old index or None, how they relate), one per new claim, in new order.
    pairs: list[tuple[int, int | None, Change]] = field(default_factory=list)
    retired: list[int] = field(default_factory=list)


def match_claims(old: list[str], new: list[str]) -> Plan:
    by_text: dict[str, list[int]] = {}
    for index, text in enumerate(old):
        by_text.setdefault(normalise(text), []).append(index)
    for indices in by_text.values():
        indices.reverse()  # pop() takes the earliest first

    matched: dict[int, tuple[int | None, Change]] = {}
    used_old: set[int] = set()
    for new_index, text in enumerate(new):
        candidates = by_text.get(normalise(text))
        if candidates:
            old_index = candidates.pop()
            matched[new_index] = (old_index, Change.SAME)
            used_old.add(old_index)

    free_old = [i for i in range(len(old)) if i not in used_old]
    free_new = [i for i in range(len(new)) if i not in matched]
    if free_old and free_new and len(free_old) * len(free_new) <= _MAX_FUZZY_PAIRS:
        scored = sorted(
            ((similarity(new[n], old[o]), n, o) for n in free_new for o in free_old),
            key=lambda item: (-item[0], item[1], item[2]),
        )
        taken_new: set[int] = set()
        for score, n, o in scored:
            if score < SIMILARITY_THRESHOLD:
                break
            if n in taken_new or o in used_old:
                continue
            matched[n] = (o, Change.CHANGED)
            taken_new.add(n)
            used_old.add(o)

    plan = Plan()
    for new_index in range(len(new)):
        old_index, change = matched.get(new_index, (None, Change.NEW))
        plan.pairs.append((new_index, old_index, change))
    plan.retired = [i for i in range(len(old)) if i not in used_old]
    return plan
