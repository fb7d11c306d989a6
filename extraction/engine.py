"""From article text to its parts: dateline, section labels, related links, image credit, social
posts, boilerplate, and the claims that are left.

The text is read once, as a stream of *pieces*: a piece is a stripped line, or part of a line where
a feed lost its breaks (see segmenter.iter_pieces). Each piece carries the paragraph it belongs to
(blank-line paragraphs; in a feed without blank lines every line is a paragraph) and the sentence
candidates and quotation marks the scan found in it. The classifier looks at each piece in this
order, the first rule that matches wins:

1. a paragraph followed by a social-post attribution is the post (not a claim), and so is the
   attribution line itself;
2. boilerplate: Disclaimer / Editor's note paragraphs, production footers, copyright tails,
   rating widgets;
3. the image credit (a short line such as "Image via Shutterstock");
4. a related-link label ("See Also:", "Read Next:" ...) with its headline: same line, next line,
   a bullet list (one link per item), or nothing (empty title);
5. a section label ("What Happened:", "AAPL Price Action:"), alone or opening a paragraph;
6. a bullet item (claims without the marker; further lines of the item are claims too);
7. a table row;
8. a heading paragraph without final punctuation: a section label, or the label of a link list
   when only headline items follow;
9. prose: split into sentences; questions, lead-in fragments and promotional imperatives are
   dropped.
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections import deque
from collections.abc import Iterator
from itertools import product
from operator import itemgetter

from .lexicon import SMALL_WORDS
from .parts import (
    _BULLET,
    _BULLET_FIRST,
    _CAMEL_JUNCTION,
    _DASHES,
    _KNOWN,
    _LINK,
    _PROMO,
    _PROMO_WORDS,
    _TERMINAL,
    _URL,
    _boilerplate_kind,
    _bullet_body,
    _complete_clause,
    _credit,
    _fragment_is_claim,
    _glued_credit_end,
    _glued_heading_end,
    _has_blank_line,
    _heading_ok,
    _headline_like,
    _is_attribution,
    _is_bullet,
    _is_question,
    _is_table,
    _label_phrase,
    _phrase_kind,
    _read_header,
    _section_label_ok,
    _terminal,
)
from .results import (
    KIND_BULLET,
    KIND_LEAD_IN,
    KIND_QUOTE,
    KIND_SENTENCE,
    Boilerplate,
    Claim,
    Extraction,
    ImageCredit,
    RelatedLink,
    Section,
    SocialPost,
    _ClaimDraft,
    _ExtractionDraft,
    _RelatedLinkDraft,
    _SectionDraft,
)
from .segmenter import (
    _ENUM_FIRST,
    ATTRIBUTION,
    CLOSERS,
    iter_pieces,
    sentence_spans,
    strip_span,
)

_Piece = tuple  # see segmenter.iter_pieces
_first = itemgetter(0)

_QUOTE_OPENERS = frozenset("\"“‘'")


def _any_case(prefixes: str) -> frozenset[str]:
    """Every spelling of the given ASCII prefixes in any mix of case: `text[a:a+3] in` the set
    answers `text[a:a+3].lower() in prefixes` without building the lower-case copy (no other
    character lower-cases to an ASCII letter of these prefixes)."""
    return frozenset(
        "".join(chars)
        for word in prefixes.split()
        for chars in product(*({c.lower(), c.upper()} for c in word))
    )


# Sentence openers of promotional imperatives (first three letters, any case)
_PROMO_PREFIXES = _any_case("che cli tap sig sub fol joi dow lea fin get don sta be vis")
# boilerplate labels, footers, widgets, copyright, image credits (first three letters, any case)
_SPECIAL_PREFIXES = _any_case(
    "dis leg edi not eng rep wri thi mar ben lat vie dat cop "
    "fea cov hea lea top mai her fil sto pho ima pic ill gra scr vid cha"
)


def _new_claim(text: str, s: int, e: int, section: str | None, ordinal: int, kind: str) -> Claim:
    """Claim(...) at a third of the cost of the frozen dataclass's __init__ (see results._draft)."""
    c = _ClaimDraft(text, s, e, section, ordinal, kind)
    c.__class__ = Claim
    return c


