"""The small recognisers the engine asks about each piece: dateline header, blank lines,
boilerplate, image credit, labels, bullets, tables, headings, lead-ins, questions and fragments.

Each looks at a span of the text (start, end) and answers without copying more than it needs;
none of them loops over a span character by character.
"""

from __future__ import annotations

import datetime as _dt
import re

from .lexicon import (
    DANGLING,
    LINK_LABELS,
    NOUN_PHRASE_OPENERS,
    PREPOSITIONS,
    SMALL_WORDS,
    VERBS,
    VERBS_S,
)
from .results import ImageCredit
from .segmenter import ATTRIBUTION, BLANK_LINE_RE, CLOSERS, CREDIT_HEAD, strip_span

_Piece = tuple  # see segmenter.iter_pieces

_HEADER = re.compile(r"\ufeff?[ \t]*date[ \t]+(\d{4}-\d{2}-\d{2})(?=\s|\Z)[ \t]*")

_BOILER_LABEL = re.compile(
    r"(?:(?P<d>disclaimer|legal disclaimer|disclosure)|(?P<n>editor['’]?s['’]? note|note to editors))"
    r"[ \u00a0]*:",
    re.IGNORECASE,
)
_FOOTER = re.compile(
    r"(?:engineered by|edited by|reporting by|writing by|this (?:story|article|content|report|post|piece)"
    r" (?:was|has been|is|were)\b[^.\r\n]{0,60}?\b(?:generated|produced|written|created|compiled|"
    r"prepared|assisted)|this content was (?:partially|partly|fully )?produced|the [^.\r\n]{0,80}?"
    r"content generation system|market news and data brought to you by|benzinga does not provide "
    r"investment advice|not investment advice|this is not investment advice)",
    re.IGNORECASE,
)
_GENERATION_SYSTEM = re.compile(r"content generation system", re.IGNORECASE)
_COPYRIGHT_START = re.compile(r"(?:©|\([Cc]\)|Copyright\b)")
_RATINGS_WIDGET = re.compile(
    r"(?:latest ratings for|view more analyst ratings|view the latest analyst ratings|"
    r"date[ \t|]+firm[ \t|]+action)",
    re.IGNORECASE,
)
_PROMO = re.compile(
    r"(?:check out|click here|click the link|tap here|sign up|subscribe|follow us|follow benzinga|"
    r"join us|join benzinga|download|learn more|find out more|get the latest|get access|"
    r"get real-time|don['’]t miss out|stay up to date|stay informed|be the first|visit)\b",
    re.IGNORECASE,
)
_PROMO_WORDS = re.compile(
    r"\b(?:link|here|coverage|newsletter|subscribe|sign up|free|app|benzinga|download|follow|"
    r"our|premium|pro|exclusive|membership)\b",
    re.IGNORECASE,
)
# "Label:" at the start of a piece: up to 7 words before a colon followed by white space or end.
_LEAD = re.compile(r"((?:[^\s:]++[ \u00a0]){0,6}+[^\s:]++)[ \u00a0]*+:(?=\s|\Z)")
_BULLET = re.compile(
    r"(?:[•⁃‣▪◦●■□➢►▶→✓✔][ \u00a0]*|[-–*·][ \u00a0]+|\(?\d{1,2}[.)][ \u00a0]+)(?=\S)"
)
_BULLET_FIRST = frozenset("•⁃‣▪◦●■□➢►▶→✓✔-–*·(0123456789")
# The first marker after the image word: "via", "by", "courtesy of" or ":" ("Photo courtesy:
# Tesla" has ":" as its marker, "Photo courtesy Tesla" has "courtesy").
_CREDIT_MARK = re.compile(
    r":|\b(?:courtesy of|via|by)\b|\bcourtesy\b(?![ \u00a0]*:)", re.IGNORECASE
)
_URL = re.compile(r"https?://\S+|www\.\S+")
# In a feed that lost its breaks: a headline running into the next sentence ("...FaultVoltara said").
_CAMEL_JUNCTION = re.compile(r"(?<=[a-z0-9%)”’\"'])(?=[A-Z][A-Za-z'’]*[ \u00a0]+([a-z][a-z'’-]+))")
_DASHES = frozenset("—–―-")
_DIGIT = re.compile(r"\d")
_WS_RUN = re.compile(r"\s*+")
_TERMINAL = frozenset(".!?…‽")
_KNOWN_SECTION_LOWER = frozenset(
    s.lower().replace("’", "'")
    for s in (
        "What Happened",
        "Why It Matters",
        "What's Next",
        "The Details",
        "Key Details",
        "Key Takeaways",
        "Price Action",
        "Zoom Out",
        "What Else",
        "Looking Ahead",
        "The Big Picture",
        "By The Numbers",
        "Bottom Line",
        "The Bottom Line",
        "Context",
        "Background",
        "What It Means",
        "What They're Saying",
    )
)
_DETERMINERS = frozenset("the a an this that these those our its their his her my your".split())
_NOT_LABELS = frozenset({"photo", "image", "q", "a", "source", "sources", "note"})


