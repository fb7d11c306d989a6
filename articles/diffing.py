"""What changed between two texts of an article, sentence by sentence: the "since the last review
round" view of the article page. Pure Python (difflib), no Django, so it can be tested alone.

A text is cut into units that a reviewer reads as one: a sentence (up to a full stop, question or
exclamation mark followed by a space, with any closing quote or bracket) or the rest of a line
with its line break; a blank line is a unit of its own, so an added paragraph shows as such. The
units are compared with `difflib.SequenceMatcher`; equal runs are joined back into plain text.

The segments are plain strings: escaping is the template's job (Django autoescapes).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

Kind = Literal["same", "insert", "delete", "skip"]

# The end of a unit: a sentence mark with its closing quotes/brackets and the spaces after it, or a
# line break. "$12.5" or "3.14" do not end a sentence (no space after the dot).
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*[^\S\n]+|\n")


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


def diff_texts(old: str, new: str) -> list[DiffSegment]:
    """The segments that turn `old` into `new`, in reading order: a replaced sentence shows as its
    deletion followed by its insertion. Adjacent segments of one kind are merged."""
    a, b = units(old), units(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[DiffSegment] = []

    def add(kind: Kind, parts: list[str]) -> None:
        text = "".join(parts)
        if not text:
            return
        if segments and segments[-1].kind == kind:
            segments[-1] = DiffSegment(kind, segments[-1].text + text)
        else:
            segments.append(DiffSegment(kind, text))

    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            add("same", a[i1:i2])
        else:
            add("delete", a[i1:i2])
            add("insert", b[j1:j2])
    return segments


def summarize(segments: list[DiffSegment]) -> DiffSummary:
    """How many units were inserted and deleted (blank lines not counted)."""
    inserted = sum(
        1 for s in segments if s.kind == "insert" for u in units(s.text) if u.strip()
    )
    deleted = sum(1 for s in segments if s.kind == "delete" for u in units(s.text) if u.strip())
    return DiffSummary(inserted=inserted, deleted=deleted)


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
        lines = segment.text.splitlines(keepends=True)
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
