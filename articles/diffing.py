"""What changed between two texts of an article, sentence by sentence: the "since the last review
round" view of the article page. Pure Python, no Django, so it can be tested and benchmarked alone.

A text is cut into units that a reviewer reads as one: a sentence (up to a full stop, question or
exclamation mark followed by a space, with any closing quote or bracket) or the rest of a line
with its line break; a blank line is a unit of its own, so an added paragraph shows as such.

The units are compared in time linear in their number, whatever the text looks like. difflib's
SequenceMatcher, used before, is quadratic on repetitive input (a 48 KB body of repeated lines
took over 30 s); an editor's paste must not be able to do that to a worker. So:

1. Units equal at the start and at the end of a region are matched first (most edits change a few
   sentences in the middle of a long article: this alone settles them).
2. Within what is left, units that occur exactly once in the old and once in the new region (and
   are not blank) anchor the match; the longest run of anchors in the same order in both
   (patience sorting, n log n) is kept, and each gap between two anchors is a region of its own.
   Moved paragraphs and reordered or shuffled text are handled here.
3. A region with no such anchor (the same lines over and over) is compared with Myers' O(ND)
   algorithm, which is fast when the two regions differ by few units (D), and is given up past
   `MAX_EDIT_DISTANCE`: the region then shows as replaced, which is still a correct diff.

Every unit a step looks at is counted against a budget proportional to the size of the two texts
(`WORK_PER_UNIT`); past it `DiffTooLarge` is raised. A diff that changes more than
`MAX_CHANGED_UNITS` units or `MAX_CHANGED_CHARS` characters is not worth reading as a diff either.
In both cases `diff_for_review` says "too large" and the article page shows the changed claims
only. The cost is therefore bounded by the size of the input, and it is paid once, by the worker
that applies the extraction (`articles.services.results`); the article page only reads the result.

The segments are plain strings: escaping is the template's job (Django autoescapes).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from articles.text import normalise_text

Kind = Literal["same", "insert", "delete", "skip"]
# A run of units equal in both texts: (start in old, start in new, length).
Block = tuple[int, int, int]

# The end of a unit: a sentence mark with its closing quotes/brackets and the spaces after it, or a
# line break. "$12.5" or "3.14" do not end a sentence (no space after the dot). A run of marks is
# only tried from its first mark, and taken whole (possessive): without that, a run of 40,000 dots
# with no space after it took a minute, each position rescanning the rest of the run.
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+[^\S\n]++|\n")

# Operations allowed per unit of both texts, and a floor so that small texts always get an exact
# answer. Prefix/suffix matching and the anchor search cost a few operations per unit and level of
# gaps; adversarial shapes (benchmarks/diff.py) stay well under this.
WORK_PER_UNIT = 40
MIN_WORK = 20_000
# Myers' algorithm on a region without anchors gives up past this many inserted + deleted units.
MAX_EDIT_DISTANCE = 500
# Past these, a diff is not shown (the reviewer reads the changed claims instead).
MAX_CHANGED_UNITS = 2_000
MAX_CHANGED_CHARS = 100_000


class DiffTooLarge(Exception):
    """The comparison needed more work than the texts' size allows."""


@dataclass(frozen=True)
class DiffSegment:
    """A run of text that is the same in both versions, only in the new one (insert), only in the
    old one (delete), or, after `fold`, an unchanged stretch left out (skip, `text` empty)."""

    kind: Kind
    text: str
    skipped_lines: int = 0

    @property
    def is_change(self) -> bool:
        return self.kind in ("insert", "delete")


@dataclass(frozen=True)
class DiffSummary:
    inserted: int
    deleted: int

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.deleted)


@dataclass(frozen=True)
class RoundDiff:
    """The text diff of a review round as the article page shows it: folded segments and the
    number of units added and removed. `too_large`: no segments, show the changed claims only;
    the counts are then None when the comparison itself was given up."""

    segments: list[DiffSegment]
    inserted: int | None
    deleted: int | None
    too_large: bool = False