def _has_blank_line(text: str, pos: int) -> bool:
    """Does a blank (or white-space-only) line separate paragraphs anywhere after pos?"""
    if text.find("\r", pos) >= 0 and text.find("\n", pos) < 0:
        return BLANK_LINE_RE.search(text, pos) is not None  # old Mac line ends
    if text.find("\n\n", pos) >= 0 or text.find("\n\r\n", pos) >= 0:
        return True  # the usual blank line, LF or CRLF: found in C without walking the lines
    find = text.find
    i = find("\n", pos)
    for _ in range(100):  # feeds without blank lines are short-lined; after that, ask the regex
        if i < 0:
            return False
        j = find("\n", i + 1)
        if j < 0:
            return False
        if j == i + 1 or (j - i < 40 and text[i + 1 : j].isspace()):
            return True
        i = j
    return BLANK_LINE_RE.search(text, i) is not None


def _read_header(text: str) -> tuple[int, str | None]:
    m = _HEADER.match(text)
    if m is None:
        return 0, None
    try:
        _dt.date.fromisoformat(m.group(1))
    except ValueError:
        return m.end(), None
    return m.end(), m.group(1)


def _terminal(text: str, a: int, b: int) -> str:
    k = b - 1
    while k > a and text[k] in CLOSERS:
        k -= 1
    return text[k]


def _is_question(text: str, a: int, b: int) -> bool:
    k = b - 1
    while k > a and text[k] in CLOSERS:
        k -= 1
    return text[k] == "?" or (text[k] in "!‽" and "?" in text[max(a, k - 3) : k])


def _titleish(words: list[str], threshold: float) -> bool:
    caps = counted = 0
    for w in words:
        if w in SMALL_WORDS:
            continue
        counted += 1
        c = w[0]
        if c.isupper() or c.isdigit() or not c.isalpha():
            caps += 1
    return counted > 0 and caps >= threshold * counted


def _headline_like(text: str, s: int, e: int) -> bool:
    if e - s > 400 or (text[e - 1] == "." and text[e - 2 : e] != ".."):
        return False
    words = text[s:e].split()
    return 2 <= len(words) <= 40 and _titleish(words, 0.6)


def _is_bullet(text: str, piece: _Piece) -> bool:
    s, e = piece[0], piece[1]
    return text[s] in _BULLET_FIRST and _BULLET.match(text, s, e) is not None


def _bullet_body(text: str, s: int, e: int) -> int:
    m = _BULLET.match(text, s, e)
    return m.end() if m else s


def _is_attribution(text: str, piece: _Piece | None) -> bool:
    if piece is None:
        return False
    s = piece[0]
    return text[s] in _DASHES and ATTRIBUTION.match(text, s, piece[1]) is not None


_CREDIT_PREFIXES = frozenset(
    "fea cov hea lea top mai her fil sto rep pho ima pic ill gra scr vid cha".split()
)


