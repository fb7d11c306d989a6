"""Background work on articles. Tasks take ids, re-read the rows, and are safe to run twice."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from django.conf import settings

from articles import services

logger = logging.getLogger(__name__)


@shared_task(
    name="articles.extract_article",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=20,
)
def extract_article(self, job_id: int) -> str:
    """Extract the claims of one job's revision and store them; the article enters review.

    When the queue is deep, the message also takes up to `EXTRACTION_BATCH_SIZE - 1` other pending
    jobs and finishes them all in one transaction; their messages, if they were sent, find them
    done. It first answers the doorbell, and rings it again when it leaves pending jobs behind.

    Idempotent: jobs are taken by compare-and-set and finished only by the attempt that holds
    their lease, so a redelivered or duplicated message leaves exactly one set of claims. A message
    that finds another attempt holding its job comes back when that lease runs out, in case that
    attempt died (the sweeper would catch it too). Returns what became of the message's own job.
    """
    from extraction import extract

    services.answer_extraction_doorbell()
    taken = services.start_extraction_jobs(job_id, more=settings.EXTRACTION_BATCH_SIZE - 1)
    if taken.left_over is not None:
        # Submits meanwhile may not have rung (see `enqueue_extraction`): ring for the rest now,
        # so that another worker process can start on them while this one works.
        services.enqueue_extraction(taken.left_over)
    outcome = "skipped"
    if taken.jobs:
        if settings.EXTRACTION_DEBUG_DELAY_MS:
            time.sleep(settings.EXTRACTION_DEBUG_DELAY_MS / 1000)
        results = {}
        for job in taken.jobs:
            try:
                results[job.pk] = extract(job.revision.body)
            except Exception as exc:  # the engine is not supposed to raise; record it, not loop
                logger.exception("extraction job %s failed", job.pk)
                services.fail_extraction_job(job.pk, token=taken.token, error=_describe(exc))
                if job.pk == job_id:
                    outcome = "failed"
        finished = _complete(results, token=taken.token)
        if job_id in results:
            outcome = finished.get(job_id, "dropped")
    if taken.busy_for is not None:
        raise self.retry(countdown=taken.busy_for + 1)
    return outcome


def _complete(results: dict[int, object], *, token) -> dict[int, str]:
    """Finish the jobs of one attempt together; if that fails, one by one, so that one article
    whose result the database refuses does not cost the others theirs. Returns job id → state."""
    try:
        finished = services.complete_extraction_jobs(results, token=token)
        return {job.pk: job.state for job in finished}
    except Exception:
        logger.exception("extraction jobs %s: storing results failed; one by one", list(results))
    states = {}
    for job_id, result in results.items():
        try:
            for job in services.complete_extraction_jobs({job_id: result}, token=token):
                states[job.pk] = job.state
        except Exception as exc:
            logger.exception("extraction job %s: storing its result failed", job_id)
            services.fail_extraction_job(job_id, token=token, error=_describe(exc))
            states[job_id] = "failed"
    return states


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


@shared_task(name="articles.sweep_extraction_jobs")
def sweep_extraction_jobs() -> dict[str, int]:
    """Beat: re-enqueue pending jobs and jobs whose worker died; fail those out of attempts."""
    return services.sweep_extraction_jobs()


@shared_task(name="articles.reextract_outdated_articles")
def reextract_outdated_articles() -> int:
    """Beat: queue the re-extraction of articles in review or in draft whose claims an older
    extractor version found, at most `EXTRACTION_UPGRADE_BATCH` jobs in flight at a time (see
    `articles.services.upgrades`). Returns how many it queued."""
    if settings.EXTRACTION_UPGRADE_BATCH <= 0:
        return 0
    return len(services.reextract_outdated(limit=settings.EXTRACTION_UPGRADE_BATCH).queued)
