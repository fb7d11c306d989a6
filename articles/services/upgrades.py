"""Re-extraction after an extractor upgrade.

Claims carry the `EXTRACTOR_VERSION` that found them. When the engine's rules change (a sentence
it used to merge is now two claims), articles still being worked on are extracted again with the
new version, through the ordinary job machinery: `queue_extraction` writes a job keyed by
(article, body hash, extractor version) and rings the doorbell after commit; the worker's
`complete_extraction_jobs` sees a job for the revision the article was already extracted from and
applies it in place (`apply_extraction(enter_review=False)`): an unchanged sentence keeps its row
and verdict, a changed one goes back to pending with its previous text, a removed one is retired,
and the history gets one `extraction` row naming both versions. The article keeps its status.

Which articles (decisions where the issue is silent):

- **In review**: yes, first. Reviewers are working on these claims now.
- **Draft** with claims (taken back from review): yes, after those in review. Their claims and
  verdicts are what the editor sees and what a resubmission is matched against; the re-extraction
  reads the revision they were extracted from and leaves the article a draft. A draft never
  submitted has no claims and nothing to upgrade (its first extraction uses the new version).
- **Submitted**: no. An extraction of its newest text is already queued; if that job was queued
  under the old version, the article shows up here once it is in review.
- **Published**: never. A published article keeps the claims it was published with.
- An article in review whose extraction found no claims at all counts as outdated when no job of
  the current version has extracted its revision (the new rules may find claims in it).
- One whose upgrade job **failed** is not queued again by the sweep: the failed job shows its
  reason and a retry button (article page, admin), as any failed extraction does.

Throttle: a run queues at most `limit` articles minus the upgrade jobs still unfinished, so a
backlog of upgrades never holds more than `limit` jobs in the extraction queue ahead of editors'
submissions. The beat task (`articles.reextract_outdated_articles`) runs every
`EXTRACTION_UPGRADE_SWEEP_SECONDS` with `EXTRACTION_UPGRADE_BATCH`; the management command
`reextract_outdated` does the same on demand.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When

from articles.models import Article, ArticleQuerySet, Claim, ExtractionJob
from articles.services.common import lock_article
from articles.services.jobs import UPGRADABLE_STATUSES, extractor_version, queue_extraction

logger = logging.getLogger(__name__)


@dataclass
class UpgradeRun:
    """What one run found and did. `queued`: (article id, status, old versions) per article
    queued, or that would be queued in a dry run; `left`: outdated articles left for later runs;
    `in_flight`: upgrade jobs still unfinished when the run started."""

    version: str
    dry_run: bool
    queued: list[tuple[int, str, str]] = field(default_factory=list)
    left: int = 0
    in_flight: int = 0


def outdated_articles(version: str | None = None) -> ArticleQuerySet:
    """Articles in review or in draft whose current claims came from an extractor other than
    `version` (default: the running one), with no job of that version for the revision they were
    extracted from (pending, running, done or failed) and no unfinished job at all; in review
    first, then oldest first."""
    version = version or extractor_version()
    active = Claim.objects.filter(article=OuterRef("pk"), retired_at__isnull=True)
    this_version_job = ExtractionJob.objects.filter(
        article=OuterRef("pk"),
        body_hash=OuterRef("extracted_revision__body_hash"),
        extractor_version=version,
    ).exclude(state=ExtractionJob.State.SUPERSEDED)
    unfinished = ExtractionJob.objects.unfinished().filter(article=OuterRef("pk"))
    return (
        Article.objects.filter(status__in=UPGRADABLE_STATUSES, extracted_revision__isnull=False)
        .filter(Exists(active.exclude(extractor_version=version)) | ~Exists(active))
        .exclude(Exists(this_version_job))
        .exclude(Exists(unfinished))
        .order_by(
            Case(
                When(status=Article.Status.IN_REVIEW, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            "pk",
        )
    )


def upgrade_jobs_in_flight() -> int:
    """Unfinished jobs of articles in review or in draft: only an upgrade queues those (a submit
    or an edit moves the article to `submitted` in the same transaction)."""
    return (
        ExtractionJob.objects.unfinished().filter(article__status__in=UPGRADABLE_STATUSES).count()
    )


def _old_versions(article_id: int) -> str:
    versions = set(
        Claim.objects.active()
        .filter(article_id=article_id)
        .order_by()  # the model's ordering would make DISTINCT see every row as different
        .values_list("extractor_version", flat=True)
        .distinct()
    )
    return ", ".join(sorted(versions)) or "no claims"


def reextract_outdated(*, limit: int, dry_run: bool = False) -> UpgradeRun:
    """Queue the re-extraction of up to `limit` outdated articles (`outdated_articles`), minus the
    upgrade jobs still unfinished; `dry_run`: only say which.

    Per article, one transaction: lock the article, check it is still outdated (an editor may
    have submitted, edited or published it since the list was read), then `queue_extraction` of
    the revision its claims were extracted from: one pending `ExtractionJob` row for the current
    extractor version, enqueued after commit. Nothing else changes until a worker completes the
    job (see the module docstring). Running it again queues nothing new while those jobs are
    pending, running, done or failed."""
    version = extractor_version()
    run = UpgradeRun(version=version, dry_run=dry_run)
    run.in_flight = upgrade_jobs_in_flight()
    budget = max(0, limit - run.in_flight)
    candidates = list(outdated_articles(version).values_list("pk", "status")[: budget + 1])
    for pk, status in candidates[:budget]:
        if dry_run:
            run.queued.append((pk, status, _old_versions(pk)))
            continue
        with transaction.atomic():
            article = lock_article(pk)
            if not outdated_articles(version).filter(pk=pk).exists():
                continue
            old = _old_versions(pk)
            queue_extraction(article, article.extracted_revision)
        logger.info(
            "article=%s queued for re-extraction with extractor %s (claims from %s)",
            pk,
            version,
            old,
        )
        run.queued.append((pk, status, old))
    if len(candidates) > budget:
        # queued articles have an unfinished job now and no longer count, except in a dry run
        run.left = outdated_articles(version).count() - (len(run.queued) if dry_run else 0)
    return run