def _new_section(label: str, start: int) -> Section:
    c = _SectionDraft(label, start)
    c.__class__ = Section
    return c


def _new_link(label: str, title: str, url: str | None, start: int, end: int) -> RelatedLink:
    c = _RelatedLinkDraft(label, title, url, start, end)
    c.__class__ = RelatedLink
    return c


def _after(cands: list | None, s: int) -> list | None:
    """The candidates from position s on (after a label or a bullet marker)."""
    if not cands:
        return cands
    i = bisect_left(cands, s, key=_first)
    return cands[i:] if i else cands


def _quotes_after(qpos: list | None, s: int, curly_single: bool) -> list | None:
    """The quotation marks from position s on, for a piece that starts after a label or a bullet
    marker, so that sentence_spans need not look for them again.

    None (sentence_spans then finds them itself) when the text has a ‘ at all: the scan keeps
    every ‘, the piece-level search only one not followed by a lower-case letter, and a piece
    after a label has always been read the second way."""
    if qpos is None or curly_single:
        return None
    if not qpos:
        return qpos
    i = bisect_left(qpos, s)
    return qpos[i:] if i else qpos


class _Ahead:
    """A piece stream with lookahead."""

    __slots__ = ("_it", "_buf")

    def __init__(self, it: Iterator[_Piece], eager: bool) -> None:
        # eager: read every piece up front (small texts; saves a generator switch per piece)
        self._buf: deque[_Piece] = deque(it) if eager else deque()
        self._it = iter(()) if eager else it

    def peek(self, k: int = 0) -> _Piece | None:
        buf = self._buf
        while len(buf) <= k:
            nxt = next(self._it, None)
            if nxt is None:
                return None
            buf.append(nxt)
        return buf[k]

    def pop(self) -> _Piece | None:
        if self._buf:
            return self._buf.popleft()
        return next(self._it, None)

    def push(self, piece: _Piece) -> None:
        self._buf.appendleft(piece)


# --------------------------------------------------------------------------------------------
# The extractor
# --------------------------------------------------------------------------------------------


def extract(text: str) -> Extraction:
    """Extract the parts of one article. Never raises on a str; offsets index into text."""
    if not isinstance(text, str):
        raise TypeError(f"extract() needs a str, not {type(text).__name__}")
    # Everything built here is acyclic (strings, ints, tuples, slotted dataclasses) and freed by
    # reference counting; the cycle collector's passes over a growing result are pure overhead
    # (a third of the time for a million claims), so it is paused while extracting.
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        return _Run(text).run()
    finally:
        if paused:
            gc.enable()


