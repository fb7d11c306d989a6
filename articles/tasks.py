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

    Idempotent: the job is taken by compare-and-set and finished only by the attempt that holds
    its lease, so a redelivered or duplicated message leaves exactly one set of claims. A message
    that finds another attempt holding the job comes back when that lease runs out, in case that
    attempt died (the sweeper would catch it too).
    """
    from articles.extraction import extract

    taken = services.start_extraction_job(job_id)
    if taken is None:
        wait = services.lease_remaining(job_id)
        if wait is not None:
            raise self.retry(countdown=wait + 1)
        return "skipped"
    job, token = taken
    if settings.EXTRACTION_DEBUG_DELAY_MS:
        time.sleep(settings.EXTRACTION_DEBUG_DELAY_MS / 1000)
    try:
        result = extract(job.revision.body)
    except Exception as exc:  # the engine is not supposed to raise; record it rather than loop
        logger.exception("extraction job %s failed", job_id)
        services.fail_extraction_job(job_id, token=token, error=f"{type(exc).__name__}: {exc}")
        return "failed"
    return "done" if services.complete_extraction_job(job_id, token=token, result=result) else "dropped"


@shared_task(name="articles.sweep_extraction_jobs")
def sweep_extraction_jobs() -> dict[str, int]:
    """Beat: re-enqueue pending jobs and jobs whose worker died; fail those out of attempts."""
    return services.sweep_extraction_jobs()
