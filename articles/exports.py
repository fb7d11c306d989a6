"""CSV downloads (the article history here, review's exports too): every cell neutralised against
spreadsheet formulas (the rule is written at `defuse_formulas`; docs/review.md), streamed."""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from articles.models import ArticleEvent
from articles.people import display_name
from articles.presenters import state_label

# CSV injection. A spreadsheet runs a cell whose first character is one of = + - @ as a formula. It
# folds text before it looks (Excel takes a full-width ＝ for =), skips characters it does not
# show (a zero-width space before the =), and a program that splits the file on another delimiter
# than ours (Excel in decimal-comma locales splits on ";", LibreOffice's import dialog offers tab,
# ";" and "|") or ignores our quotes starts a new cell after any of those, or a new row after a
# line break. So the rule, conservative on purpose (an extra apostrophe in an export is cheap, a
# formula run on a reviewer's machine is not):
#   a trigger (any character whose NFKC form starts with = + - @) that a spreadsheet could read
#   as the first character of a cell, that is one with only white space or invisible format
#   characters (Unicode category Cf) before it since the start of the cell or since a separator
#   (, ; | tab, line break, or a character that folds to one), gets an apostrophe: at the very
#   start of the cell when the trigger begins the cell, right before the trigger otherwise.
# A cell starting with a tab or a carriage return gets the leading apostrophe too (OWASP's list).
# Spreadsheets show a leading apostrophe as "this is text" and do not evaluate the cell.

# Every character whose NFKC form starts with a trigger: the ASCII four and their full-width,
# small, superscript and subscript forms. tests/review/test_history.py derives both sets from
# unicodedata over every code point, so a new Unicode version cannot leave one out unnoticed.
FORMULA_TRIGGERS = frozenset(
    "=+-@\u207a\u207c\u208a\u208c\u2a75\u2a76\ufb29\ufe62\ufe63\ufe66\ufe6b\uff0b\uff0d\uff1d\uff20"
)
# Every character whose NFKC form is a cell or row separator of some spreadsheet import.
CELL_SEPARATORS = frozenset(",;|\t\r\n\u037e\ufe10\ufe14\ufe50\ufe54\uff0c\uff1b\uff5c")
_TRIGGER = re.compile("[" + re.escape("".join(sorted(FORMULA_TRIGGERS))) + "]")


def _invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Cf"


def defuse_formulas(text: str) -> str:
    """`text` with an apostrophe before every formula trigger a spreadsheet could start a cell
    with (the rule above). Text with no such trigger comes back unchanged."""
    lead = text.startswith(("\t", "\r"))
    inside: list[int] = []
    for match in _TRIGGER.finditer(text):
        i = match.start() - 1
        # Walk back over what a spreadsheet would skip; each blank run is walked at most once,
        # since the walk stops at the first visible character (or at an earlier trigger).
        while i >= 0 and text[i] not in CELL_SEPARATORS and _invisible(text[i]):
            i -= 1
        if i < 0:
            lead = True
        elif text[i] in CELL_SEPARATORS:
            inside.append(match.start())
    if not inside and not lead:
        return text
    parts, last = [], 0
    for position in inside:
        parts += [text[last:position], "'"]
        last = position
    parts.append(text[last:])
    return ("'" if lead else "") + "".join(parts)


def csv_cell(value: Any) -> str:
    """One cell of an export: dates in ISO 8601 (local time), None empty, text defused."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.isoformat(timespec="seconds")
    return defuse_formulas(str(value))


class _Echo:
    """A file-like object for csv.writer whose write returns the line, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_response(filename: str, header: list[str], rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """Stream `rows` as a CSV download (text/csv, UTF-8, a header row first), every cell passed
    through `csv_cell`. `rows` may be a lazy iterator: it is consumed while the response is sent."""
    writer = csv.writer(_Echo())

    def lines() -> Iterable[str]:
        yield writer.writerow([csv_cell(h) for h in header])
        for row in rows:
            yield writer.writerow([csv_cell(cell) for cell in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


EVENT_CSV_HEADER = [
    "time",
    "article_id",
    "article",
    "actor",
    "kind",
    "from",
    "to",
    "claim_number",
    "claim",
    "note",
    "evidence_url",
]


def event_csv_row(event: ArticleEvent) -> list[Any]:
    """One history row for the CSV exports (the event with its article, actor and claim loaded)."""
    claim = event.claim
    return [
        event.created_at,
        event.article_id,
        event.article.title,
        display_name(event.actor),
        event.get_kind_display(),
        state_label(event.kind, event.from_state),
        state_label(event.kind, event.to_state),
        claim.ordinal + 1 if claim else "",
        # A verdict row names the sentence it judged; other rows the claim as it is.
        event.claim_text or (claim.text if claim else ""),
        event.note,
        event.evidence_url,
    ]