def units(text: str) -> list[str]:
    """Cut `text` into sentences and line breaks; joined back they give `text` exactly."""
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        out.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        out.append(text[start:])
    return out


def work_budget(n_units: int) -> int:
    """The operations a diff of `n_units` units (both texts together) may use."""
    return MIN_WORK + WORK_PER_UNIT * n_units


# --- Matching -----------------------------------------------------------------------------------


def matching_blocks(
    a: Sequence[str], b: Sequence[str], *, budget: int | None = None
) -> list[Block]:
    """The runs of units of `a` matched to equal units of `b`, in order in both (no two cross),
    adjacent runs joined. Raises `DiffTooLarge` past `budget` operations (default:
    `work_budget`)."""
    if budget is None:
        budget = work_budget(len(a) + len(b))
    work = 0
    blocks: list[Block] = []
    regions = [(0, len(a), 0, len(b))]
    while regions:
        alo, ahi, blo, bhi = regions.pop()
        # 1. Equal units at both ends.
        i, j = alo, blo
        while i < ahi and j < bhi and a[i] == b[j]:
            i += 1
            j += 1
        if i > alo:
            blocks.append((alo, blo, i - alo))
        alo, blo = i, j
        i, j = ahi, bhi
        while i > alo and j > blo and a[i - 1] == b[j - 1]:
            i -= 1
            j -= 1
        if i < ahi:
            blocks.append((i, j, ahi - i))
        ahi, bhi = i, j
        if alo == ahi or blo == bhi:
            continue
        work += (ahi - alo) + (bhi - blo)
        if work > budget:
            raise DiffTooLarge
        # 2. Anchors: units once in each region.
        seen: dict[str, list[int]] = {}  # unit -> [count in a, index in a, count in b, index in b]
        for i in range(alo, ahi):
            entry = seen.get(a[i])
            if entry is None:
                seen[a[i]] = [1, i, 0, -1]
            else:
                entry[0] += 1
        shared = False
        for j in range(blo, bhi):
            entry = seen.get(b[j])
            if entry is not None:
                shared = True
                entry[2] += 1
                entry[3] = j
        if not shared:
            continue  # nothing in common: the region is replaced
        anchors = sorted(
            (entry[1], entry[3])
            for unit, entry in seen.items()
            if entry[0] == 1 and entry[2] == 1 and not unit.isspace()
        )
        if anchors:
            work += len(anchors)
            i, j = alo, blo
            for ai, bj in _longest_increasing(anchors):
                blocks.append((ai, bj, 1))
                regions.append((i, ai, j, bj))
                i, j = ai + 1, bj + 1
            regions.append((i, ahi, j, bhi))
            continue
        # 3. The same units over and over: Myers, bounded.
        found, spent = _myers(a, alo, ahi, b, blo, bhi, budget=budget - work)
        work += spent
        if work > budget:
            raise DiffTooLarge
        blocks.extend(found)
    return _joined(blocks)


