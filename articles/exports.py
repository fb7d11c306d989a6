"""CSV downloads (the article history here, review's exports too): every cell neutralised against
spreadsheet formulas, streamed."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

from articles.models import ArticleEvent
from articles.people import display_name
from articles.presenters import state_label


# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection"): such a
# cell gets a leading apostrophe, which spreadsheets show as text and do not evaluate.
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.isoformat(timespec="seconds")
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_TRIGGERS) else text


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
    "time", "article_id", "article", "actor", "kind", "from", "to",
    "claim_number", "claim", "note", "evidence_url",
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
        claim.text if claim else "",
        event.note,
        event.evidence_url,
    ]
