"""When two sentences state the same fact, so that a verdict on one may be offered for the other.
Django-free.

A verdict must never travel across a changed fact, so the test is strict, and it errs towards
"different": two sentences state the same fact only if they are identical after normalising white space,
quotes and case (an *exact* match), or if

* their *anchors* are identical: every number (with its currency sign or percent), number word,
  name (a capitalised word), date word (month and day names are capitalised, so they are names;
  "today", "yesterday", "last", "next"... are listed), negation ("not", "never", "n't"...) and
  direction word ("rose"/"fell", "more"/"less", "won"/"lost"...). A sentence's first word is
  capitalised whatever it is, so it counts as a name only if the other sentence does not use it as
  an ordinary lower-case word;
* and their content words (lower case, without the most common function words) have a Jaccard
  similarity of at least ``NEAR_DUPLICATE_THRESHOLD`` (reordered clauses, a changed verb tense, an
  added adverb): a *near-duplicate*, offered with its similarity.

`lookup_keys` gives the keys under which a sentence is indexed so that the candidates for a new
sentence are found by an index lookup, whatever the number of stored sentences: one key for the
exact text, and ``BANDS`` locality-sensitive keys (MinHash of the content words, in bands of
``ROWS``, each salted with the anchors other than names, which any match must share). A
sentence with a Jaccard similarity of 0.6 to a stored one shares at least one band key with
probability 0.77, at 0.7 with 0.92, at 0.8 with 0.99; unrelated sentences almost never do. The keys
only find candidates: `compare` decides.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache

from articles.matching import normalise

NEAR_DUPLICATE_THRESHOLD = 0.6
BANDS = 6
ROWS = 3

# Numbers with their sign, separators and percent ("$4.5", "1,200", "12%", "3/4", "10:30");
# words, with inner apostrophes ("didn't", "O'Brien"), letters only.
_TOKEN = re.compile(r"[$€£¥]?\d+(?:[.,:/]\d+)*%?|[^\W\d_]+(?:['’][^\W\d_]+)*")

NUMBER_WORDS = frozenset(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty
    ninety hundred thousand million billion trillion dozen dozens half quarter double triple twice
    thrice first second third fourth fifth sixth seventh eighth ninth tenth percent""".split()
)
NEGATIONS = frozenset("not no never none nobody nothing neither nor without cannot nowhere".split())
TIME_WORDS = frozenset(
    "today yesterday tomorrow tonight last next ago earlier later recently soon".split()
)
# Words that flip what a sentence says about a quantity or an outcome.
DIRECTION_WORDS = frozenset(
    """rise rises rose risen rising fall falls fell fallen falling increase increased increases
    decrease decreased decreases up down more less fewer higher lower above below over under gain
    gained gains loss losses lose lost won win wins before after raise raised cut cuts
    grew grow shrank shrink best worst most least majority minority""".split()
)
# Never names, even when capitalised, and too common to say anything about the content.
STOPWORDS = frozenset(
    """a an the this that these those it its it's he she they we you i his her their our your my
    him them us me and or but if so as at by for from in into of on onto to with about than then
    there here is are was were be been being has have had do does did will would can could should
    may might must shall also just which who whom whose what when where why how said says say
    told according while""".split()
)


@dataclass(frozen=True)
class Profile:
    """What `compare` and `lookup_keys` need from one sentence, computed once."""

    exact: str  # the normalised text
    anchors: frozenset[str]  # every anchor except a capitalised first word
    first: str  # the first word, lower case, if it is capitalised and not a stopword; else ""
    lowered: frozenset[str]  # every word in lower case, as the sentence uses it uncapitalised
    words: frozenset[str]  # content words, lower case


def _number(token: str) -> str:
    # "1,200" and "1200" are the same number; "1.5" and "1,5" are not folded (locales differ).
    return re.sub(r"(?<=\d),(?=\d{3}\b)", "", token)


@lru_cache(maxsize=4096)
def profile(text: str) -> Profile:
    anchors: set[str] = set()
    lowered: set[str] = set()
    words: set[str] = set()
    first = ""
    for index, token in enumerate(_TOKEN.findall(text)):
        if token[0].isdigit() or token[0] in "$€£¥":
            number = _number(token)
            anchors.add(number)
            words.add(number)
            continue
        lower = token.casefold().replace("’", "'")
        if lower.endswith("n't") or lower in NEGATIONS:
            anchors.add("not")
        elif lower in NUMBER_WORDS or lower in TIME_WORDS or lower in DIRECTION_WORDS:
            anchors.add(lower)
        if lower not in STOPWORDS:
            words.add(lower)
        if not token[0].isupper():
            lowered.add(lower)
        elif lower in STOPWORDS or lower == "i":
            pass
        elif index == 0:
            first = lower
        else:
            anchors.add("=" + lower)  # a name
    return Profile(
        exact=normalise(text),
        anchors=frozenset(anchors),
        first=first,
        lowered=frozenset(lowered),
        words=frozenset(words),
    )


@dataclass(frozen=True)
class Match:
    exact: bool
    similarity: float  # Jaccard of the content words, 1.0 for an exact match


def _names(a: Profile, b: Profile) -> frozenset[str]:
    """a's anchors, with its first word counted as a name unless b uses it in lower case."""
    if a.first and a.first not in b.lowered:
        return a.anchors | {"=" + a.first}
    return a.anchors


def compare(a: str, b: str) -> Match | None:
    """How `a` and `b` state the same fact, or None if they do not (see the module doc)."""
    pa, pb = profile(a), profile(b)
    if pa.exact == pb.exact:  # the same words, numbers and names; only case or spacing differs
        return Match(exact=True, similarity=1.0)
    if _names(pa, pb) != _names(pb, pa):
        return None
    union = pa.words | pb.words
    similarity = len(pa.words & pb.words) / len(union) if union else 0.0
    if similarity < NEAR_DUPLICATE_THRESHOLD:
        return None
    return Match(exact=False, similarity=round(similarity, 3))


# --- Index keys -----------------------------------------------------------------------------------

_PRIME = (1 << 61) - 1
_SEEDS = [
    (
        int.from_bytes(hashlib.blake2b(f"a{i}".encode(), digest_size=8).digest(), "big") % _PRIME
        | 1,
        int.from_bytes(hashlib.blake2b(f"b{i}".encode(), digest_size=8).digest(), "big") % _PRIME,
    )
    for i in range(BANDS * ROWS)
]


def _hash64(text: str) -> int:
    """A stable signed 64-bit hash (fits a BigIntegerField on every database)."""
    return int.from_bytes(
        hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True
    )


def exact_key(text: str) -> int:
    return _hash64("exact\x00" + profile(text).exact)


def lookup_keys(text: str) -> list[int]:
    """The exact key first, then one key per band. Sentences that `compare` finds the same share
    the exact key, or (with the probabilities in the module doc) at least one band key."""
    p = profile(text)
    keys = [exact_key(text)]
    if not p.words:
        return keys
    # Names are left out of the salt: a name that moves to the front of the sentence stops being
    # an anchor there (see `_names`), and names are content words, so MinHash sees them anyway.
    salt = "\x00".join(sorted(a for a in p.anchors if not a.startswith("=")))
    hashed = [_hash64(word) & 0x7FFFFFFFFFFFFFFF for word in p.words]
    minima = [min((a * h + b) % _PRIME for h in hashed) for a, b in _SEEDS]
    for band in range(BANDS):
        rows = minima[band * ROWS : (band + 1) * ROWS]
        keys.append(_hash64(f"band{band}\x00{salt}\x00{rows}"))
    return keys
