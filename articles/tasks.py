"""Background work on articles. Tasks take ids, re-read the rows, and are safe to run twice."""

from __future__ import annotations

import logging
import threading
import time
import uuid

from celery import shared_task
from django.conf import settings
from django.db import connection

from articles import services
from articles.logcontext import log_context

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
        ids = [job.pk for job in taken.jobs]
        with LeaseKeeper(ids, token=taken.token), log_context(job=job_id):
            if settings.EXTRACTION_DEBUG_DELAY_MS:
                time.sleep(settings.EXTRACTION_DEBUG_DELAY_MS / 1000)
            results = {}
            for job in taken.jobs:
                with log_context(article=job.article_id, job=job.pk):
                    try:
                        results[job.pk] = extract(job.revision.body)
                    except Exception as exc:  # the engine should not raise; record it, not loop
                        logger.exception("extraction job %s failed", job.pk)
                        services.fail_extraction_job(
                            job.pk, token=taken.token, error=_describe(exc)
                        )
                        if job.pk == job_id:
                            outcome = "failed"
            finished = _complete(results, token=taken.token)
        if job_id in results:
            outcome = finished.get(job_id, "dropped")
    if taken.busy_for is not None:
        raise self.retry(countdown=taken.busy_for + 1)
    return outcome


class LeaseKeeper:
    """While the block runs, a thread renews the lease of the attempt's jobs every third of
    EXTRACTION_LEASE_SECONDS (`services.renew_extraction_lease`). The lease can then be short,
    so that the jobs of a worker that died are taken over within seconds, while a live worker
    keeps its jobs however long they take: no job ever runs twice at once."""

    def __init__(self, job_ids: list[int], *, token: uuid.UUID) -> None:
        self.job_ids = job_ids
        self.token = token
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="lease-keeper", daemon=True)

    def __enter__(self) -> LeaseKeeper:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopping.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        interval = max(0.5, settings.EXTRACTION_LEASE_SECONDS / 3)
        try:
            while not self.stopping.wait(interval):
                try:
                    if not services.renew_extraction_lease(self.job_ids, token=self.token):
                        logger.warning(
                            "extraction jobs %s: lease lost; results will be dropped",
                            self.job_ids,
                        )
                        return
                except Exception:  # the database away for a moment: try again next time
                    logger.warning("extraction jobs %s: lease renewal failed", self.job_ids)
        finally:
            # The thread's own database connection, not the task's.
            connection.close()


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


@shared_task(name="articles.publish_scheduled_articles", expires=60)
def publish_scheduled_articles() -> dict[str, list[int]]:
    """Beat, every PUBLISH_SCHEDULED_SECONDS: publish the articles whose scheduled time has come,
    or record why not (`services.publish_due_articles`: per article under its lock, so a second
    run at the same time publishes nothing twice). Returns the ids published and failed."""
    run = services.publish_due_articles()
    return {"published": run.published, "failed": run.failed}
