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

import re
from bisect import bisect_left

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


def text_start(body: str) -> int:
    """Where the story itself starts: after the wire's ` date 2024-08-14 ` header, if any (the
    extraction's own rule, `extraction.read_header`; the date is the article's dateline, shown as
    its date, not as body text). Offsets stay those of the stored body."""
    return read_header(body)[0]
