"""Article text as the newsroom stores it. Pure Python, no Django: the services, the sentence diff
and the data migration that cleaned old rows all use this one definition.

Line endings are `\\n` only. Browsers submit a text area with `\\r\\n` line breaks (the HTML
standard says so), other systems send `\\r\\n` or old Mac `\\r`, and an HTML feed's `<pre>` keeps
whatever it had. Left alone, the same article saved from the browser and from the API would have
different bodies, hashes and revisions, and a diff between them would mark every line changed.
So every title and body is normalised once, where it enters
(`articles.services.clean_article_text`), before it is validated, compared, hashed or stored;
nothing downstream sees a `\\r`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from bisect import bisect_left

from articles.matching import normalise
from extraction import read_header

_CRLF = re.compile("\r\n")


def normalise_text(value: str) -> str:
    """`value` with every `\\r\\n` and every lone `\\r` turned into `\\n`. Nothing else changes:
    spaces, tabs and blank lines are the author's (claims' offsets point into the text as is)."""
    if "\r" not in value:
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def offset_in_normalised(text: str, offsets: list[int]) -> list[int]:
    """Where each offset into `text` lands in `normalise_text(text)`.

    Only a CRLF's `\\r` is removed (a lone `\\r` becomes one `\\n`), so an offset moves back by the
    number of CRLF pairs that start before it. Used to keep claims, links and sections pointing at
    the same characters when stored text is normalised."""
    starts = [match.start() for match in _CRLF.finditer(text)]
    if not starts:
        return list(offsets)
    return [offset - bisect_left(starts, offset) for offset in offsets]


# --- Claim versions -----------------------------------------------------------------------------

CLAIM_VERSION_CHARS = 16


def claim_version(text: str) -> str:
    """The version of a claim's sentence: the first 16 hex digits of the SHA-256 of its text
    folded as `articles.matching.normalise` folds it (white space, quote styles, case).

    Every verdict names the version the reviewer judged (`review.services.record_verdict`), and
    is refused if the sentence changed since. Folding as the matcher does keeps one rule: an edit
    the matcher treats as the same sentence (its verdict is carried over) does not change the
    version either, and any edit that sends a claim back to pending does."""
    digest = hashlib.sha256(normalise(text).encode("utf-8", "surrogatepass")).hexdigest()
    return digest[:CLAIM_VERSION_CHARS]


# --- Visible text -------------------------------------------------------------------------------

# Characters that are not white space and not in an invisible category yet show nothing: fillers
# (Hangul, braille blank) that fonts render as empty space.
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Unicode categories that show nothing on their own: controls, format characters (U+200B zero
# width space, U+2060 word joiner, U+FEFF, U+00AD soft hyphen...), separators, combining marks
# with nothing to combine with, and unassigned or private code points.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})


def has_visible_text(value: str) -> bool:
    """Whether `value` shows anything to a reader: at least one character that is not white
    space, not a format or control character (U+200B and friends), not a lone combining mark and
    not a blank filler glyph. A note or a reason made only of such characters says nothing, so
    the rules that require one (an unverified verdict's note, an override's reason) refuse it."""
    return any(
        not char.isspace()
        and char not in _BLANK_GLYPHS
        and unicodedata.category(char) not in _INVISIBLE_CATEGORIES
        for char in value
    )


# --- Cited links ---------------------------------------------------------------------------------


def cited_links_in(text: str, links: list[dict]) -> list[dict]:
    """Inline links found in `text` before normalisation (HTML ingestion:
    `{"start", "end", "anchor", "url"}`), with their offsets moved to `normalise_text(text)`.
    A link whose anchor is not at its offsets there is dropped: an offset is only trusted when the
    text it points at says so."""
    if not links:
        return []
    moved = offset_in_normalised(text, [n for link in links for n in (link["start"], link["end"])])
    clean = normalise_text(text)
    kept = []
    for index, link in enumerate(links):
        start, end = moved[2 * index], moved[2 * index + 1]
        anchor = normalise_text(str(link.get("anchor", "")))
        if 0 <= start < end <= len(clean) and clean[start:end] == anchor:
            kept.append({"start": start, "end": end, "anchor": anchor, "url": str(link["url"])})
    return kept


# --- Where the story starts ----------------------------------------------------------------------


def text_start(body: str) -> int:
    """Where the story itself starts: after the wire's ` date 2024-08-14 ` header, if any (the
    extraction's own rule, `extraction.read_header`; the date is the article's dateline, shown as
    its date, not as body text). Offsets stay those of the stored body."""
    return read_header(body)[0]
