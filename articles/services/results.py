"""Applying an extraction: what it found becomes the article's claims, links, credit and sections
(matched against the claims of the revision before, so unchanged sentences keep their verdicts)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from articles.bulk import insert_rows, update_rows
from articles.diffing import diff_for_review, segments_to_json
from articles.matching import Change, match_claims
from articles.models import (
    Article,
    ArticleEvent,
    Claim,
    ExtractionJob,
    ImageCredit,
    RelatedLink,
    ReviewRound,
    Revision,
    Section,
)
from articles.services.common import log_events
from articles.text import claim_version

if TYPE_CHECKING:
    from extraction import Extraction

logger = logging.getLogger(__name__)

# --- Applying an extraction ---------------------------------------------------------------------


# A new claim as extraction found it: (article id, revision id, ordinal, text, its version, start,
# end, section, extractor version). Every other column gets its default
# (`articles.bulk.insert_rows`).
NewClaim = tuple[int, int, int, str, str, int, int, str, str]


@dataclass
class ExtractionRows:
    """The rows a batch of extractions adds, written with one INSERT per table (`save`)."""

    claims: list[NewClaim] = field(default_factory=list)
    links: list[RelatedLink] = field(default_factory=list)
    credits: list[ImageCredit] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    events: list[ArticleEvent] = field(default_factory=list)
    # Re-extractions: (article id, revision extracted before, revision extracted now), whose text
    # diff becomes a `ReviewRound` row (`_review_rounds`).
    rounds: list[tuple[int, int, int]] = field(default_factory=list)

    def save(self, *, now: dt.datetime) -> None:
        insert_rows(Claim, NEW_CLAIM_FIELDS, self.claims, now=now, prepared=True)
        RelatedLink.objects.bulk_create(self.links, batch_size=500)
        ImageCredit.objects.bulk_create(self.credits, batch_size=500)
        Section.objects.bulk_create(self.sections, batch_size=500)
        ReviewRound.objects.bulk_create(_review_rounds(self.rounds, now=now), batch_size=100)
        log_events(self.events)


# The columns of a `NewClaim`, in order.
NEW_CLAIM_FIELDS = (
    "article",
    "revision",
    "ordinal",
    "text",
    "text_sha",
    "start",
    "end",
    "section",
    "extractor_version",
)


def _review_rounds(rounds: list[tuple[int, int, int]], *, now: dt.datetime) -> list[ReviewRound]:
    """The text diff of each re-extraction, computed here, once, so that the article page only
    reads it. The diff costs time linear in the size of the texts (`articles.diffing`: an
    adversarial body gets "too large", never minutes), paid inside the transaction that applies
    the extraction so that the round and the claims it describes appear together. One query reads
    the texts of the whole batch; a batch of first extractions (the common case) runs none."""
    if not rounds:
        return []
    wanted = {pk for _, previous, current in rounds for pk in (previous, current)}
    bodies = dict(Revision.objects.filter(pk__in=wanted).order_by().values_list("pk", "body"))
    out = []
    for article_id, previous, current in rounds:
        diff = diff_for_review(bodies[previous], bodies[current])
        out.append(
            ReviewRound(
                article_id=article_id,
                previous_revision_id=previous,
                revision_id=current,
                segments=segments_to_json(diff.segments),
                inserted=diff.inserted,
                deleted=diff.deleted,
                too_large=diff.too_large,
                created_at=now,
            )
        )
        if diff.too_large:
            logger.info(
                "article=%s review round r%s->r%s: text diff too large, changed claims only",
                article_id,
                previous,
                current,
            )
    return out


# What a re-extraction may change on an existing claim.
_UPDATED_CLAIM_FIELDS = (
    "revision",
    "ordinal",
    "text",
    "text_sha",
    "start",
    "end",
    "section",
    "extractor_version",
    "verdict",
    "note",
    "evidence_url",
    "reviewed_by",
    "reviewed_at",
    "previous_text",
    "previous_verdict",
    "retired_at",
)


def _update_claims(claims: list[Claim]) -> None:
    """UPDATE the re-extracted claims (`articles.bulk.update_rows`). `bulk_update` builds
    a CASE expression per field and row, and spent about 6 ms per claim doing so: a 48 KB edit of
    9,600 one-line sentences held the database's write lock for a minute (issue 20). This takes
    well under a second for the same rows."""
    if not claims:
        return
    fields = [Claim._meta.get_field(name) for name in _UPDATED_CLAIM_FIELDS]
    update_rows(
        Claim,
        _UPDATED_CLAIM_FIELDS,
        [(claim.pk, [getattr(claim, f.attname) for f in fields]) for claim in claims],
    )


def apply_extraction(
    article: Article,
    revision_id: int,
    result: Extraction,
    *,
    extractor_version: str,
    rows: ExtractionRows,
    now: dt.datetime,
    enter_review: bool = True,
) -> None:
    """Replace what extraction made of the article with `result`, read from revision
    `revision_id`, and move it into review. Updates and deletes of its old rows run here; the rows
    to insert, history included, go to `rows`, and the article's new fields (status, extracted
    revision, a dateline found) are set on `article`: the caller saves both, for a whole batch at
    once (`complete_extraction_jobs`), inside the transaction that holds the article locks.

    A re-extraction is also a review round: the diff between the text extracted before and this
    one is stored with the rest (`ReviewRound`, see `ExtractionRows.rounds`).
    `enter_review=False`: a re-extraction of the same revision by a newer extractor
    (`articles.services.upgrades`). The article keeps its status (in review or draft); the history
    gets an `extraction` row naming both extractor versions instead of a status change.

    Claims are matched to the article's current ones (`articles.matching`): an unchanged sentence
    keeps its row, verdict, note, evidence and history, with its offsets moved; a changed one keeps
    its row and history but goes back to pending, remembering its previous text and verdict; a
    removed one is retired. Links, credit and sections are derived data and simply replaced.
    """
    # A first extraction has nothing to match or replace: skip those queries (the hot path of a
    # busy newsroom is the first extraction of each article).
    first = article.extracted_revision_id is None
    if not first:
        rows.rounds.append((article.pk, article.extracted_revision_id, revision_id))
    old = [] if first else list(article.claims.active().order_by("ordinal", "id"))
    plan = match_claims([c.text for c in old], [c.text for c in result.claims])
    # what the claims were extracted with, read before the loop below rewrites it
    old_versions = "" if enter_review else ", ".join(sorted({c.extractor_version for c in old}))
    to_update: list[Claim] = []
    created = 0
    for new_index, old_index, change in plan.pairs:
        found = result.claims[new_index]
        if change is Change.NEW:
            rows.claims.append(
                (
                    article.pk,
                    revision_id,
                    new_index,
                    found.text,
                    claim_version(found.text),
                    found.start,
                    found.end,
                    found.section or "",
                    extractor_version,
                )
            )
            created += 1
            continue
        claim = old[old_index]
        if change is Change.CHANGED:
            rows.events.append(
                ArticleEvent(
                    article=article,
                    claim=claim,
                    kind=ArticleEvent.Kind.CLAIM_CHANGED,
                    from_state=claim.verdict,
                    to_state=Claim.Verdict.PENDING,
                    note=f"Was: {claim.text}",
                    created_at=now,
                )
            )
            claim.previous_text, claim.previous_verdict = claim.text, claim.verdict
            claim.verdict = Claim.Verdict.PENDING
            claim.note, claim.evidence_url = "", ""
            claim.reviewed_by, claim.reviewed_at = None, None
        claim.revision_id = revision_id
        claim.ordinal = new_index
        # The version changes with the text: a verdict naming the old one is refused from now on
        # (`review.services.record_verdict`); the caller holds the article's lock, which every
        # verdict takes before it compares versions.
        claim.text, claim.start, claim.end = found.text, found.start, found.end
        claim.text_sha = claim_version(found.text)
        claim.section = found.section or ""
        claim.extractor_version = extractor_version
        to_update.append(claim)
    for old_index in plan.retired:
        claim = old[old_index]
        claim.retired_at = now
        to_update.append(claim)
        rows.events.append(
            ArticleEvent(
                article=article,
                claim=claim,
                kind=ArticleEvent.Kind.CLAIM_RETIRED,
                from_state=claim.verdict,
                note="The sentence was removed from the article.",
                created_at=now,
            )
        )
    _update_claims(to_update)

    if not first:
        article.related_links.all().delete()
        ImageCredit.objects.filter(article=article).delete()
        article.sections.all().delete()
    rows.links.extend(
        RelatedLink(
            article=article,
            ordinal=i,
            label=link.label,
            title=link.title or "",
            url=link.url or article.source_links.get(link.title or "", ""),
            start=link.start,
            end=link.end,
        )
        for i, link in enumerate(result.related_links)
    )
    if result.image_credit is not None:
        rows.credits.append(
            ImageCredit(
                article=article, text=result.image_credit.text, source=result.image_credit.source
            )
        )
    rows.sections.extend(
        Section(article=article, ordinal=i, label=s.label, start=s.start)
        for i, s in enumerate(result.sections)
    )

    article.extracted_revision_id = revision_id
    if article.dateline is None and result.dateline:
        try:
            article.dateline = dt.date.fromisoformat(result.dateline)
        except ValueError:  # a header like " date 2024-02-30 " names no real day
            pass
    kept = sum(1 for _, _, change in plan.pairs if change is Change.SAME)
    changed = sum(1 for _, _, change in plan.pairs if change is Change.CHANGED)
    note = f"{len(result.claims)} claims extracted"
    if old:
        note += (
            f" ({kept} unchanged, {changed} changed, {created} new, {len(plan.retired)} removed)"
        )
    article.updated_at = now
    if not enter_review:
        rows.events.append(
            ArticleEvent(
                article=article,
                kind=ArticleEvent.Kind.EXTRACTION,
                to_state=ExtractionJob.State.DONE,
                note=(
                    f"Re-extracted with extractor {extractor_version} (its claims were from "
                    f"{old_versions or 'none'}): {note}."
                ),
                created_at=now,
            )
        )
        return
    # The transition `change_status` makes, written in bulk by the caller.
    rows.events.append(
        ArticleEvent(
            article=article,
            kind=ArticleEvent.Kind.STATUS,
            from_state=article.status,
            to_state=Article.Status.IN_REVIEW,
            note=note + ".",
            created_at=now,
        )
    )
    article.status = Article.Status.IN_REVIEW
