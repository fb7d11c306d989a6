"""A live worker keeps its job however long it runs (its lease is renewed); a dead worker's job is
taken over soon after the lease runs out. Real workers, real beat, real Redis.

The lease is 3 s here (production: 15 s), renewed every second while the job runs."""

from __future__ import annotations

import signal
import time

import pytest

from articles.models import Article, Claim, ExtractionJob
from tests.conftest import STORY_CLAIMS, make_article
from tests.support.fixtures import point_app_at_redis
from tests.support.processes import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

TIMINGS = {"EXTRACTION_LEASE_SECONDS": "3", "EXTRACTION_SWEEP_SECONDS": "1"}


@pytest.fixture
def private_redis(start_redis, redis_server):
    server = start_redis(aof=True)
    point_app_at_redis(server.url)
    yield server
    point_app_at_redis(redis_server.url)


def test_a_job_longer_than_its_lease_is_never_taken_from_a_live_worker(
    private_redis, start_worker, start_beat, editor
):
    env = {**TIMINGS, "REDIS_URL": private_redis.url}
    start_worker(concurrency=1, env={**env, "EXTRACTION_DEBUG_DELAY_MS": "15000"})
    article = make_article(editor, status="submitted")
    job = article.extraction_jobs.get()
    wait_until(
        lambda: ExtractionJob.objects.get(pk=job.pk).state == "running",
        timeout=20,
        what="the slow worker to take the job",
    )
    # Only now an idle worker and the sweeper: they would take the job once its lease expired.
    start_worker(concurrency=1, env=env, name="idle")
    start_beat(env=env)

    wait_until(
        lambda: ExtractionJob.objects.get(pk=job.pk).state == "done",
        timeout=40,
        what="the slow job to finish",
    )

    # 15 s of work under a 3 s lease, a sweeper every second and an idle worker beside it: the
    # lease was renewed throughout, so nobody took the job a second time.
    assert ExtractionJob.objects.get(pk=job.pk).attempts == 1
    assert Claim.objects.filter(article=article).count() == STORY_CLAIMS


def test_a_killed_workers_job_is_finished_by_another_within_lease_and_sweep(
    private_redis, start_worker, start_beat, editor
):
    env = {**TIMINGS, "REDIS_URL": private_redis.url}
    doomed = start_worker(concurrency=1, env={**env, "EXTRACTION_DEBUG_DELAY_MS": "60000"})
    article = make_article(editor, status="submitted")
    job = article.extraction_jobs.get()
    wait_until(
        lambda: ExtractionJob.objects.get(pk=job.pk).state == "running",
        timeout=20,
        what="the worker to take the job",
    )
    start_worker(concurrency=1, env=env, name="survivor")
    start_beat(env=env)
    time.sleep(4)  # past the first lease: it was renewed, the job is still the doomed worker's
    assert ExtractionJob.objects.get(pk=job.pk).attempts == 1

    doomed._killpg(signal.SIGKILL)
    doomed.wait_exit()
    killed_at = time.time()
    wait_until(
        lambda: ExtractionJob.objects.get(pk=job.pk).state == "done",
        timeout=30,
        what="another worker to finish the job",
    )

    finished = ExtractionJob.objects.get(pk=job.pk)
    recovered = finished.finished_at.timestamp() - killed_at
    print(f"job finished {recovered:.1f} s after the worker was killed (lease 3 s, sweep 1 s)")
    assert recovered < 3 + 1 + 5
    assert finished.attempts == 2
    assert Claim.objects.filter(article=article).count() == STORY_CLAIMS
    assert Article.objects.get(pk=article.pk).status == "in_review"