def _credit(text: str, s: int, e: int) -> ImageCredit | None:
    """The piece as an image credit, if it is one: a short line opening with an image word and a
    marker (via / by / courtesy of / :) soon after it."""
    if e - s > 200 or text[s : s + 3].lower() not in _CREDIT_PREFIXES:
        return None
    h = CREDIT_HEAD.match(text, s, e)
    if h is None:
        return None
    m = _CREDIT_MARK.search(text, h.end(), min(e, h.end() + 40))
    if m is None:
        return None
    src_s, src_e = strip_span(text, m.end(), e)
    if src_s >= src_e:
        return None
    if text[src_e - 1] == "?":
        return None
    source = text[src_s:src_e]
    if source.endswith("."):
        source = source[:-1].rstrip()
    words = source.split()
    if not words or len(words) > 12:
        return None
    if len(words) > 3 and not _titleish(words, 0.5):
        return None
    return ImageCredit(text=text[s:e], source=source, start=s, end=e)


_BOILER_PREFIXES = frozenset("dis leg edi not".split())
_FOOTER_PREFIXES = frozenset("eng edi rep wri thi the mar ben not".split())
_WIDGET_PREFIXES = frozenset("lat vie dat".split())


def _boilerplate_kind(text: str, s: int, e: int) -> str | None:
    c0 = text[s]
    if c0 in "©(" or text.startswith("Copyright", s):
        if _COPYRIGHT_START.match(text, s, e):
            return "copyright"
    p3 = text[s : s + 3].lower()
    if p3 in _BOILER_PREFIXES and (m := _BOILER_LABEL.match(text, s, e)) is not None:
        return "disclaimer" if m.group("d") else "editors_note"
    if p3 in _FOOTER_PREFIXES and _FOOTER.match(text, s, e):
        return "footer"
    if p3 in _WIDGET_PREFIXES and _RATINGS_WIDGET.match(text, s, e):
        return "table"
    if e - s < 600 and _GENERATION_SYSTEM.search(text, s, min(e, s + 300)):
        return "footer"
    return None


def _is_table(text: str, s: int, e: int) -> bool:
    if text.count("|", s, e) >= 2 or text.count("\t", s, e) >= 2:
        return True
    last = text[e - 1]
    if not (last.isdigit() or last in "%)") or e - s > 400 or text.count(" ", s, e) < 3:
        return False
    if text[e - 1] in _TERMINAL or e - s > 400:
        return False
    words = text[s:e].split()
    if len(words) < 4:
        return False
    nums = sum(1 for w in words if w[0].isdigit() or w[0] in "$€£¥+-−" and w[1:2].isdigit())
    return nums >= 3 and nums >= 0.4 * len(words)


def _complete_clause(text: str, a: int, b: int) -> bool:
    """A lead-in ending in a colon is a claim when it is a complete clause."""
    words = text[a : b - 1].replace("’", "'").split()
    if len(words) < 2:
        return False
    low = [w.lower().strip(',;"“”') for w in words]
    if low[-1] in DANGLING:
        return False
    if low[0] in PREPOSITIONS and len(words) <= 4:
        return False
    if len(words) == 2:
        if low[0] in _DETERMINERS:
            return False  # "The plan:"
        return low[1] in VERBS or low[1].endswith("ed")
    if low[0] in VERBS or any(w in VERBS or (w.endswith("ed") and len(w) > 3) for w in low[1:]):
        return True
    # "The company lists three reasons:" but not "Key highlights from the report:"
    start = 2 if low[0] in NOUN_PHRASE_OPENERS else 1
    return any(w in VERBS_S for w in low[start:])


def _fragment_is_claim(text: str, a: int, b: int) -> bool:
    """A piece's last stretch with no final punctuation (a feed's dropped period, a figure such
    as "Candidate A: 52%"): a claim unless it reads like a title."""
    words = text[a : min(b, a + 400)].split(None, 40)
    if len(words) < 2:
        return False
    if _DIGIT.search(text, a, b):
        return True
    return len(words) >= 3 and any(w[0].islower() and w not in SMALL_WORDS for w in words[1:])


