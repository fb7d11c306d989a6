"""Sentence segmentation for wire copy.

Three layers, each a few compiled regexes run over the text with Python logic only per hit:

1. lines: a line break always ends a sentence (``[^\\r\\n]+``);
2. hard splits inside a line, where a feed lost its breaks: punctuation glued to the next word
   (``Wednesday.What``), a known label glued to a headline (``...FaultWhy It Matters:``), a
   copyright tail, a social-post attribution, `` * `` list separators and inline bullets;
3. soft boundaries inside a piece: ``[.!?…]`` followed by closing quotes/brackets, white space and
   a next token; `_boundary` decides per candidate (abbreviations, initials, numbers, ellipses,
   quotations that close later in the piece, enumerated lists).

Every regex is linear: runs of punctuation are matched at their last character (a negative
lookahead), quantifiers are possessive or bounded, nothing recurses.
"""
from __future__ import annotations

import re

from .lexicon import (
    ENDING,
    KNOWN_BOILERPLATE_LABELS,
    KNOWN_LINK_LABELS,
    KNOWN_SECTION_LABELS,
    MONTHS,
    NEVER_FINAL,
    PREPOSITIONS,
    PREPOSITIVE,
    STARTERS,
    TIME_FOLLOWERS,
)

PUNCT = ".!?…‽"
CLOSERS = "\"'”’»)]"
OPENERS = "\"'“‘«(["
_SPACES = " \u00a0"

LINE_RE = re.compile(r"[^\r\n]+")
# A blank line: two line breaks with only horizontal white space between them.
BLANK_LINE_RE = re.compile(r"(?>\r\n|\n|\r)[^\S\r\n]*+(?>\r\n|\n|\r)")

# Soft candidate: the last character of a punctuation run, its closers, white space, next token.
_CAND = re.compile(r"[.!?…‽](?![.!?…‽])([\"'”’»)\]]*+)\s++(?=(\S{1,24}))")
# Glued candidate: punctuation run directly followed by a capitalised word.
_GLUED = re.compile(
    r"[.!?…‽](?![.!?…‽])[\"'”’)\]]*+(?=[\"“‘(]?(?:[A-Z][a-z]|[A-Z]\.[A-Z]|[A-Z]{2,}[\s,'’]))"
)
# A colon glued to the next paragraph ("...milestones:Delivery of", "Read Next:Image via").
_GLUED_COLON = re.compile(r":(?=[\"“‘]?[A-Z][a-z])")
_QUOTE = re.compile("[\"“”„‘’'«»]")
_COLON = re.compile(r":(?=\s|\Z|[\"“‘]?[A-Z])")
_COPYRIGHT = re.compile(r"(?:©|\([Cc]\)|\bCopyright\b)[ \u00a0]?(?:©[ \u00a0]?)?(?:\d{4})")
ATTRIBUTION = re.compile(
    r"(?:[—–―]|--?)[ \u00a0]?(?P<name>[^—–―()\r\n]{1,80}?)[ \u00a0]?\(@(?P<handle>\w{1,30})\)"
    r"[ \u00a0]*(?P<date>(?:" + MONTHS + r")\.?[ \u00a0]+\d{1,2},?[ \u00a0]+\d{4})"
)
_STAR = re.compile(r"[ \u00a0]\*[ \u00a0]")
_INLINE_BULLET = re.compile(r"[•⁃‣▪◦●]")
_CREDIT_WORD = re.compile(r"(?:Image|Photo|Picture|Featured)")
CREDIT_HEAD = re.compile(
    r"(?:(?:featured|feature|cover|header|lead|top|main|hero|file|stock|representative|"
    r"representational)[ \u00a0]+)?"
    r"(?:photo[ \u00a0]+illustration|image|photo|photograph|picture|pic|illustration|graphic|"
    r"screenshot|video|chart)s?(?:[ \u00a0]+(?:credit|source)s?)?(?=[\s:]|\Z)",
    re.IGNORECASE,
)
_CREDIT_GLUED_NEXT = re.compile(r"[ \u00a0]*:|[ \u00a0]+(?:via|by|courtesy|credit)\b", re.IGNORECASE)
# An enumerator opening a piece: "1.", "1.)", "1)", "a.", optionally after a bullet.
_ENUM = re.compile(r"(?:[•⁃‣▪◦●*-][ \u00a0]*)?(\d{1,2}|[A-Za-z])(\.\)|\)|\.)(?=\s)")
# Several letters separated by periods: U.S, Ph.D, a.m, D.C
_DOTTED = re.compile(r"(?:[A-Za-z]{1,3}\.)+[A-Za-z]{1,3}\Z")
_CAMEL_WORD = re.compile(r"[a-z]+[A-Z]")