def _longest_increasing(pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest chain of `pairs` (sorted by their first item, second items distinct) whose
    second items increase too: patience sorting, n log n."""
    tops: list[int] = []  # the second item on top of each pile
    top_index: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, second) in enumerate(pairs):
        pile = bisect_left(tops, second)
        if pile:
            previous[index] = top_index[pile - 1]
        if pile == len(tops):
            tops.append(second)
            top_index.append(index)
        else:
            tops[pile] = second
            top_index[pile] = index
    chain: list[tuple[int, int]] = []
    index = top_index[-1] if top_index else -1
    while index >= 0:
        chain.append(pairs[index])
        index = previous[index]
    chain.reverse()
    return chain


def _myers(
    a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int, *, budget: int
) -> tuple[list[Block], int]:
    """The fewest insertions and deletions turning a[alo:ahi] into b[blo:bhi] (Myers 1986, the
    greedy forward search), as matched blocks, and the operations spent. Gives up (no blocks: the
    region is replaced) past `MAX_EDIT_DISTANCE`, or as soon as it has spent `budget`."""
    n, m = ahi - alo, bhi - blo
    limit = min(MAX_EDIT_DISTANCE, n + m)
    offset = limit + 1
    v = [0] * (2 * limit + 3)  # v[offset + k]: the furthest x reached on diagonal k = x - y
    trace: list[list[int]] = []  # v for k in -d..d after each step d
    work = 0
    for d in range(limit + 1):
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and v[offset + k - 1] < v[offset + k + 1]):
                x = v[offset + k + 1]  # down: insert b[y - 1]
            else:
                x = v[offset + k - 1] + 1  # right: delete a[x - 1]
            y = x - k
            start = x
            while x < n and y < m and a[alo + x] == b[blo + y]:
                x += 1
                y += 1
            work += 1 + x - start
            v[offset + k] = x
            if x >= n and y >= m:
                trace.append(v[offset - d : offset + d + 1])
                return _myers_blocks(trace, n, m, alo, blo), work
        trace.append(v[offset - d : offset + d + 1])
        work += d
        if work > budget:
            return [], work
    return [], work


def _myers_blocks(trace: list[list[int]], n: int, m: int, alo: int, blo: int) -> list[Block]:
    """Walk the search of `_myers` back from (n, m): the snakes of the path are the blocks."""
    blocks: list[Block] = []
    x, y = n, m
    for d in range(len(trace) - 1, 0, -1):
        before = trace[d - 1]  # k from -(d - 1) to d - 1 at index k + d - 1
        k = x - y
        if k == -d or (k != d and before[k - 1 + d - 1] < before[k + 1 + d - 1]):
            previous_k = k + 1
            mid_x = before[previous_k + d - 1]
        else:
            previous_k = k - 1
            mid_x = before[previous_k + d - 1] + 1
        mid_y = mid_x - k
        if x > mid_x:
            blocks.append((alo + mid_x, blo + mid_y, x - mid_x))
        x = before[previous_k + d - 1]
        y = x - previous_k
    if x > 0:
        blocks.append((alo, blo, x))
    return blocks


def _joined(blocks: list[Block]) -> list[Block]:
    """`blocks` in order, runs that touch in both texts made one."""
    out: list[Block] = []
    for i, j, size in sorted(blocks):
        if out and out[-1][0] + out[-1][2] == i and out[-1][1] + out[-1][2] == j:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + size)
        else:
            out.append((i, j, size))
    return out


# --- Segments -----------------------------------------------------------------------------------


def diff_texts(old: str, new: str, *, budget: int | None = None) -> list[DiffSegment]:
    """The segments that turn `old` into `new`, in reading order: a replaced sentence shows as its
    deletion followed by its insertion. Adjacent segments of one kind are merged. Raises
    `DiffTooLarge` past the work budget (see `matching_blocks`)."""
    a, b = units(old), units(new)
    return _segments(a, b, matching_blocks(a, b, budget=budget))


def _segments(a: Sequence[str], b: Sequence[str], blocks: list[Block]) -> list[DiffSegment]:
    """The delete / insert / same runs between the matching blocks of units `a` and `b`."""
    segments: list[DiffSegment] = []
    i = j = 0
    for bi, bj, size in [*blocks, (len(a), len(b), 0)]:
        if bi > i:
            segments.append(DiffSegment("delete", "".join(a[i:bi])))
        if bj > j:
            segments.append(DiffSegment("insert", "".join(b[j:bj])))
        if size:
            segments.append(DiffSegment("same", "".join(a[bi : bi + size])))
        i, j = bi + size, bj + size
    return segments


def summarize(segments: list[DiffSegment]) -> DiffSummary:
    """How many units were inserted and deleted (blank lines not counted)."""
    inserted = sum(1 for s in segments if s.kind == "insert" for u in units(s.text) if u.strip())
    deleted = sum(1 for s in segments if s.kind == "delete" for u in units(s.text) if u.strip())
    return DiffSummary(inserted=inserted, deleted=deleted)


def _lines(text: str) -> list[str]:
    """`text` cut after each line break (`\\n` only: the text is normalised)."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def fold(segments: list[DiffSegment], *, context_lines: int = 2) -> list[DiffSegment]:
    """Shorten long unchanged stretches to `context_lines` lines on each side of a change (at the
    start and the end of the text, only the side next to the change), like a unified diff. The left
    out lines become one `skip` segment that says how many there were."""
    if not any(segment.is_change for segment in segments):
        return list(segments)
    out: list[DiffSegment] = []
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        if segment.kind != "same":
            out.append(segment)
            continue
        lines = _lines(segment.text)
        keep_head = 0 if index == 0 else context_lines
        keep_tail = 0 if index == last else context_lines
        if len(lines) <= keep_head + keep_tail + 1:
            out.append(segment)
            continue
        head = "".join(lines[:keep_head])
        tail = "".join(lines[len(lines) - keep_tail :]) if keep_tail else ""
        skipped = len(lines) - keep_head - keep_tail
        if head:
            out.append(DiffSegment("same", head))
        out.append(DiffSegment("skip", "", skipped_lines=skipped))
        if tail:
            out.append(DiffSegment("same", tail))
    return out


# --- The review round ---------------------------------------------------------------------------


def diff_for_review(old: str, new: str, *, context_lines: int = 2) -> RoundDiff:
    """The diff the article page shows between two extracted revisions: both texts normalised
    (`articles.text`: rows stored before line endings were normalised may still hold `\\r\\n`),
    compared within the work budget, folded. Too much work or too many changes: `too_large`."""
    old, new = normalise_text(old), normalise_text(new)
    try:
        segments = diff_texts(old, new)
    except DiffTooLarge:
        return RoundDiff(segments=[], inserted=None, deleted=None, too_large=True)
    summary = summarize(segments)
    changed_chars = sum(len(s.text) for s in segments if s.is_change)
    if summary.inserted + summary.deleted > MAX_CHANGED_UNITS or changed_chars > MAX_CHANGED_CHARS:
        return RoundDiff(
            segments=[], inserted=summary.inserted, deleted=summary.deleted, too_large=True
        )
    return RoundDiff(
        segments=fold(segments, context_lines=context_lines),
        inserted=summary.inserted,
        deleted=summary.deleted,
    )


def segments_to_json(segments: list[DiffSegment]) -> list[list[Any]]:
    """Segments as stored (`ReviewRound.segments`): `[kind, text, skipped_lines]` each."""
    return [[s.kind, s.text, s.skipped_lines] for s in segments]


def segments_from_json(data: list[list[Any]]) -> list[DiffSegment]:
    return [DiffSegment(kind, text, skipped) for kind, text, skipped in data]


# --- Words (a changed claim against its previous text) ------------------------------------------

_WORD = re.compile(r"\s+|[^\s]+")


def word_units(text: str) -> list[str]:
    """`text` cut into words and the white space between them; joined back they give `text`."""
    return _WORD.findall(text)


def diff_words(old: str, new: str) -> list[DiffSegment]:
    """Word by word, what turns a claim's previous text into its current one ("$412.3" deleted,
    "$421.3" inserted, the rest the same), with the same linear matching as `diff_texts`. Past the
    work budget the whole sentence shows as replaced (still a correct diff)."""
    a, b = word_units(old), word_units(new)
    try:
        blocks = matching_blocks(a, b)
    except DiffTooLarge:
        return [DiffSegment("delete", old), DiffSegment("insert", new)]
    return _segments(a, b, blocks)