def _label_phrase(text: str, s: int, e: int) -> tuple[str, int, int] | None:
    """("Phrase", colon_end, rest_start) when the piece opens with "Phrase:"."""
    m = _LEAD.match(text, s, e)
    if m is None:
        return None
    end = rest = m.end()
    if rest < e and text[rest].isspace():  # usually one space: no regex call for it
        rest += 1
        if rest < e and text[rest].isspace():
            rest = _WS_RUN.match(text, rest, e).end()
    return m.group(1), end, rest


_PHRASE_CACHE: dict[str, int] = {}
_LINK, _SECTION, _KNOWN, _NEITHER = 1, 2, 3, 0


def _phrase_kind(phrase: str) -> int:
    """What a "Phrase:" opening a piece can be, from the phrase alone: a link label, a known
    section label, a section label if what follows agrees, or neither. Cached: feeds repeat
    their labels in every article."""
    kind = _PHRASE_CACHE.get(phrase)
    if kind is not None:
        return kind
    low = phrase.lower().replace("’", "'")
    words = phrase.split()
    if low in LINK_LABELS:
        kind = _LINK
    elif low in _NOT_LABELS or len(phrase) < 2 or len(words) > 6:
        kind = _NEITHER
    elif low in _KNOWN_SECTION_LOWER:
        kind = _KNOWN
    elif any(ch in phrase for ch in '"“”,;()'):
        kind = _NEITHER
    elif not (words[0][0].isupper() or words[0][0].isdigit()) or words[-1] in SMALL_WORDS:
        kind = _NEITHER
    elif all(w[0].isupper() or w[0].isdigit() or w in SMALL_WORDS or w[0] in "&-" for w in words):
        kind = _SECTION
    else:
        kind = _NEITHER
    if len(_PHRASE_CACHE) > 20000:
        _PHRASE_CACHE.clear()
    _PHRASE_CACHE[phrase] = kind
    return kind


def _section_label_ok(phrase: str, text: str, rest: int, e: int) -> bool:
    kind = _phrase_kind(phrase)
    if kind == _NEITHER or kind == _LINK:
        return False
    if rest < e:
        c = text[rest]
        if c.isdigit() or c in "$€£¥%+-−.,;":
            return False  # a list of figures: "Candidate A: 52%"
        if (
            text.find(" ", rest, rest + 40 if rest + 40 < e else e) < 0
            and text[e - 1] not in _TERMINAL
        ):
            return False  # "Status: closed"
    return True


def _glued_heading_end(text: str, s: int, e: int) -> int:
    """In a line that lost its breaks, a heading can run straight into the next sentence
    ("Broader ImplicationsDefense analysts at ..."): where the heading ends, or -1.

    Only a short Title Case stretch of at least two words at the start of a paragraph counts, so
    that camel-case names ("BlackRock said") are left alone."""
    for m in _CAMEL_JUNCTION.finditer(text, s, min(e, s + 80)):
        if m.group(1) in SMALL_WORDS:
            continue
        j = m.start()
        words = text[s:j].split()
        if 2 <= len(words) <= 8 and all(w[0].isupper() or w in SMALL_WORDS for w in words):
            if not any(ch in text[s:j] for ch in ".!?:;,"):
                return j
        return -1
    return -1


_LOWER_UPPER = re.compile(r"(?<=[a-z])(?=[A-Z])")


def _glued_credit_end(text: str, s: int, e: int) -> int:
    """In a line that lost its breaks, an image credit can run straight into a heading ("Image
    via ShutterstockDid You Know?"): where the credit ends (the last junction of a lower-case
    and a capital letter that leaves a credit before it), or -1."""
    if text[s : s + 3].lower() not in _CREDIT_PREFIXES:
        return -1
    for m in reversed(list(_LOWER_UPPER.finditer(text, s, min(e, s + 200)))):
        if _credit(text, s, m.start()) is not None:
            return m.start()
    return -1


def _heading_ok(text: str, s: int, e: int) -> bool:
    last = text[e - 1]
    if not (last.isalnum() or last in ")%") or e - s > 80 or text.find(":", s, e) >= 0:
        return False
    c0 = text[s]
    if not (c0.isupper() or c0.isdigit()):
        return False
    words = text[s:e].split()
    return 1 <= len(words) <= 8 and _titleish(words, 0.5)
