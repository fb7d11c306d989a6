"""Sentence segmentation for wire copy.

Three layers, with compiled regexes doing the scanning and Python logic only per hit:

1. lines: a line break always ends a sentence (found with ``str.find``);
2. hard splits inside a line, where a feed lost its breaks: punctuation glued to the next word
   (``Wednesday.What``), a known label glued to a headline (``...FaultWhy It Matters:``), a
   glued colon, a copyright tail, a social-post attribution, `` * `` list separators and inline
   bullets (`scan`, `doc_splits`);
3. soft boundaries inside a piece: ``. ! ? … ‽`` followed by closing quotes/brackets, white space
   and a next token; `sentence_spans` decides the common case itself and asks `_boundary` about
   the rest (abbreviations, initials, numbers, ellipses), skipping candidates inside quotations
   that close within the piece and splitting enumerated lists.

`scan` runs once over the whole text; `iter_pieces` then walks the lines and hands every piece
its own candidates and quotation marks. Every regex is linear: runs of punctuation are matched at
their last character (a negative lookahead), quantifiers are possessive or bounded, look-backs
are bounded windows, nothing recurses.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from operator import itemgetter

from .lexicon import (
    COMPANY_SUFFIXES,
    ENDING,
    INNER_NAME_SUFFIXES,
    KNOWN_BOILERPLATE_LABELS,
    KNOWN_LINK_LABELS,
    KNOWN_SECTION_LABELS,
    MONTHS,
    NAME_CONTINUATIONS,
    NEVER_FINAL,
    PREPOSITIONS,
    PREPOSITIVE,
    SHORT_OPENERS,
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

# Candidates: the last character of a punctuation run and its closers, followed by white space
# (a soft candidate; the match ends where the next token starts) or glued to a capitalised word
# (a glued candidate, a lost break). One regex per punctuation character: a literal first
# character lets the regex engine skip to the next hit much faster than a character class would,
# and a soft candidate is just the match's span, (last punctuation, start of the next token).
#
# Both kinds come from one pass (a match costs far more than the skipping between matches): the
# soft tail, with its white space in group 1, or else the glued tail. They exclude each other
# (white space after the closers or not; a "»" neither closes a glued candidate nor opens its
# next word). Neither tail needs a "not followed by more punctuation" test: closers, white space
# and a capital cannot start with a punctuation mark, so only the run's last mark can match.
_CLOSERS_SOFT = r"[\"'”’»)\]]*+"
_CLOSERS_GLUED = r"[\"'”’)\]]*+"
_HSPACE = r"[^\S\r\n]++"
_SOFT_TAIL = _CLOSERS_SOFT + _HSPACE + r"(?=\S)"
_GLUED_TAIL = _CLOSERS_GLUED + r"(?=[\"“‘(]?(?:[A-Z][a-z]|[A-Z]\.[A-Z]|[A-Z]{2,}[\s,'’]))"
_BOTH_TAILS = "(?:" + _CLOSERS_SOFT + "(" + _HSPACE + r")(?=\S)|" + _GLUED_TAIL + ")"
_SCAN_DOT = re.compile(r"\." + _BOTH_TAILS)
_SCAN_OTHER = tuple((ch, re.compile(re.escape(ch) + _BOTH_TAILS)) for ch in "?!…‽")
_LOWER_TOKEN = re.compile(r"[a-z][^\sA-Z]*+(?:\s|\Z)")
_MARKERS = "*©•⁃‣▪◦●"
_QUOTE_MARKS = '"“”„«»‘'
# Soft candidates of any punctuation (pieces scanned on their own).
_CAND = re.compile(r"[.!?…‽]" + _SOFT_TAIL)
# Quotation marks; an apostrophe or single mark followed by a lower-case letter ("company's",
# "Kyiv’s") is not looked at.
_QUOTE = re.compile('["“”„«»\'‘’](?:(?<=["“”„«»])|(?![a-z]))')
_COLON = re.compile(r":(?=\s|\Z|[\"“‘]?[A-Z])")
_COPYRIGHT = re.compile(r"(?:©|\([Cc]\)|\bCopyright\b)[ \u00a0]?(?:©[ \u00a0]?)?(?:\d{4})")
ATTRIBUTION = re.compile(
    r"(?:[—–―]|--?)[ \u00a0]?(?P<name>[^—–―()\r\n]{1,80}?)[ \u00a0]?\(@(?P<handle>\w{1,30})\)"
    r"[ \u00a0]*(?P<date>(?:" + MONTHS + r")\.?[ \u00a0]+\d{1,2},?[ \u00a0]+\d{4}"
    r"|\d{1,2}[ \u00a0]+(?:" + MONTHS + r")\.?,?[ \u00a0]+\d{4})"
)
_CREDIT_WORD = re.compile(r"(?:Image|Photo|Picture|Featured)")
CREDIT_HEAD = re.compile(
    r"(?:(?:featured|feature|cover|header|lead|top|main|hero|file|stock|representative|"
    r"representational)[ \u00a0]+)?"
    r"(?:photo[ \u00a0]+illustration|image|photo|photograph|picture|pic|illustration|graphic|"
    r"screenshot|video|chart)s?(?:[ \u00a0]+(?:credit|source)s?)?(?=[\s:]|\Z)",
    re.IGNORECASE,
)
_CREDIT_GLUED_NEXT = re.compile(
    r"[ \u00a0]*:|[ \u00a0]+(?:via|by|courtesy|credit)\b", re.IGNORECASE
)
# An enumerator opening a piece: "1.", "1.)", "1)", "a.", optionally after a bullet.
_ENUM = re.compile(r"(?:[•⁃‣▪◦●*-][ \u00a0]*)?(\d{1,2}|[A-Za-z])(\.\)|\)|\.)(?=\s)")
# Several letters separated by periods: U.S, Ph.D, a.m, D.C
_DOTTED = re.compile(r"(?:[A-Za-z]{1,3}\.)+[A-Za-z]{1,3}\Z")
_CAMEL_WORD = re.compile(r"[a-z]+[A-Z]")
# A capitalised word, up to three more, then a lower-case word: "Halvorsen shares have",
# "Halvorsen Biotech said", "Finance Chief Tomas Lind said" (the last is told apart by its words).
_NAME_THEN_LOWER = re.compile(
    r"[A-Z][a-z][\w'’-]*+(?:[ \u00a0][A-Z][a-z][\w'’-]*+){0,3}[ \u00a0]++[a-z]"
)

_KNOWN_GLUED = tuple(
    sorted(
        set(KNOWN_SECTION_LABELS) | set(KNOWN_LINK_LABELS) | set(KNOWN_BOILERPLATE_LABELS),
        key=len,
        reverse=True,
    )
)
_SPECIAL_WORDS = PREPOSITIVE | NEVER_FINAL | ENDING | frozenset({"no", "n°", "nº", "nr"})
_ENUM_FIRST = frozenset("•⁃‣▪◦●*-0123456789")
_QUOTE_OPEN_CHARS = frozenset("\"“‘'(")
# A word that cannot be an abbreviation, an initial, an address or a domain: two or more
# characters, no inner period unless it is a number ("9.6%", "$41.20").
_PLAIN_WORD = re.compile(r"(?:[A-Za-z0-9][A-Za-z0-9'’&-]*|[$€£]?\d[\d,.]*)[A-Za-z0-9%]\Z")
_KNOWN_BY_TAIL: dict[str, tuple[str, ...]] = {}
for _label in _KNOWN_GLUED:  # longest first
    _KNOWN_BY_TAIL[_label[-4:]] = _KNOWN_BY_TAIL.get(_label[-4:], ()) + (_label,)
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


def _name_opens_sentence(text: str, pos: int, hi: int) -> bool:
    """After a company suffix: does a new sentence start at pos with a name as its subject?

    "Inc. Halvorsen shares have lost" and "Inc. Halvorsen Biotech said" do: capitalised words
    (not all capitals) followed by a lower-case word. "Inc. CEO Maria Okafor said", "Inc. Finance
    Chief Tomas Lind said", "Co. Limited under" and "Inc. Class A shares" do not: an acronym, a
    title or a further part of the company's name is among the capitalised words, or they do not
    run into a lower-case word."""
    m = _NAME_THEN_LOWER.match(text, pos, hi if hi - pos < 120 else pos + 120)
    if m is None:
        return False
    for w in text[pos : m.end() - 1].split():
        w = w.lower()
        if w.endswith(("'s", "’s")):
            w = w[:-2]
        if w in NAME_CONTINUATIONS:
            return False
    return True


def _inner_name(text: str, p: int, hi: int) -> bool:
    """Is the period at p, glued to the word after it, the inner period of a name ("Lend.Fi",
    "Trade.Io", "X.AI", "Booking.Com") rather than a sentence end whose break a feed lost?

    The word before the period must hold a letter ("April 1.Fed officials" is a lost break);
    the word after it decides: a web or token suffix (".Io", ".AI", ".Com"), or a capitalised
    word of two letters that is not a common sentence opener ("Fi", "Xo"). Acronyms
    ("...Wednesday.BMW said") and longer words ("...Wednesday.Proud of", "...Wednesday.Fed
    officials") start sentences."""
    if p == 0 or not text[p - 1].isalnum():
        return False
    k = p - 1
    while k > 0 and p - k < 40 and text[k - 1].isalnum():
        k -= 1
    if text[k:p].isdigit():
        return False
    j = p + 1
    end = hi if hi - j < 16 else j + 16
    while j < end and text[j].isalnum():
        j += 1
    word = text[p + 1 : j]
    if not word or (j < hi and text[j] in "-–"):
        return False  # "...Wednesday.Co-founder Ana Ruiz said": a hyphenated word
    if word.lower() in INNER_NAME_SUFFIXES:
        return True
    return (
        len(word) == 2
        and word[0].isupper()
        and word[1].islower()
        and word not in SHORT_OPENERS
        and word.lower() not in _SPECIAL_WORDS  # "Tuesday.Mr. Smith": an abbreviation
    )


def _dotted_name(word: str) -> bool:
    """A dotted word that is a name, not an abbreviation: its last part is a web suffix of two
    or more letters ("X.AI", "Ask.Fm"; but "U.S", "Ph.D", "e.g" are abbreviations)."""
    last = word.rpartition(".")[2]
    return len(last) >= 2 and last.lower() in INNER_NAME_SUFFIXES


def _boundary(
    text: str,
    lo: int,
    rs: int,
    pe: int,
    tok: str,
    seg_start: int,
    glued: bool = False,
    tpos: int = -1,
    hi: int = -1,
) -> int:
    """Decide one candidate. rs..pe is the punctuation run, tok the next token, starting at tpos
    (text[tpos:hi] is what the next sentence may hold; -1: unknown).

    Returns -1 (no boundary), 0 (boundary after the closers) or a position p > 0 meaning "the
    sentence ends at p and the next one starts after it" (4-dot ellipsis glued to a word).
    """
    core = tok.lstrip(OPENERS)
    c = core[:1] or tok[:1]
    if not c:
        return -1
    if c in ".…":
        return -1  # more dots follow: the middle of a spaced ellipsis
    if pe - rs != 1 or text[rs] != ".":  # anything but the usual single period
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
    ws = text.rfind(" ", lo if rs - 40 < lo else rs - 40, rs)
    word = text[ws + 1 if ws >= 0 else (lo if rs - 40 < lo else rs - 40) : rs]
    if not word.isprintable() or "\u00a0" in word:
        word = _token_before(text, lo, rs)
    elif word[:1] in OPENERS:
        word = word.lstrip(OPENERS)
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
        or (_DOTTED.match(word) is not None and not _dotted_name(word))
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
        if (
            tpos >= 0
            and wl in COMPANY_SUFFIXES
            and _name_opens_sentence(text, tpos + len(tok) - len(core), hi if hi > 0 else len(text))
        ):
            return 0  # "...by Meridian Capital Group Inc. Halvorsen shares have lost 38%."
        return -1
    return 0


def _quote_spans(
    text: str, lo: int, hi: int, positions: list[int] | None = None
) -> list[tuple[int, int]]:
    """Closed quotations in text[lo:hi] as (open, close) positions, merged when nested.

    positions: the quotation marks in the range if already known (see scan). Mixed marks close
    each other (“...," counts as closed); an apostrophe between letters, or a closing single
    mark with no open single quotation, is not a quotation mark."""
    spans: list[tuple[int, int]] = []
    dq = sq = -1
    if positions is None:
        positions = [m.start() for m in _QUOTE.finditer(text, lo, hi)]
    for i in positions:
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
            if ch != "’" and (prev.isspace() or prev in '([{“"—–-') and not nxt.isspace():
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


def sentence_spans(
    text: str,
    lo: int,
    hi: int,
    cands: list[Cand] | None = None,
    qpos: list[int] | None = None,
) -> list[tuple[int, int]]:
    """Sentences of one piece text[lo:hi] (no line break inside, not starting or ending with white
    space), as stripped spans. cands and qpos: the piece's soft candidates and quotation marks
    when scan found them already."""
    if cands is None:
        cands = [m.span() for m in _CAND.finditer(text, lo, hi)]
    c0 = text[lo]
    if c0 in _ENUM_FIRST or (lo + 1 < hi and text[lo + 1] in ".)"):
        starts, protected = _enum_splits(text, lo, hi)
        if starts:
            return _with_enumerators(text, lo, hi, cands, qpos, starts, protected)
    else:
        if not cands:
            return [(lo, hi)]
        protected = None
    if qpos is None:
        quotes = _quote_spans(text, lo, hi) if _QUOTE.search(text, lo, hi) else None
    else:
        quotes = _quote_spans(text, lo, hi, qpos) if qpos else None
    nq = len(quotes) if quotes else 0
    qi = 0
    out: list[tuple[int, int]] = []
    a = lo  # start of the current sentence
    for p, nxt in cands:
        if protected and p in protected:
            continue
        c = text[nxt]
        if c == "." or c == "…":
            continue  # inside a spaced ellipsis ". . ."
        rs = p  # start of the punctuation run
        if text[p - 1] in PUNCT and p > lo:
            while rs > lo and text[rs - 1] in PUNCT and p - rs < 11:
                rs -= 1
        if nq:
            while qi < nq and quotes[qi][1] < rs:
                qi += 1
            if qi < nq and quotes[qi][0] < rs and _closers_end(text, nxt) <= quotes[qi][1]:
                continue
        if c.islower():
            if _LOWER_TOKEN.match(text, nxt):
                continue  # "p.m. press", "Inc. and": a lower-case word goes on the sentence
        elif rs == p:
            ch = text[p]
            if ch == ".":
                # the common case, "word. Next": decided here unless the word is special. An
                # ASCII word of letters is plain without asking the regex.
                # (rpartition takes one argument: cheaper than a bounded rfind)
                word = text[p - 40 if p - 40 > lo else lo : p].rpartition(" ")[2]
                if (
                    (word.isalpha() and word.isascii() and len(word) > 1) or _PLAIN_WORD.match(word)
                ) and word.lower() not in _SPECIAL_WORDS:
                    # the closers end before the white space (usually a single space)
                    q = nxt - 1
                    if text[q - 1].isspace():
                        q = _closers_end(text, nxt)
                    out.append((a, q))
                    a = nxt
                    continue
            elif ch in "?!" and (
                c.isupper() or (c in _QUOTE_OPEN_CHARS and text[nxt + 1 : nxt + 2].isupper())
            ):
                out.append((a, _closers_end(text, nxt)))
                a = nxt
                continue
        if nxt <= a:
            continue
        tok = text[nxt : nxt + 24].split(None, 1)[0]
        r = _boundary(text, lo, rs, p + 1, tok, a, False, nxt, hi)
        if r == 0:
            out.append((a, _closers_end(text, nxt)))
            a = nxt
        elif r > 0:
            out.append((a, r))
            a = r + 1
    if a < hi:
        out.append((a, hi))
    return out


def _closers_end(text: str, nxt: int) -> int:
    """End of a soft candidate's punctuation and closers: before the white space that runs up to
    the next token at nxt."""
    q = nxt - 1
    while text[q - 1].isspace():
        q -= 1
    return q


def _with_enumerators(
    text: str,
    lo: int,
    hi: int,
    cands: list[Cand],
    qpos: list[int] | None,
    starts: list[int],
    protected: set[int],
) -> list[tuple[int, int]]:
    """sentence_spans for a piece that is an enumerated list: the sentences of every item."""
    out: list[tuple[int, int]] = []
    bounds = [lo] + starts + [hi]
    for i in range(len(bounds) - 1):
        s, e = strip_span(text, bounds[i], bounds[i + 1])
        if s >= e:
            continue
        sub = [c for c in cands if s <= c[0] and c[1] < e and c[0] not in protected]
        if sub:
            out.extend(
                sentence_spans(
                    text, s, e, sub, None if qpos is None else [x for x in qpos if s <= x < e]
                )
            )
        else:
            out.append((s, e))
    return out


_WS_RUN = re.compile(r"\s*+")


def strip_span(text: str, s: int, e: int) -> tuple[int, int]:
    """Shrink [s, e) past white space at both ends (long runs are skipped in C)."""
    if s < e and text[s].isspace():
        s = _WS_RUN.match(text, s, e).end()
    while e > s and text[e - 1].isspace():
        w = e - 256 if e - 256 > s else s
        kept = text[w:e].rstrip()
        if kept:
            return s, w + len(kept)
        e = w
    return s, e


# --------------------------------------------------------------------------------------------
# Hard splits (lost paragraph breaks)
# --------------------------------------------------------------------------------------------

SPLIT_PARA = 1  # what follows starts a new paragraph
SPLIT_ITEM = 2  # what follows is another item of the same list

_BULLET_CHARS = frozenset("•⁃‣▪◦●")


def doc_splits(text: str, lo: int, hi: int, glued_doc: bool) -> list[tuple[int, int]]:
    """Hard splits found over the whole text at once, from markers that are cheap to look for:
    a known label glued to what precedes it ("...FaultWhy It Matters:"), a colon glued to the next
    paragraph, a "(C) 2025" or "Copyright 2025" tail, and (in a text that lost its breaks) an image
    credit glued to the word before it. Sorted (position, kind) pairs; usually none."""
    out: list[tuple[int, int]] = []
    if text.find(":", lo, hi) >= 0:
        for m in _COLON.finditer(text, lo, hi):
            c = m.start()
            if c == lo or not text[c - 1].isalpha():
                continue
            if c + 1 < hi and not text[c + 1].isspace():
                k = c + 2 if text[c + 1] in '"“‘' else c + 1
                if k + 1 < hi and text[k].isupper() and text[k + 1].islower():
                    out.append((c + 1, SPLIT_PARA))  # "...milestones:Delivery", "Read Next:Image"
            labels = _KNOWN_BY_TAIL.get(text[c - 4 : c])
            if labels is None:
                continue
            ls = -1
            for label in labels:
                st = c - len(label)
                if st > lo and text[st - 1] not in "\r\n" and text.startswith(label, st):
                    ls = st
                    break
            if ls < 0:
                continue
            prev = text[ls - 1]
            if prev in _SPACES:
                # a ticker in front: "...Right NowNWRX Price Action:"
                k = ls - 1
                while (
                    k > lo and (text[k - 1].isupper() or text[k - 1].isdigit()) and ls - 1 - k < 6
                ):
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
    if glued_doc and (
        text.find("(C)", lo, hi) >= 0
        or text.find("(c)", lo, hi) >= 0
        or text.find("Copyright", lo, hi) >= 0
    ):
        for m in _COPYRIGHT.finditer(text, lo, hi):
            if m.start() > lo and text[m.start() - 1] not in "\r\n":
                out.append((m.start(), SPLIT_PARA))
    if glued_doc:
        for m in _CREDIT_WORD.finditer(text, lo, hi):
            s = m.start()
            if s > lo and text[s - 1] in _GLUE_BEFORE and text[s - 1] not in "\"'”’)]":
                h = CREDIT_HEAD.match(text, s, hi)
                if h and _CREDIT_GLUED_NEXT.match(text, h.end(), hi):
                    out.append((s, SPLIT_PARA))
    if len(out) > 1:
        out.sort()
    return out


Cand = tuple  # (last punctuation, start of the next token)


def _candidates(matches: Iterator[re.Match], cands: list[Cand], glued: list[int]) -> None:
    """Sort the matches of a _SCAN_* regex: soft candidates (group 1, the white space, took part)
    as (last punctuation, start of the next token), glued ones by their punctuation."""
    add_soft = cands.append
    add_glued = glued.append
    for m in matches:
        if m.lastindex:
            add_soft(m.span())
        else:
            add_glued(m.start())


def scan(text: str, lo: int, hi: int) -> tuple[list[Cand], list[tuple[int, int]], list[int]]:
    """One pass over text[lo:hi]: the soft sentence-boundary candidates, and the hard splits found
    from glued punctuation, `` * `` separators, inline bullets, © tails and post attributions.

    A candidate whose white space runs over a line break is kept; the piece it falls in ignores
    it (the line break ends the sentence anyway)."""
    cands: list[Cand] = []
    glued: list[int] = []
    splits: list[tuple[int, int]] = []
    _candidates(_SCAN_DOT.finditer(text, lo, hi), cands, glued)
    extra = False
    for ch, rx in _SCAN_OTHER:
        if ch in text and text.find(ch, lo, hi) >= 0:
            extra = True
            _candidates(rx.finditer(text, lo, hi), cands, glued)
    if extra:
        cands.sort()
        glued.sort()
    for p in glued:
        _glued_split(text, lo, hi, p, splits)
    for ch in _MARKERS:
        # `in` is a cheaper question than find(ch, lo, hi) (no argument parsing) for marks that
        # are usually absent
        p = text.find(ch, lo, hi) if ch in text else -1
        while p >= 0:
            _marker_split(text, lo, hi, p, ch, splits)
            p = text.find(ch, p + 1, hi)
    if "(@" in text and text.find("(@", lo, hi) >= 0:
        for a in ATTRIBUTION.finditer(text, lo, hi):
            st = a.start()
            if st > lo and text[st - 1] not in "\r\n":
                if a.group(0)[0] == "-" and not text[st - 1].isspace():
                    continue
                splits.append((st, SPLIT_PARA))
            splits.append((a.end(), SPLIT_PARA))
    qpos: list[int] = []
    for ch in _QUOTE_MARKS:
        p = text.find(ch, lo, hi) if ch in text else -1
        while p >= 0:
            qpos.append(p)
            p = text.find(ch, p + 1, hi)
    for ch in "'’":
        # a single mark followed by a lower-case letter is an apostrophe ("company's"); the few
        # marks of an article are cheaper to walk with find than to scan for with a regex
        p = text.find(ch, lo, hi) if ch in text else -1
        while p >= 0:
            if p + 1 >= hi or not ("a" <= text[p + 1] <= "z"):
                qpos.append(p)
            p = text.find(ch, p + 1, hi)
    qpos.sort()
    return cands, splits, qpos


def _line_start(text: str, lo: int, p: int) -> int:
    """Start of the line holding p, looking back at most 300 characters (so that many markers on
    one enormous line stay linear): the window start stands in for a line start further away."""
    w = p - 300 if p - 300 > lo else lo
    return text.rfind("\n", w, p) + 1 or w


def _glued_split(text: str, lo: int, hi: int, p: int, splits: list[tuple[int, int]]) -> None:
    """Punctuation at p glued to a capitalised word: a lost paragraph break, unless the word
    before is an abbreviation, or the two are an address or a domain."""
    ls = _line_start(text, lo, p)
    rs = p
    while rs > ls and text[rs - 1] in PUNCT and p - rs < 11:
        rs -= 1
    if rs <= ls or text[rs - 1] not in _GLUE_BEFORE:
        return
    q = p + 1
    while q < hi and text[q] in CLOSERS and q - p < 12:
        q += 1
    le = text.find("\n", q, q + 24)
    tk = text[q : le if le >= 0 else q + 24].split(None, 1)
    tok = tk[0] if tk else ""
    if not tok or "@" in tok or "/" in tok:
        return
    word = _token_before(text, ls, rs)
    if "://" in word or "www." in word or "@" in word:
        return
    if rs == p and q == p + 1 and text[p] == "." and _inner_name(text, p, hi):
        return  # "Lend.Fi", "Trade.Io", "X.AI": one word in any feed
    le = text.find("\n", q, q + 120)
    if _boundary(text, ls, rs, p + 1, tok, max(ls, rs - 200), True, q, le if le >= 0 else hi) == 0:
        splits.append((q, SPLIT_PARA))


def _marker_split(
    text: str, lo: int, hi: int, p: int, ch: str, splits: list[tuple[int, int]]
) -> None:
    """A rare marker inside a line: a `` * `` list separator, an inline bullet, a © tail, or the
    @ of a post attribution."""
    ls = _line_start(text, lo, p)
    if ch == "*":
        if (
            p - 2 >= ls
            and p + 2 < hi
            and text[p - 1] in _SPACES
            and text[p + 1] in _SPACES
            and not text[p - 2].isspace()
            and not text[p + 2].isspace()
        ):
            splits.append((p, SPLIT_ITEM))
    elif ch in _BULLET_CHARS:
        if p > ls and text[p - 1] in _SPACES:
            k = p - 1
            while k > ls and text[k - 1] in _SPACES:
                k -= 1
            if k > ls:
                splits.append((p, SPLIT_ITEM))
    elif ch == "©":
        if p > ls and _COPYRIGHT.match(text, p, hi):
            splits.append((p, SPLIT_PARA))


Piece = tuple  # (start, end, paragraph, line_start, glued_line, candidates, quote marks)
_first = itemgetter(0)
_NONE: list[int] = []


def _next_break(text: str, pos: int, n: int, nl: int) -> tuple[int, int, int]:
    """In a text with lone CRs (old Mac line ends): (end of the line, start of the next, position
    of the next LF). nl caches the next LF so that a text of CRs alone stays linear."""
    if nl < pos:
        nl = text.find("\n", pos)
        if nl < 0:
            nl = n
    cr = text.find("\r", pos, nl)
    if cr < 0:
        return nl, nl + 1, nl
    return cr, (cr + 2 if cr + 1 == nl else cr + 1), nl


def iter_pieces(text: str, pos: int, blank_mode: bool) -> Iterator[Piece]:
    """Stripped pieces of text[pos:] with their paragraph number, soft candidates and quotation
    marks.

    In blank_mode paragraphs are separated by blank (or white-space-only) lines, otherwise every
    line is one. A hard split of kind SPLIT_PARA starts a new paragraph inside a line."""
    n = len(text)
    # a text that lost its breaks: no line break in the first 1500 characters but a final one
    first_nl = text.find("\n", pos, pos + 1500)
    glued_doc = (n - pos) > 300 and (first_nl < 0 or first_nl >= n - 4)
    if not glued_doc and n - pos > 30000:
        glued_doc = text.count("\n", pos) * 1500 < (n - pos)
    cands, splits, qpos = scan(text, pos, n)
    if glued_doc or splits:
        dsplits = doc_splits(text, pos, n, glued_doc)
        if dsplits:
            splits.extend(dsplits)
            splits.sort()
    has_cr = text.find("\r", pos) >= 0
    lone_cr = has_cr and text.count("\r", pos) != text.count("\r\n", pos)
    ns = len(splits)
    next_split = splits[0][0] if ns else n + 1
    si = 0
    para = -1
    after_blank = True
    find = text.find
    next_lf = -1
    cstarts = [c[0] for c in cands]
    nc = len(cands)
    nq = len(qpos)
    cj = qi = qj = 0
    while pos < n:
        if lone_cr:
            ls = pos
            le, pos, next_lf = _next_break(text, pos, n, next_lf)
        else:
            ls = pos
            le = find("\n", pos)
            if le < 0:
                le = n
            pos = le + 1
            if has_cr and le > ls and text[le - 1] == "\r":
                le -= 1
        s, e = ls, le
        if s >= e:
            after_blank = True
            continue
        if text[s].isspace() or text[e - 1].isspace():
            s, e = strip_span(text, s, e)
            if s >= e:
                after_blank = True
                continue
        if after_blank or not blank_mode:
            para += 1
        after_blank = False
        # lines come in order: the search for this line's candidates and quotation marks starts
        # at the last line's end, and is skipped when the next one lies beyond this line
        if cj < nc and cstarts[cj] < e:
            ci = bisect_left(cstarts, s, cj)
            cj = bisect_left(cstarts, e, ci)
        else:
            ci = cj
        if qj < nq and qpos[qj] < e:
            qi = bisect_left(qpos, s, qj)
            qj = bisect_left(qpos, e, qi)
        else:
            qi = qj
        if next_split >= le:
            yield (
                s,
                e,
                para,
                True,
                False,
                cands[ci:cj] if cj > ci else _NONE,
                qpos[qi:qj] if qj > qi else _NONE,
            )
            continue
        line_cands = cands[ci:cj]
        line_splits = []
        while si < ns and splits[si][0] < le:
            if splits[si][0] > s:
                line_splits.append(splits[si])
            si += 1
        next_split = splits[si][0] if si < ns else n + 1
        if not line_splits:
            yield (s, e, para, True, False, line_cands, qpos[qi:qj])
            continue
        a = s
        line_start = True
        k = 0
        nlc = len(line_cands)
        for b, kind in line_splits + [(e, 0)]:
            if b <= a:
                if kind == SPLIT_PARA and not line_start:
                    para += 1
                continue
            ps, pe = strip_span(text, a, b)
            if ps < pe:
                while k < nlc and line_cands[k][0] < ps:
                    k += 1
                kj = k
                while kj < nlc and line_cands[kj][1] < pe:
                    kj += 1
                yield (ps, pe, para, line_start, True, line_cands[k:kj], None)
                k = kj
                line_start = False
            if kind == SPLIT_PARA:
                para += 1
            a = b
            if b >= e:
                break


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
    for s, e, _para, _ls, _glued, cands, qpos in iter_pieces(text, 0, False):
        out.extend(sentence_spans(text, s, e, cands, qpos))
    return out
