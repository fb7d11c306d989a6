"""Text features for the sparse check-worthiness model (standard library only).

The same functions are used to train the model and to score with it, so the features seen at
inference are, by construction, those the weights were fitted on.

Three blocks, each L2-normalised separately, then concatenated:

* word unigrams and bigrams (tokens of two or more word characters, lower-cased);
* character 2-5-grams inside word boundaries (each word padded with one space);
* a few hand-made cues known to matter for debate sentences: numbers, percentages, money,
  years, comparatives and changes, first-person opinion or intent, questions, length.

Digits are mapped to ``0`` in the two n-gram blocks, so "3.9%" and "4.1%" share their n-grams.
"""

from __future__ import annotations

import itertools
import re
import unicodedata

_WS = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_TOKEN = re.compile(r"(?u)\b\w\w+\b")

_NUMBER = re.compile(r"\d")
_PERCENT = re.compile(r"%|\bper ?cent\b")
_MONEY = re.compile(
    r"[$€£]|\b(dollars?|cents?|billions?|millions?|trillions?|tax(es)?|budget|deficit|debt)\b"
)
_YEAR = re.compile(r"\b(1[89]|20)\d\d\b")
_QUANTITY_WORD = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|hundred|"
    r"hundreds|thousand|thousands|half|twice|third|quarter|percent|number|rate|average)\b"
)
_COMPARATIVE = re.compile(
    r"\b(more|less|fewer|higher|lower|most|least|largest|biggest|smallest|highest|lowest|"
    r"better|worse|best|worst|first|last|only|never|ever|record|since|than|"
    r"increas\w*|decreas\w*|ris(e|es|en|ing)|rose|fell|fall(s|en|ing)?|drop\w*|cut(s|ting)?|"
    r"rais\w*|doubl\w*|tripl\w*|grew|grow(n|s|ing)?|lost|los(e|es|ing)|created?|voted?)\b"
)
_OPINION = re.compile(
    r"\b(i think|i believe|i feel|i hope|i want|i'm going to|i will|i'll|we need|we must|"
    r"we should|we will|we're going to|let me|thank you|of course)\b"
)
_SHORT = 6


def normalise(text: str) -> str:
    """NFKC, curly quotes to straight, white space collapsed, lower case."""
    text = unicodedata.normalize("NFKC", text)
    text = (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )
    return _WS.sub(" ", text).strip().lower()


def word_ngrams(norm: str) -> list[str]:
    tokens = _TOKEN.findall(_DIGIT.sub("0", norm))
    grams = list(tokens)
    grams.extend(f"{a} {b}" for a, b in itertools.pairwise(tokens))
    return grams


def char_ngrams(norm: str, min_n: int = 2, max_n: int = 5) -> list[str]:
    """Character n-grams within word boundaries (the scheme of scikit-learn's ``char_wb``)."""
    grams: list[str] = []
    for word in _DIGIT.sub("0", norm).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(min_n, max_n + 1):
            if size <= n:
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


HAND_FEATURES = (
    "has_number",
    "percent",
    "money",
    "year",
    "quantity_word",
    "comparative",
    "opinion",
    "question",
    "short",
    "length",
)


def hand_features(norm: str) -> list[float]:
    words = norm.split()
    return [
        1.0 if _NUMBER.search(norm) else 0.0,
        1.0 if _PERCENT.search(norm) else 0.0,
        1.0 if _MONEY.search(norm) else 0.0,
        1.0 if _YEAR.search(norm) else 0.0,
        1.0 if _QUANTITY_WORD.search(norm) else 0.0,
        1.0 if _COMPARATIVE.search(norm) else 0.0,
        1.0 if _OPINION.search(norm) else 0.0,
        1.0 if norm.endswith("?") else 0.0,
        1.0 if len(words) < _SHORT else 0.0,
        min(len(words), 60) / 60.0,
    ]