_KNOWN_GLUED = tuple(
    sorted(
        set(KNOWN_SECTION_LABELS) | set(KNOWN_LINK_LABELS) | set(KNOWN_BOILERPLATE_LABELS),
        key=len,
        reverse=True,
    )
)
_GLUE_BEFORE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789%)]\"'”’")


# --------------------------------------------------------------------------------------------
# Soft boundaries
# --------------------------------------------------------------------------------------------


def _token_before(text: str, lo: int, pos: int) -> str:
    """The white-space delimited word ending at pos (at most 40 characters), without openers."""
    chunk = text[max(lo, pos - 40) : pos]
    if not chunk or chunk[-1].isspace():
        return ""
    parts = chunk.rsplit(None, 1)
    return parts[-1].lstrip(OPENERS) if parts else ""


def _boundary(
    text: str, lo: int, rs: int, pe: int, tok: str, seg_start: int, glued: bool = False
) -> int:
    """Decide one candidate. rs..pe is the punctuation run, tok the next token.

    Returns -1 (no boundary), 0 (boundary after the closers) or a position p > 0 meaning "the
    sentence ends at p and the next one starts after it" (4-dot ellipsis glued to a word).
    """
    core = tok.lstrip(OPENERS)
    c = core[:1] or tok[:1]
    if not c:
        return -1
    if c in ".…":
        return -1  # more dots follow: the middle of a spaced ellipsis
    run = text[rs:pe]
    if "?" in run or "!" in run or "‽" in run:
        if c.islower():
            return 0 if _CAMEL_WORD.match(core) else -1
        return 0
    if len(run) > 1 or "…" in run:
        # an ellipsis: ends the sentence before a capital, never as an omission mark "[...]"
        # or before a parenthesis
        if rs > lo and text[rs - 1] == "[" or tok[0] == "(":
            return -1
        return 0 if c.isupper() else -1
    # a single period: is it the last of a spaced ellipsis ". . . ."?
    if rs - 2 >= lo and text[rs - 1] in _SPACES and text[rs - 2] in ".…":
        k, dots = rs, 1
        while k - 2 >= lo and text[k - 1] in _SPACES and text[k - 2] in ".…" and dots < 12:
            k -= 2
            dots += 1
        if dots < 4 or not c.isupper():
            return -1
        if k > lo and not text[k - 1].isspace():
            return k + 1  # "compounds. . . . The": the sentence ends at the attached period
        return 0
    word = _token_before(text, lo, rs)
    if not word:
        return -1 if c.islower() else 0
    if "@" in word or "://" in word or word.startswith("www."):
        return 0 if c.isupper() else -1
    wl = word.lower()
    if wl in PREPOSITIVE:
        return -1
    if c.isdigit():
        if wl in ENDING or wl in NEVER_FINAL or len(word) == 1 or wl in ("no", "n°", "nº", "nr"):
            return -1
        return 0
    # an initial is followed by a space; glued to the next word a single letter ends a sentence
    # ("posted on X.Proud of this team")
    abbrev = (
        wl in ENDING
        or (len(word) == 1 and word.isalpha() and (not glued or core[1:2] == "."))
        or _DOTTED.match(word) is not None
    )
    if c.islower():
        if not abbrev and wl not in NEVER_FINAL and _CAMEL_WORD.match(core):
            return 0  # "... fell. eBay said"
        return -1
    if wl in NEVER_FINAL:
        return -1
    if abbrev:
        nxt = core.rstrip(",;:!?)\"”’'")
        if wl in ("a.m", "p.m"):
            if nxt.rstrip(".").lower() in TIME_FOLLOWERS:
                return -1
            head = text[seg_start:rs].split()
            if len(head) <= 3 and head and head[0].lower() in PREPOSITIONS:
                return -1  # "At 5 a.m. Mr. Smith went ..."
        if nxt in STARTERS or nxt.rstrip(".") in STARTERS:
            return 0
        return -1
    return 0


