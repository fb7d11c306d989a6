"""Extraction jobs: queueing, the doorbell, taking jobs under a lease, finishing or failing them,
retries and the sweeper."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from articles import permissions
from articles.bulk import update_rows
from articles.models import (
    Article,
    ArticleEvent,
    ExtractionJob,
    Revision,
)

if TYPE_CHECKING:
    from extraction import Extraction

from articles.services.common import InvalidTransition, lock_article, log_event
from articles.services.results import ExtractionRows, apply_extraction
from articles.signals import claims_stored
from newsroom.celery import Broker, call_broker

logger = logging.getLogger(__name__)

# --- Extraction jobs ----------------------------------------------------------------------------


# Articles whose claims a newer extractor re-extracts in place (`articles.services.upgrades`).
# A published article keeps the claims it was published with; a submitted one is on its way to a
# fresh extraction already.
UPGRADABLE_STATUSES = (Article.Status.IN_REVIEW, Article.Status.DRAFT)


def extractor_version() -> str:
    from extraction import EXTRACTOR_VERSION

    return EXTRACTOR_VERSION


def queue_extraction(article: Article, revision: Revision) -> ExtractionJob:
    """Write the job row for `revision` and ring the broker after commit.

    Older unfinished jobs of the article are superseded: only the newest text is worth extracting.
    The same text extracted before by the same extractor (an edit undone) re-opens that job row, so
    the key (article, body hash, extractor version) stays unique.
    """
    now = timezone.now()
    article.extraction_jobs.unfinished().exclude(body_hash=revision.body_hash).update(
        state=ExtractionJob.State.SUPERSEDED, lease_token=None, finished_at=now
    )
    job, created = ExtractionJob.objects.get_or_create(
        article=article,
        body_hash=revision.body_hash,
        extractor_version=extractor_version(),
        defaults={"revision": revision},
    )
    if not created:
        job.revision = revision
        job.state = ExtractionJob.State.PENDING
        job.attempts = 0
        job.lease_token = None
        job.lease_expires_at = None
        job.last_error = ""
        job.finished_at = None
        job.save()
    transaction.on_commit(lambda: enqueue_extraction(job.pk))
    return job


# Set while a doorbell message waits in the queue; the task that takes the message clears it
# before it reads the pending jobs (see `enqueue_extraction`).
DOORBELL_KEY = "newsroom:extraction-doorbell"


def enqueue_extraction(job_id: int, *, coalesce: bool = True) -> bool:
    """Ring the broker for one job; True if a message now waits for it. A broker that is down or
    stalled is not waited for (short timeouts and a circuit breaker: `newsroom.celery.call_broker`)
    and not raised: the job row is already committed as pending, and the sweeper enqueues it
    again once Redis answers.

    A doorbell already ringing is not rung again: while a message sent by an earlier call still
    waits in the queue, its task will read the pending jobs after this one committed and take it
    too (a task with more pending jobs than it can take rings again). So a deep queue holds one
    message, not one per job, and the worker pays Celery's cost per message once per batch. The
    sweeper rings with `coalesce=False`: it is the safety net, and waits for nothing.
    """
    from articles.tasks import extract_article

    def ring(broker: Broker) -> None:
        rang = coalesce and broker.redis.set(
            DOORBELL_KEY, job_id, nx=True, ex=max(1, settings.EXTRACTION_PENDING_GRACE_SECONDS)
        )
        if coalesce and not rang:
            return  # a message already waits; its task will take this job too
        try:
            broker.send(extract_article, args=[job_id])
        except Exception:
            if rang:  # no message waits behind the doorbell: let the next submit ring it
                broker.redis.delete(DOORBELL_KEY)
            raise

    if not call_broker(ring, what=f"enqueueing extraction job {job_id}"):
        return False
    ExtractionJob.objects.filter(pk=job_id).update(enqueued_at=timezone.now())
    return True


def answer_extraction_doorbell() -> None:
    """Clear the doorbell, before reading the pending jobs: a job committed after this rings
    again, and one committed before it is seen by the read. If Redis is gone now (the message came
    from it), the key expires by itself and the sweeper remains."""
    call_broker(lambda broker: broker.redis.delete(DOORBELL_KEY), what="clearing the doorbell")


@dataclass
class TakenJobs:
    """What one attempt took: its lease token and its jobs, oldest first, each with its revision
    (and so the text to extract) loaded. `busy_for`: the job the message was about is held by
    another attempt whose lease runs for this many more seconds (None when it is not)."""

    token: uuid.UUID
    jobs: list[ExtractionJob] = field(default_factory=list)
    busy_for: float | None = None
    # A pending job left for another message (there was no room for it in this batch).
    left_over: int | None = None


def _claimable(now: dt.datetime) -> Q:
    pending = Q(state=ExtractionJob.State.PENDING)
    expired = Q(state=ExtractionJob.State.RUNNING, lease_expires_at__lt=now)
    return (pending | expired) & Q(attempts__lt=settings.EXTRACTION_MAX_ATTEMPTS)


def _job_candidates(
    job_id: int, *, more: int, now: dt.datetime
) -> list[tuple[int, str, int, bool | None]]:
    """(id, state, attempts, lease expired?) of job `job_id`, then of up to `more` + 1 pending jobs
    never tried yet, oldest first (one more than can be taken). Read outside a transaction (on SQLite it takes no write lock)
    and in plain SQL: every message pays for this query, and when its job is done it is all the
    message costs; building it with the ORM took ten times as long as running it."""
    table = ExtractionJob._meta.db_table
    sql = (
        f"SELECT id, state, attempts, lease_expires_at < %s FROM {table}"
        " WHERE id = %s OR (state = %s AND attempts = 0) ORDER BY id <> %s, id LIMIT %s"
    )
    params = [
        connection.ops.adapt_datetimefield_value(now),
        job_id,
        ExtractionJob.State.PENDING,
        job_id,
        more + 2,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def start_extraction_jobs(job_id: int, *, more: int = 0) -> TakenJobs:
    """Take job `job_id` for this attempt (compare-and-set) if it is pending, or running with an
    expired lease, with attempts left; and up to `more` other pending jobs never tried yet, oldest
    first. When the queue is deep one message does the work of several, and the messages of the
    others find their job done after one query.

    Every job taken gets the same lease token and expiry, and one more attempt; only the holder of
    the token can finish them (`complete_extraction_jobs`). Two attempts racing for overlapping
    jobs each get a disjoint share: the UPDATE re-checks the state of every row it takes.
    """
    now = timezone.now()
    taken = TakenJobs(token=uuid.uuid4())
    candidates = []
    others = 0
    for pk, state, attempts, expired in _job_candidates(job_id, more=more, now=now):
        running = state == ExtractionJob.State.RUNNING
        if pk != job_id:
            others += 1
            if others > more:
                taken.left_over = pk
                break
        if pk == job_id and running and expired is not None and not expired:
            expires = ExtractionJob.objects.filter(pk=pk).values_list("lease_expires_at", flat=True)
            taken.busy_for = max(0.0, (expires[0] - now).total_seconds()) if expires[0] else 0.0
        elif attempts < settings.EXTRACTION_MAX_ATTEMPTS and (
            state == ExtractionJob.State.PENDING or (running and expired)
        ):
            candidates.append(pk)
    if not candidates:
        return taken
    with transaction.atomic():
        count = ExtractionJob.objects.filter(_claimable(now), pk__in=candidates).update(
            state=ExtractionJob.State.RUNNING,
            lease_token=taken.token,
            lease_expires_at=now + dt.timedelta(seconds=settings.EXTRACTION_LEASE_SECONDS),
            attempts=F("attempts") + 1,
            started_at=now,
            last_error="",
        )
        if count:
            taken.jobs = list(
                ExtractionJob.objects.filter(pk__in=candidates, lease_token=taken.token)
                .select_related("revision")
                .order_by("pk")
            )
    if len(taken.jobs) > 1:
        logger.info("extraction jobs %s taken together", [job.pk for job in taken.jobs])
    return taken


def start_extraction_job(job_id: int) -> tuple[ExtractionJob, uuid.UUID] | None:
    """Take this one job (see `start_extraction_jobs`). Returns it and this attempt's lease token,
    or None if another attempt owns it, it is finished, or it is gone."""
    taken = start_extraction_jobs(job_id)
    return (taken.jobs[0], taken.token) if taken.jobs else None


def complete_extraction_jobs(
    results: Mapping[int, Extraction], *, token: uuid.UUID
) -> list[ExtractionJob]:
    """Where extraction jobs become done. For each job in `results` (job id → what extraction
    found) that the attempt holding `token` still owns: store the result and move the article into
    review. All in one transaction, with one INSERT per table for the whole batch.

    A job this attempt no longer owns (a zombie attempt, a lease taken over, a job superseded or
    reset meanwhile) is left alone and its result dropped. A job whose article moved on (a newer
    revision, back to draft) is marked superseded and its result not applied. A job for the
    revision an article in review or in draft was already extracted from is a newer extractor's
    re-extraction: applied in place, the article keeping its status. Returns the jobs this call
    finished, done or superseded, with their new state.
    """
    if not results:
        return []
    with transaction.atomic():
        owned = ExtractionJob.objects.filter(
            pk__in=list(results), state=ExtractionJob.State.RUNNING, lease_token=token
        )
        # Articles first, then jobs, in id order: the order every other service locks them in.
        articles = {
            article.pk: article
            for article in Article.objects.select_for_update()
            .filter(pk__in=Subquery(owned.values("article_id")))
            .annotate(
                current_revision_pk=Subquery(
                    Revision.objects.filter(article=OuterRef("pk"))
                    .order_by("-number")
                    .values("pk")[:1]
                )
            )
            .defer("body", "source_html")
            .order_by("pk")
        }
        jobs = list(owned.select_for_update().order_by("pk"))
        dropped = set(results) - {job.pk for job in jobs}
        if dropped:
            logger.info(
                "extraction jobs %s: attempt no longer owns them; results dropped", sorted(dropped)
            )
        now = timezone.now()
        rows = ExtractionRows()
        done: list[ExtractionJob] = []
        superseded: list[ExtractionJob] = []
        for job in jobs:
            article = articles.get(job.article_id)
            if article is None:
                superseded.append(job)
            elif (
                article.status == Article.Status.SUBMITTED
                and article.current_revision_pk == job.revision_id
            ):
                apply_extraction(
                    article,
                    job.revision_id,
                    results[job.pk],
                    extractor_version=job.extractor_version,
                    rows=rows,
                    now=now,
                )
                done.append(job)
            elif (
                article.status in UPGRADABLE_STATUSES
                and job.revision_id == article.extracted_revision_id
            ):
                # The text already extracted, extracted again: only a newer extractor queues that
                # (`articles.services.upgrades`). Applied in place; the article keeps its status.
                apply_extraction(
                    article,
                    job.revision_id,
                    results[job.pk],
                    extractor_version=job.extractor_version,
                    rows=rows,
                    now=now,
                    enter_review=False,
                )
                done.append(job)
            else:
                superseded.append(job)
        rows.save(now=now)
        _save_articles_entering_review([articles[job.article_id] for job in done])
        if done:
            stored = [job.article_id for job in done]
            transaction.on_commit(lambda: claims_stored.send(sender=Article, article_ids=stored))
        for state, finished in (
            (ExtractionJob.State.DONE, done),
            (ExtractionJob.State.SUPERSEDED, superseded),
        ):
            if finished:
                ExtractionJob.objects.filter(pk__in=[job.pk for job in finished]).update(
                    state=state, lease_token=None, finished_at=now
                )
                for job in finished:
                    job.state, job.lease_token, job.finished_at = state, None, now
    return done + superseded


def _save_articles_entering_review(articles: list[Article]) -> None:
    """Save the fields `apply_extraction` set, for many articles (`bulk_update` builds CASE
    expressions that took longer to build than to run)."""
    names = ("status", "updated_at", "extracted_revision", "dateline")
    fields = [Article._meta.get_field(name) for name in names]
    update_rows(
        Article,
        names,
        [(a.pk, [getattr(a, f.attname) for f in fields]) for a in articles],
    )


def complete_extraction_job(job_id: int, *, token: uuid.UUID, result: Extraction) -> bool:
    """Finish one job (see `complete_extraction_jobs`): True if this attempt still owned it."""
    return bool(complete_extraction_jobs({job_id: result}, token=token))


def renew_extraction_lease(job_ids: list[int], *, token: uuid.UUID) -> int:
    """Extend the lease of the jobs the attempt holding `token` still runs, by
    EXTRACTION_LEASE_SECONDS from now. The task calls it from a thread every third of the lease
    while it works (`articles.tasks`), so a live worker keeps its jobs however long they take and
    the lease can be short: a dead worker's jobs are taken over soon after it stops renewing.
    Returns how many jobs it renewed (0: the attempt lost them; its results will be dropped)."""
    expires = timezone.now() + dt.timedelta(seconds=settings.EXTRACTION_LEASE_SECONDS)
    return ExtractionJob.objects.filter(
        pk__in=job_ids, state=ExtractionJob.State.RUNNING, lease_token=token
    ).update(lease_expires_at=expires)


def _owned_job(job_id: int, token: uuid.UUID) -> ExtractionJob | None:
    job = ExtractionJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.state != ExtractionJob.State.RUNNING or job.lease_token != token:
        return None
    return job


def fail_extraction_job(job_id: int, *, token: uuid.UUID | None, error: str) -> bool:
    """Record a failure of the attempt holding `token` (or of a stale job, with token None).
    The job is failed for good once it has used all its attempts; before that it waits as pending
    for the sweeper."""
    with transaction.atomic():
        if token is None:
            job = ExtractionJob.objects.select_for_update().filter(pk=job_id).first()
        else:
            job = _owned_job(job_id, token)
        if job is None or job.state in (ExtractionJob.State.DONE, ExtractionJob.State.SUPERSEDED):
            return False
        final = job.attempts >= settings.EXTRACTION_MAX_ATTEMPTS
        job.state = ExtractionJob.State.FAILED if final else ExtractionJob.State.PENDING
        job.lease_token = None
        job.lease_expires_at = None
        job.last_error = error[:4000]
        job.finished_at = timezone.now() if final else None
        job.save(
            update_fields=["state", "lease_token", "lease_expires_at", "last_error", "finished_at"]
        )
        if final:
            log_event(
                lock_article(job.article_id),
                by=None,
                kind=ArticleEvent.Kind.EXTRACTION,
                from_state=ExtractionJob.State.RUNNING,
                to_state=ExtractionJob.State.FAILED,
                note=f"Extraction failed after {job.attempts} attempts: {job.last_error}",
            )
    return True


def retry_extraction_job(job: ExtractionJob, *, by) -> ExtractionJob:
    """failed → pending with fresh attempts, for an editor of the article or staff."""
    with transaction.atomic():
        article = lock_article(job.article_id)
        job = ExtractionJob.objects.select_for_update().get(pk=job.pk)
        if not (permissions.can_edit_article(by, article) or getattr(by, "is_staff", False)):
            raise PermissionDenied("You may not retry this extraction.")
        if job.state != ExtractionJob.State.FAILED:
            raise InvalidTransition("Only a failed extraction can be retried.")
        job.state = ExtractionJob.State.PENDING
        job.attempts = 0
        job.finished_at = None
        job.save(update_fields=["state", "attempts", "finished_at"])
        log_event(
            article,
            by=by,
            kind=ArticleEvent.Kind.EXTRACTION,
            from_state=ExtractionJob.State.FAILED,
            to_state=ExtractionJob.State.PENDING,
            note="Extraction retried.",
        )
        transaction.on_commit(lambda: enqueue_extraction(job.pk))
    return job


def sweep_extraction_jobs() -> dict[str, int]:
    """The periodic safety net (Celery beat): re-enqueue jobs left pending (the broker was down at
    submit) and jobs whose lease expired (the worker died); fail those out of attempts."""
    now = timezone.now()
    grace = now - dt.timedelta(seconds=settings.EXTRACTION_PENDING_GRACE_SECONDS)
    counts = {"requeued": 0, "failed": 0}
    expired = ExtractionJob.objects.filter(
        state=ExtractionJob.State.RUNNING, lease_expires_at__lt=now
    )
    for job_id, attempts in expired.values_list("id", "attempts"):
        if attempts >= settings.EXTRACTION_MAX_ATTEMPTS:
            if fail_extraction_job(
                job_id, token=None, error="The worker was lost on every attempt."
            ):
                counts["failed"] += 1
        elif enqueue_extraction(job_id, coalesce=False):
            counts["requeued"] += 1
    stale = ExtractionJob.objects.filter(state=ExtractionJob.State.PENDING).filter(
        Q(enqueued_at__isnull=True, created_at__lt=grace) | Q(enqueued_at__lt=grace)
    )
    for job_id in stale.values_list("id", flat=True):
        if enqueue_extraction(job_id, coalesce=False):
            counts["requeued"] += 1
    if any(counts.values()):
        logger.info("extraction sweep: %s", counts)
    return counts
