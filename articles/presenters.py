"""How articles, claims and history rows are shown: the rows, labels and progress texts the
article pages and the review pages (which import them) put in front of people. No queries here:
callers load what these read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.text import Truncator

from articles import times
from articles.models import Article, ArticleEvent, Claim, ExtractionJob, Gate
from articles.people import display_name


def error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@dataclass
class ClaimRow:
    """One claim as the claims list and the review queue show it, with its verdict form when the
    user may judge it. `values`/`errors` refill the form after a refused verdict.

    In the queue a row may also be `blocked` (why its form is disabled, e.g. another reviewer has
    the claim open), `mine` (the user has it open) and `selected` (ticked for a bulk verdict)."""

    claim: Claim
    judge: bool = False
    next_url: str = ""
    in_queue: bool = False
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    message: str = ""
    notice: str = ""
    blocked: str = ""
    mine: bool = False
    selected: bool = False

    def __post_init__(self) -> None:
        if not self.values and self.claim.verdict != Claim.Verdict.PENDING:
            self.values = {
                "verdict": self.claim.verdict,
                "note": self.claim.note,
                "evidence_url": self.claim.evidence_url,
            }

    @property
    def number(self) -> int:
        return self.claim.ordinal + 1


# --- History labels -----------------------------------------------------------------------------

_STATE_LABELS = {**dict(Article.Status.choices), **dict(Claim.Verdict.choices)}
_JOB_STATE_LABELS = dict(ExtractionJob.State.choices)


def state_label(kind: str, value: str) -> str:
    """The human name of a state in a history row ('In review', 'Verified', 'Queued')."""
    if not value:
        return ""
    labels = _JOB_STATE_LABELS if kind == ArticleEvent.Kind.EXTRACTION else _STATE_LABELS
    return str(labels.get(value, value))


@dataclass
class TimelineEntry:
    """One history row as the timelines show it, with its labels prepared."""

    event: ArticleEvent
    actor: str
    change: str
    claim_label: str
    # The claims of one bulk verdict shown as this one entry (`group_bulk`): more than one label.
    bulk_labels: list[str] = field(default_factory=list)
    # The note as shown: a scheduled time (stored in UTC) in the reader's time zone.
    note: str = ""

    @classmethod
    def of(cls, event: ArticleEvent) -> TimelineEntry:
        change = ""
        if event.from_state or event.to_state:
            change = (
                f"{state_label(event.kind, event.from_state) or '–'} → "
                f"{state_label(event.kind, event.to_state) or '–'}"
            )
        claim_label = ""
        if event.claim is not None:
            excerpt = Truncator(event.claim.text).chars(90)
            claim_label = f"claim {event.claim.ordinal + 1}: “{excerpt}”"
        return cls(
            event=event,
            actor=display_name(event.actor),
            change=change,
            claim_label=claim_label,
            note=shown_note(event),
        )


SCHEDULE_KINDS = (ArticleEvent.Kind.SCHEDULED, ArticleEvent.Kind.SCHEDULE_CANCELLED)


def shown_note(event: ArticleEvent) -> str:
    if event.kind in SCHEDULE_KINDS:
        try:
            return f"For {times.when(dt.datetime.fromisoformat(event.note))}"
        except ValueError:
            pass
    return event.note


def group_bulk(entries: list[TimelineEntry]) -> list[TimelineEntry]:
    """One entry per bulk verdict: neighbouring rows with the same `bulk_id` (one bulk action
    writes one history row per claim, all at once) become the first row's entry, listing every
    claim. Other rows pass through."""
    grouped: list[TimelineEntry] = []
    for entry in entries:
        bulk_id = entry.event.bulk_id
        if bulk_id is not None and grouped and grouped[-1].event.bulk_id == bulk_id:
            grouped[-1].bulk_labels.append(entry.claim_label)
            continue
        if bulk_id is not None:
            entry.bulk_labels = [entry.claim_label]
        grouped.append(entry)
    return grouped


def gate_progress(gate: Gate) -> str:
    """'17 of 22 verified, 1 unverified' for the lists; the gate's own reason says what blocks."""
    if not gate.extracted:
        return "Extracting claims…"
    text = f"{gate.verified} of {gate.total} verified"
    if gate.unverified:
        text += f", {gate.unverified} unverified"
    return text


@dataclass
class ArticleRow:
    article: Article
    gate: Gate
    progress: str
    awaiting: int = 0
    assigned: bool = False  # assigned to the viewer (the review queue's annotation)


def article_row(article: Article) -> ArticleRow:
    gate = article.gate()  # from the with_claim_counts() annotations: no query
    return ArticleRow(article=article, gate=gate, progress=gate_progress(gate))
