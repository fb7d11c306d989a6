"""Extraction survives what really happens to Celery and Redis. Real Redis servers and real worker
processes; every wait is bounded.

Each test gets a private Redis (AOF on) and points the app at it, so no other worker of the test
run can take its jobs. Timings come from tests/support/fixtures.py: lease 5 s, sweep every 1 s,
pending grace 1 s. With those, a job whose worker died completes within about 20 s (lease + sweep +
the job's own deliberately slowed run; the tests allow 60 s on a loaded machine); in production the bound is the lease (15 s, renewed while a
job runs) plus one sweep (5 s).
"""

from __future__ import annotations

import signal
import time

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, ArticleEvent, Claim, ExtractionJob
from articles.tasks import extract_article
from tests.conftest import STORY_CLAIMS, make_article
from tests.support.fixtures import point_app_at_redis

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

SLOW = {"EXTRACTION_DEBUG_DELAY_MS": "2500"}
# Unloaded, recovery takes 10-20 s here. The bound is generous because bin/test runs six test
# processes on two cores, and a replacement pool process or worker must import the whole app
# before it sweeps: what these tests prove is that the job is finished, exactly once, by itself.
RECOVERY_BOUND = 60.0


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def job_state(job_id: int) -> str:
    return ExtractionJob.objects.get(pk=job_id).state


def assert_extracted_exactly_once(article: Article) -> None:
    assert Claim.objects.filter(article=article).count() == STORY_CLAIMS
    assert (
        ArticleEvent.objects.filter(article=article, kind="status", to_state="in_review").count()
        == 1
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


@pytest.fixture
def private_redis(start_redis, redis_server):
    """A Redis of this test only, with AOF; the app publishes there until the test ends."""
    server = start_redis(aof=True)
    point_app_at_redis(server.url)
    yield server
    point_app_at_redis(redis_server.url)


def test_a_pool_process_killed_mid_extraction_is_recovered_exactly_once(
    private_redis, start_worker, editor
):
    worker = start_worker(concurrency=1, env={**SLOW, "REDIS_URL": private_redis.url})
    article = make_article(editor, status="submitted")
    job = article.extraction_jobs.get()
    wait_for(lambda: job_state(job.pk) == "running", timeout=15, what="the worker to take the job")

    killed = worker.kill_pool(signal.SIGKILL)

    assert killed
    wait_for(lambda: job_state(job.pk) == "done", timeout=RECOVERY_BOUND, what="recovery")
    assert_extracted_exactly_once(article)
    assert ExtractionJob.objects.get(pk=job.pk).attempts == 2
    assert worker.running()  # the main process replaced its pool process


def test_a_whole_worker_killed_mid_extraction_is_finished_by_a_new_one(
    private_redis, start_worker, start_beat, editor
):
    env = {**SLOW, "REDIS_URL": private_redis.url}
    first = start_worker(concurrency=1, env=env)
    start_beat(env=env)
    article = make_article(editor, status="submitted")
    job = article.extraction_jobs.get()
    wait_for(lambda: job_state(job.pk) == "running", timeout=15, what="the worker to take the job")

    first._killpg(signal.SIGKILL)  # the main process and its pool, with no chance to clean up
    first.wait_exit()
    killed_at = time.monotonic()
    start_worker(concurrency=1, env=env, name="replacement")

    wait_for(
        lambda: job_state(job.pk) == "done", timeout=RECOVERY_BOUND, what="the replacement worker"
    )
    assert time.monotonic() - killed_at < RECOVERY_BOUND
    assert_extracted_exactly_once(article)


def test_submitting_while_redis_is_down_succeeds_and_completes_when_redis_is_back(
    private_redis, start_worker, start_beat, editor
):
    article = make_article(editor)
    private_redis.stop()
    client = Client()
    client.force_login(editor)

    started = time.monotonic()
    response = client.post(reverse("articles:submit", args=[article.pk]))

    assert response.status_code == 302
    assert time.monotonic() - started < 5, "the submit must not hang on a dead broker"
    job = article.extraction_jobs.get()
    assert (job.state, job.enqueued_at) == ("pending", None)
    assert Article.objects.get(pk=article.pk).status == Article.Status.SUBMITTED

    private_redis.restart()
    env = {"REDIS_URL": private_redis.url}
    start_worker(concurrency=1, env=env)
    start_beat(env=env)  # nobody re-submits: the sweeper finds the pending job

    wait_for(lambda: job_state(job.pk) == "done", timeout=RECOVERY_BOUND, what="the sweeper")
    assert_extracted_exactly_once(article)


def test_jobs_queued_before_a_redis_restart_are_not_lost(private_redis, start_worker, editor):
    articles = [make_article(editor, title=f"Queued {i}", status="submitted") for i in range(5)]
    assert all(a.extraction_jobs.get().enqueued_at is not None for a in articles)

    private_redis.restart(graceful=False)  # SIGKILL: only the append-only file keeps the queue
    # No beat here: the messages themselves must have survived.
    start_worker(concurrency=1, env={"REDIS_URL": private_redis.url})

    for article in articles:
        job = article.extraction_jobs.get()
        wait_for(lambda: job_state(job.pk) == "done", timeout=RECOVERY_BOUND, what=f"job {job.pk}")
        assert_extracted_exactly_once(article)
        assert ExtractionJob.objects.get(pk=job.pk).attempts == 1


def test_the_same_task_delivered_twice_at_once_stores_one_set_of_claims(
    private_redis, start_worker, editor
):
    worker = start_worker(
        concurrency=2, env={"EXTRACTION_DEBUG_DELAY_MS": "1000", "REDIS_URL": private_redis.url}
    )
    article = make_article(editor, status="submitted")  # the first message, after commit
    job = article.extraction_jobs.get()
    extract_article.apply_async(args=[job.pk])  # the duplicate

    wait_for(lambda: job_state(job.pk) == "done", timeout=RECOVERY_BOUND, what="the job")
    # The duplicate found the job taken, waited for the lease, and then found it done.
    wait_for(
        lambda: "'skipped'" in worker.log(), timeout=RECOVERY_BOUND, what="the duplicate to give up"
    )
    assert_extracted_exactly_once(article)
    assert ExtractionJob.objects.get(pk=job.pk).attempts == 1
    assert ArticleEvent.objects.filter(article=article, kind="extraction").count() == 0