class _Run:
    __slots__ = (
        "text",
        "dateline",
        "src",
        "claims",
        "links",
        "sections",
        "posts",
        "boiler",
        "credit",
        "section",
        "blank_mode",
        "has_posts",
    )

    def __init__(self, text: str) -> None:
        self.text = text
        pos, self.dateline = _read_header(text)
        blank_mode = _has_blank_line(text, pos)
        self.blank_mode = blank_mode
        self.has_posts = text.find("@", pos) >= 0 and text.find("(@", pos) >= 0
        self.src = _Ahead(iter_pieces(text, pos, blank_mode), len(text) < 1_000_000)
        self.claims: list[Claim] = []
        self.links: list[RelatedLink] = []
        self.sections: list[Section] = []
        self.posts: list[SocialPost] = []
        self.boiler: list[Boilerplate] = []
        self.credit: ImageCredit | None = None
        self.section: str | None = None

    # -- output helpers -----------------------------------------------------------------------

    def _boil(self, kind: str, s: int, e: int) -> None:
        self.boiler.append(Boilerplate(kind, self.text[s:e], s, e))

    def _link(self, label: str, s: int, e: int, ts: int, te: int) -> None:
        text = self.text
        title = text[ts:te] if ts < te else ""
        url = None
        if title and ("http" in title or "www." in title):
            m = _URL.search(title)
            if m:
                url = m.group(0).rstrip(".,;)")
                title = (title[: m.start()] + title[m.end() :]).strip()
        self.links.append(_new_link(label, title, url, s, e))

    # -- main loop ----------------------------------------------------------------------------

    def run(self) -> Extraction:
        text = self.text
        src = self.src
        cur_para = -1
        in_bullets = False
        skip_para = -1
        has_posts = self.has_posts
        has_bars = "|" in text or "\t" in text
        curly_single = "‘" in text
        has_generation = "eneration " in text
        buf = src._buf
        more = src._it
        while True:
            if buf:
                pc = buf.popleft()
            else:
                pc = next(more, None)
                if pc is None:
                    break
            s, e, para, line_start, glued, cands, qpos = pc
            para_start = para != cur_para
            if para_start:
                cur_para = para
                in_bullets = False
                if has_posts and self._post_ahead(pc):
                    continue
            if para == skip_para:
                self._boil("boilerplate", s, e)
                continue
            c0 = text[s]
            if c0 in _DASHES and has_posts and ATTRIBUTION.match(text, s, e) is not None:
                self._boil("social_attribution", s, e)
                continue
            if (
                text[s : s + 3] in _SPECIAL_PREFIXES
                or c0 in "©("
                or (
                    c0 in "Tt"
                    and has_generation
                    and e - s < 600
                    and text.find("eneration ", s, min(e, s + 300)) >= 0
                )
            ):
                kind = _boilerplate_kind(text, s, e)
                if kind is not None:
                    self._boil(kind, s, e)
                    if kind in ("disclaimer", "editors_note", "footer"):
                        skip_para = para
                    continue
                cr = _credit(text, s, e)
                if cr is not None:
                    if self.credit is None:
                        self.credit = cr
                    else:
                        self._boil("image_credit", s, e)
                    continue
            colon = text.find(":", s, s + 90 if s + 90 < e else e)
            if colon > s and (colon + 1 == e or text[colon + 1].isspace()):
                lab = _label_phrase(text, s, e)
                if lab is not None:
                    phrase, colon_end, rest = lab
                    if _phrase_kind(phrase) == _LINK:
                        self._related(pc, phrase, colon_end, rest)
                        continue
                    if _section_label_ok(phrase, text, rest, e):
                        self.section = phrase
                        self.sections.append(_new_section(phrase, s))
                        if rest >= e:
                            continue
                        s = rest
                        c0 = text[s]
            if c0 in _BULLET_FIRST and (bm := _BULLET.match(text, s, e)) is not None:
                in_bullets = True
                b = bm.end()
                self._sentences(
                    b, e, KIND_BULLET, True, _after(cands, b), _quotes_after(qpos, b, curly_single)
                )
                continue
            prose = text[e - 1] in _TERMINAL
            if (
                not prose
                or (has_bars and (text.find("|", s, e) >= 0 or text.find("\t", s, e) >= 0))
            ) and _is_table(text, s, e):
                self._boil("table", s, e)
                continue
            # a piece ending in punctuation is no heading: only a glued one is looked at again,
            # because a heading may run into its first sentence there
            if glued and para_start and s == pc[0] and text[s].isupper():
                j = _glued_heading_end(text, s, e)
                if j > 0:
                    src.push((j, e, para + 0.5, False, glued, None, None))
                    e = j
                    pc = (s, e, para, line_start, glued, None, None)
                    cands = qpos = None
                    prose = False
            if not prose and para_start and s == pc[0] and _heading_ok(text, s, e):
                nxt = src.peek()
                if nxt is None or nxt[2] != para or _is_bullet(text, nxt):
                    self._heading(pc, nxt)
                    continue
            elif text[e - 1] in "?!" and para_start and s == pc[0] and self._headline_list_ahead():
                # a heading with its own "?" or "!" ("Did You Know?") labels a list of headlines;
                # before anything else it is a question (not a claim), never a section label
                j = _glued_credit_end(text, s, e) if glued else -1
                if j > 0:
                    # "Image via ShutterstockDid You Know?": a credit glued to the label
                    src.push((j, e, para + 0.5, False, glued, None, None))
                    src.push((s, j, para, line_start, glued, None, None))
                    continue
                if _heading_ok(text, s, e - 2 if text[e - 2] in "?!" else e - 1):
                    self._link_list(text[s:e], src.peek()[2])
                    continue
            if s != pc[0]:
                cands = _after(cands, s)
                qpos = _quotes_after(qpos, s, curly_single)
            if in_bullets and line_start:
                self._sentences(s, e, KIND_BULLET, True, cands, qpos)
                continue
            self._sentences(s, e, KIND_SENTENCE, False, cands, qpos)
        return self._result()

    def _result(self) -> Extraction:
        r = _ExtractionDraft(
            self.dateline,
            tuple(self.claims),
            tuple(self.links),
            self.credit,
            tuple(self.sections),
            tuple(self.posts),
            tuple(self.boiler),
        )
        r.__class__ = Extraction
        return r

    # -- rules --------------------------------------------------------------------------------

    def _post_ahead(self, first: _Piece) -> bool:
        """At a paragraph start: is this paragraph a social post (an attribution line follows it,
        in the same paragraph or opening the next)? If so, consume post and attribution."""
        text = self.text
        src = self.src
        para = first[2]
        if _is_attribution(text, first):
            return False
        k = 0
        prev = first
        while True:
            if k >= 60:
                return False
            nxt = src.peek(k)
            if nxt is None:
                return False
            if _is_attribution(text, nxt):
                break
            if nxt[2] != para:
                return False
            prev = nxt
            k += 1
        # first .. prev is the post; src.peek(k) is the attribution
        for _ in range(k):
            src.pop()
        at = src.pop()
        m = ATTRIBUTION.match(text, at[0], at[1])
        assert m is not None
        self.posts.append(
            SocialPost(
                text=text[first[0] : prev[1]],
                start=first[0],
                end=prev[1],
                author=m.group("name").strip(),
                handle=m.group("handle"),
                date=m.group("date"),
                attribution_start=at[0],
                attribution_end=at[1],
            )
        )
        return True

    def _related(self, pc: _Piece, label: str, colon_end: int, rest: int) -> None:
        text = self.text
        src = self.src
        s, e, para, _line_start, glued = pc[:5]
        if rest < e:
            te = e
            if glued:
                te = self._headline_end(rest, e)
            self._link(label, s, te, rest, te)
            if te < e:
                ns, ne = strip_span(text, te, e)
                if ns < ne:
                    src.push((ns, ne, para + 0.5, True, glued, None, None))
                return
            # a feed that lost its breaks lists further headlines as " * " items on the line
            while True:
                nxt = src.peek()
                if nxt is None or nxt[2] != para or nxt[3] or not _is_bullet(text, nxt):
                    return
                src.pop()
                body = _bullet_body(text, nxt[0], nxt[1])
                te = self._headline_end(body, nxt[1]) if glued else nxt[1]
                self._link(label, nxt[0], te, body, te)
                if te < nxt[1]:
                    ns, ne = strip_span(text, te, nxt[1])
                    if ns < ne:
                        src.push((ns, ne, para + 0.5, True, glued, None, None))
                    return
        nxt = src.peek()
        if nxt is None:
            self._link(label, s, colon_end, 0, 0)
            return
        if _is_bullet(text, nxt):
            self._link_list(label, nxt[2])
            return
        same_para = nxt[2] == para
        if (
            (same_para or _headline_like(text, nxt[0], nxt[1]))
            and not _is_attribution(text, nxt)
            and _boilerplate_kind(text, nxt[0], nxt[1]) is None
            and _credit(text, nxt[0], nxt[1]) is None
            and not self._starts_with_label(nxt, known_only=same_para)
        ):
            after = src.peek(1)
            if same_para or after is None or after[2] != nxt[2]:
                src.pop()
                self._link(label, s, nxt[1], nxt[0], nxt[1])
                return
        self._link(label, s, colon_end, 0, 0)

    def _starts_with_label(self, pc: _Piece, *, known_only: bool = False) -> bool:
        """Does the piece open with a label? known_only: only a link label or one of the usual
        section labels counts (a headline may hold a colon: "Gold: Here's Why")."""
        text = self.text
        s, e = pc[0], pc[1]
        if text.find(":", s, min(e, s + 90)) < 0:
            return False
        lab = _label_phrase(text, s, e)
        if lab is None:
            return False
        phrase, _c, rest = lab
        kind = _phrase_kind(phrase)
        if kind == _LINK or kind == _KNOWN:
            return True
        return not known_only and _section_label_ok(phrase, text, rest, e)

    def _link_list(self, label: str, para: float) -> None:
        """One link per bullet item: the items of one paragraph (every line is a paragraph in a
        feed without blank lines)."""
        text = self.text
        src = self.src
        while True:
            nxt = src.peek()
            if nxt is None or not _is_bullet(text, nxt):
                return
            if nxt[2] != para:
                if self.blank_mode:
                    return
                para = nxt[2]
            src.pop()
            s, e = nxt[0], nxt[1]
            self._link(label, s, e, _bullet_body(text, s, e), e)

    def _headline_list_ahead(self) -> bool:
        """Do the next pieces form a bullet list whose items all read like headlines (the list a
        heading without a colon labels)? The items are those _link_list would take. One item
        that reads like a sentence ("- The company cut 200 jobs.") makes the list claims."""
        text = self.text
        src = self.src
        nxt = src.peek()
        if nxt is None or not _is_bullet(text, nxt):
            return False
        para = nxt[2]
        for k in range(1000):
            if k:
                nxt = src.peek(k)
                if nxt is None or not _is_bullet(text, nxt):
                    break
                if nxt[2] != para:
                    if self.blank_mode:
                        break
                    para = nxt[2]
            if not _headline_like(text, _bullet_body(text, nxt[0], nxt[1]), nxt[1]):
                return False
        return True

    def _headline_end(self, s: int, e: int) -> int:
        """Where a headline ends in a line that lost its breaks: at a sentence boundary or where a
        glued sentence starts ("...Brake Software FaultVoltara said the cuts")."""
        text = self.text
        end = e
        spans = sentence_spans(text, s, e)
        if len(spans) > 1:
            end = spans[0][1]
        for m in _CAMEL_JUNCTION.finditer(text, s, end):
            if m.group(1) not in SMALL_WORDS:
                return m.start()
        return end

    def _heading(self, pc: _Piece, nxt: _Piece | None) -> None:
        text = self.text
        s, e = pc[0], pc[1]
        label = text[s:e]
        if nxt is not None and self._headline_list_ahead():
            self._link_list(label, nxt[2])
            return
        self.section = label
        self.sections.append(_new_section(label, s))

    def _sentences(
        self, s: int, e: int, kind: str, loose: bool, cands: list | None, qpos: list | None
    ) -> None:
        """Claims of one prose stretch. loose: a bullet item or a further line of one, where a
        final stretch without punctuation is a claim too."""
        text = self.text
        claims = self.claims
        section = self.section
        if cands is None or cands or text[s] in _ENUM_FIRST or (s + 1 < e and text[s + 1] in ".)"):
            spans = sentence_spans(text, s, e, cands, qpos)
        else:
            spans = ((s, e),)  # no candidate and no enumeration: one sentence
        last_end = spans[-1][1]
        plain = kind == KIND_SENTENCE
        draft = _ClaimDraft
        for a, b in spans:
            term = text[b - 1]
            if term == "." and plain:
                # the usual case: a declarative sentence; only quotes and promotions to tell apart
                if text[a] in _QUOTE_OPENERS:
                    claims.append(_new_claim(text[a:b], a, b, section, len(claims), KIND_QUOTE))
                    continue
                if text[a : a + 3] not in _PROMO_PREFIXES:
                    c = draft(text[a:b], a, b, section, len(claims), KIND_SENTENCE)
                    c.__class__ = Claim
                    claims.append(c)
                    continue
            if term in CLOSERS:
                term = _terminal(text, a, b)
            if term == "?" or (term in "!‽" and _is_question(text, a, b)):
                continue
            k = kind
            if term == ":":
                if kind != KIND_BULLET:
                    if b != last_end or not _complete_clause(text, a, b):
                        continue
                    k = KIND_LEAD_IN
            elif term not in _TERMINAL:
                if not loose and not _fragment_is_claim(text, a, b):
                    continue
            if plain:
                c = text[a]
                if c in _QUOTE_OPENERS:
                    k = KIND_QUOTE
                elif (
                    text[a : a + 3] in _PROMO_PREFIXES
                    and _PROMO.match(text, a, b)
                    and (b - a < 20 or _PROMO_WORDS.search(text, a, b))
                ):
                    self._boil("promo", a, b)
                    continue
            claims.append(_new_claim(text[a:b], a, b, section, len(claims), k))