def _quote_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Closed quotations in text[lo:hi] as (open, close) positions, merged when nested.

    Mixed marks close each other (“...," counts as closed); an apostrophe between letters, or a
    closing single mark with no open single quotation, is not a quotation mark."""
    spans: list[tuple[int, int]] = []
    dq = sq = -1
    for m in _QUOTE.finditer(text, lo, hi):
        i = m.start()
        ch = text[i]
        if ch == '"':
            if dq < 0:
                dq = i
            else:
                spans.append((dq, i))
                dq = sq = -1
        elif ch in "“„«":
            if dq < 0:
                dq = i
        elif ch in "”»":
            if dq >= 0:
                spans.append((dq, i))
                dq = sq = -1
        else:
            prev = text[i - 1] if i > lo else " "
            nxt = text[i + 1] if i + 1 < hi else " "
            if prev.isalnum() and nxt.isalnum():
                continue
            if ch != "’" and (prev.isspace() or prev in "([{“\"—–-") and not nxt.isspace():
                if sq < 0:
                    sq = i
            elif sq >= 0 and not prev.isspace():
                spans.append((sq, i))
                sq = -1
    if len(spans) > 1:
        spans.sort()
        merged = [spans[0]]
        for a, b in spans[1:]:
            la, lb = merged[-1]
            if a <= lb:
                if b > lb:
                    merged[-1] = (la, b)
            else:
                merged.append((a, b))
        return merged
    return spans


def _enum_splits(text: str, lo: int, hi: int) -> tuple[list[int], set[int]]:
    """An enumerated list opening the piece ("1. a 2. b", "a) x b) y"): split before every
    following enumerator and protect the periods of the enumerators."""
    m = _ENUM.match(text, lo, hi)
    if m is None:
        return [], set()
    label, style = m.group(1), m.group(2)
    protected = {m.start(2)}
    splits: list[int] = []
    pos = m.end()
    for _ in range(1000):
        if label.isdigit():
            label = str(int(label) + 1)
        elif label in "zZ":
            break
        else:
            label = chr(ord(label) + 1)
        needle = label + style
        j = text.find(" " + needle, pos, hi)
        while j >= 0 and not (j + 1 + len(needle) >= hi or text[j + 1 + len(needle)].isspace()):
            j = text.find(" " + needle, j + 1, hi)
        if j < 0:
            break
        start = j + 1
        # a bullet just before the enumerator stays with it
        splits.append(start)
        protected.add(start + len(label))
        pos = start + len(needle)
    return splits, protected


def sentence_spans(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Sentences of one piece text[lo:hi] (no line break inside), as stripped spans."""
    starts: list[int] = []
    protected: set[int] = set()
    c0 = text[lo] if lo < hi else ""
    if c0.isalnum() or c0 in "•⁃‣▪◦●*-":
        starts, protected = _enum_splits(text, lo, hi)
    quotes = _quote_spans(text, lo, hi) if _QUOTE.search(text, lo, hi) else None
    qi = 0
    seg_start = lo
    for m in _CAND.finditer(text, lo, hi):
        pe = m.start() + 1
        if m.start() in protected:
            continue
        rs = pe - 1
        while rs > lo and text[rs - 1] in PUNCT and pe - rs < 12:
            rs -= 1
        q = m.end(1)
        if quotes:
            while qi < len(quotes) and quotes[qi][1] < rs:
                qi += 1
            if qi < len(quotes):
                a, b = quotes[qi]
                if a < rs and q <= b:
                    continue
        tok = m.group(2)
        r = _boundary(text, lo, rs, pe, tok, seg_start)
        if r < 0:
            continue
        if r == 0:
            seg_start = m.end()
        else:
            seg_start = r + 1
        starts.append(seg_start)
    if len(starts) > 1:
        starts = sorted(set(starts))
    out: list[tuple[int, int]] = []
    a = lo
    for b in starts + [hi]:
        s, e = strip_span(text, a, b)
        if s < e:
            out.append((s, e))
        a = b
    return out


def strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    """Shrink [s, e) past white space at both ends."""
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


# --------------------------------------------------------------------------------------------
# Hard splits (lost paragraph breaks)
# --------------------------------------------------------------------------------------------

SPLIT_PARA = 1  # what follows starts a new paragraph
SPLIT_ITEM = 2  # what follows is another item of the same list


def hard_splits(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Positions in text[lo:hi] where a new piece starts although no line break is there.

    Returns sorted (position, kind) pairs. Most articles have none: every detector but the glued
    punctuation one first asks whether its marker character occurs at all."""
    out: list[tuple[int, int]] = []
    for m in _GLUED.finditer(text, lo, hi):
        pe = m.start() + 1
        rs = pe - 1
        while rs > lo and text[rs - 1] in PUNCT and pe - rs < 12:
            rs -= 1
        if rs <= lo or text[rs - 1] not in _GLUE_BEFORE:
            continue
        q = m.end()
        tok = text[q : q + 24].split(None, 1)[0] if q < hi else ""
        if "@" in tok or "/" in tok:
            continue
        word = _token_before(text, lo, rs)
        if "://" in word or "www." in word or "@" in word:
            continue
        if _boundary(text, lo, rs, pe, tok, max(lo, rs - 200), glued=True) == 0:
            out.append((q, SPLIT_PARA))
    if text.find(":", lo, hi) >= 0:
        for m in _COLON.finditer(text, lo, hi):
            c = m.start()
            if c == lo or not text[c - 1].isalpha():
                continue
            before = text[max(lo, c - 40) : c]
            if not before.endswith(_KNOWN_GLUED):
                continue
            label = next(lab for lab in _KNOWN_GLUED if before.endswith(lab))
            ls = c - len(label)
            if ls <= lo:
                continue
            prev = text[ls - 1]
            if prev in _SPACES:
                # a ticker in front: "...Right NowNWRX Price Action:"
                k = ls - 1
                while k > lo and (text[k - 1].isupper() or text[k - 1].isdigit()) and ls - 1 - k < 6:
                    k -= 1
                if 1 <= ls - 1 - k <= 5 and k > lo and text[ls - 2].isupper():
                    p2 = text[k - 1]
                    if not p2.isspace() or (k - 2 >= lo and text[k - 2] in PUNCT + CLOSERS):
                        out.append((k, SPLIT_PARA))
                        continue
                if ls - 2 >= lo and text[ls - 2] in PUNCT + CLOSERS:
                    out.append((ls, SPLIT_PARA))
            elif not prev.isspace():
                out.append((ls, SPLIT_PARA))
        for m in _GLUED_COLON.finditer(text, lo, hi):
            c = m.start()
            if c > lo and text[c - 1].isalpha():
                out.append((c + 1, SPLIT_PARA))
    if (
        text.find("©", lo, hi) >= 0
        or text.find("(C)", lo, hi) >= 0
        or text.find("(c)", lo, hi) >= 0
        or text.find("Copyright", lo, hi) >= 0
    ):
        for m in _COPYRIGHT.finditer(text, lo, hi):
            out.append((m.start(), SPLIT_PARA))
    if text.find("(@", lo, hi) >= 0:
        for m in ATTRIBUTION.finditer(text, lo, hi):
            if m.group(0)[0] == "-" and m.start() > lo and not text[m.start() - 1].isspace():
                continue
            out.append((m.start(), SPLIT_PARA))
            out.append((m.end(), SPLIT_PARA))
    if text.find(" * ", lo, hi) >= 0 or text.find("\u00a0*", lo, hi) >= 0:
        for m in _STAR.finditer(text, lo, hi):
            s = m.start()
            if s > lo and not text[s - 1].isspace() and m.end() < hi and not text[m.end()].isspace():
                out.append((s + 1, SPLIT_ITEM))
    if _INLINE_BULLET.search(text, lo, hi):
        for m in _INLINE_BULLET.finditer(text, lo, hi):
            s = m.start()
            if s > lo and text[s - 1] in _SPACES:
                k = s - 1
                while k > lo and text[k - 1] in _SPACES:
                    k -= 1
                if k > lo and text[k - 1] not in "\r\n":
                    out.append((s, SPLIT_ITEM))
    if text.find("Image", lo, hi) >= 0 or text.find("Photo", lo, hi) >= 0 or text.find(
        "Picture", lo, hi
    ) >= 0 or text.find("Featured", lo, hi) >= 0:
        for m in _CREDIT_WORD.finditer(text, lo, hi):
            s = m.start()
            if s > lo and text[s - 1] in _GLUE_BEFORE and text[s - 1] not in "\"'”’)]":
                h = CREDIT_HEAD.match(text, s, hi)
                if h and _CREDIT_GLUED_NEXT.match(text, h.end(), hi):
                    out.append((s, SPLIT_PARA))
    if len(out) > 1:
        out.sort()
    return out


# --------------------------------------------------------------------------------------------
# Public: the bare segmenter
# --------------------------------------------------------------------------------------------


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of text: every line, cut where breaks were lost, then into sentences.

    A line break always ends a sentence (wire copy is not hard-wrapped). Spans are stripped of
    white space and index into text, so text[s:e] is the sentence."""
    if not isinstance(text, str):
        raise TypeError(f"split_sentences() needs a str, not {type(text).__name__}")
    out: list[tuple[int, int]] = []
    n = len(text)
    splits = hard_splits(text, 0, n)
    si = 0
    for m in LINE_RE.finditer(text):
        ls, le = m.span()
        cuts = []
        while si < len(splits) and splits[si][0] < le:
            if splits[si][0] > ls:
                cuts.append(splits[si][0])
            si += 1
        a = ls
        for b in cuts + [le]:
            s, e = strip_span(text, a, b)
            if s < e:
                out.extend(sentence_spans(text, s, e))
            a = b
    return out
