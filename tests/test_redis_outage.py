"""Redis down or stalled costs a web request milliseconds, not seconds (issue 20, item 5).

Real Redis servers, stopped (connection refused) or paused with SIGSTOP (connections open, nothing
answers: what a Redis stuck on a slow disk or a half-dead network looks like), a real gunicorn and
real Celery workers. Every test asserts how long the requests took *and* the rows they left: the
job stays pending in the database and the sweepers do the work once Redis is back.

A pause is always bounded (`paused(..., at_most=...)` resumes the server from a timer), so code that
waits for Redis without a timeout makes a test fail on its latency assertions instead of hanging.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import redis
from django.test import Client
from django.urls import reverse

from articles.models import Article, ExtractionJob
from articles.services import enqueue_extraction
from integrations import services as integrations_services
from integrations.models import WebhookDelivery, WebhookSubscription
from review.intelligence import ring_claim_analysis
from tests.conftest import STORY_CLAIMS, make_article
from tests.support.api import token_for
from tests.support.fixtures import point_app_at_redis
from tests.support.processes import Gunicorn, RedisServer

# `alone`: these tests bound wall-clock time (a submit, a takeover), so bin/test runs them after
# the parallel passes, one at a time, on a machine no other test process shares.
pytestmark = [
    pytest.mark.integration,
    pytest.mark.alone,
    pytest.mark.django_db(transaction=True),
]

RECOVERY_BOUND = 30.0


def wait_for(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@contextmanager
def paused(server: RedisServer, *, at_most: float) -> Iterator[None]:
    """SIGSTOP the server; SIGCONT it when the block ends, or after `at_most` seconds."""
    os.kill(server.pid, signal.SIGSTOP)
    timer = threading.Timer(at_most, os.kill, args=(server.pid, signal.SIGCONT))
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        os.kill(server.pid, signal.SIGCONT)


def timed(call) -> tuple[float, object]:
    started = time.monotonic()
    result = call()
    return time.monotonic() - started, result


@pytest.fixture
def private_redis(start_redis, redis_server):
    """A Redis of this test only; the app (broker, doorbells, throttle) uses it until the end."""
    server = start_redis(aof=True)
    point_app_at_redis(server.url)
    yield server
    point_app_at_redis(redis_server.url)


@pytest.fixture
def subscription() -> WebhookSubscription:
    """An active subscription: every status change now also rings the webhook dispatcher. Its
    target is refused by the SSRF guard, so a delivery fails at once without touching a network."""
    return WebhookSubscription.objects.create(
        name="partner",
        target_url="http://127.0.0.1:9/hooks",
        secret="s3cret",
        events=[WebhookSubscription.Event.ARTICLE_EXTRACTED],
    )


def queued_messages(server: RedisServer) -> int:
    client = redis.Redis.from_url(server.url, socket_timeout=5)
    try:
        return sum(client.llen(queue) for queue in ("extraction", "default"))
    finally:
        client.close()


# --- Redis stopped --------------------------------------------------------------------------------


def test_with_redis_stopped_submits_cost_milliseconds_and_the_sweepers_finish_the_work(
    private_redis, subscription, editor, start_worker, start_beat
):
    articles = [make_article(editor, title=f"Outage {i}") for i in range(6)]
    private_redis.stop()
    client = Client()
    client.force_login(editor)

    timings = []
    for article in articles:
        url = reverse("articles:submit", args=[article.pk])
        took, response = timed(lambda url=url: client.post(url))
        assert response.status_code == 302
        timings.append(took)

    # Each submit tried the extraction doorbell and the webhook dispatcher (the issue: ~2 s each).
    assert max(timings) < 0.5, f"submits took {[round(t, 3) for t in timings]} s"
    jobs = ExtractionJob.objects.filter(article__in=articles)
    assert sorted(jobs.values_list("state", "enqueued_at")) == [("pending", None)] * len(articles)
    statuses = Article.objects.filter(pk__in=[a.pk for a in articles]).values_list("status")
    assert set(statuses) == {(Article.Status.SUBMITTED,)}
    assert not WebhookDelivery.objects.exists()

    private_redis.restart()
    env = {"REDIS_URL": private_redis.url, "WEBHOOK_SWEEP_SECONDS": "1"}
    start_worker(concurrency=1, env=env)
    start_beat(env=env)  # nobody rings again: the sweepers find the pending work

    wait_for(
        lambda: not jobs.exclude(state="done").exists(), timeout=RECOVERY_BOUND, what="the jobs"
    )
    for article in articles:
        assert article.claims.count() == STORY_CLAIMS
    extracted = WebhookDelivery.objects.filter(event_type="article.extracted")
    wait_for(
        lambda: extracted.count() == len(articles),
        timeout=RECOVERY_BOUND,
        what="the webhook sweeper to dispatch the missed events",
    )


# --- Redis paused ---------------------------------------------------------------------------------


def test_with_redis_paused_submits_return_within_a_second_and_the_login_page_stays_fast(
    private_redis, subscription, editor, worker_env, tmp_path
):
    articles = [make_article(editor, title=f"Paused {i}") for i in range(4)]
    web = Gunicorn(
        env={**worker_env, "REDIS_URL": private_redis.url}, log_path=tmp_path / "gunicorn.log"
    ).start()
    try:
        browser = Client()
        browser.force_login(editor)
        cookies = {"sessionid": browser.cookies["sessionid"].value, "csrftoken": "x" * 32}
        http = httpx.Client(base_url=web.url, cookies=cookies, timeout=30)
        for _ in range(4):  # both workers have loaded the app and answered once
            assert http.get(reverse("login")).status_code == 200

        submits: dict[int, float] = {}

        def submit(article: Article) -> None:
            took, response = timed(
                lambda: http.post(
                    reverse("articles:submit", args=[article.pk]),
                    headers={"X-CSRFToken": "x" * 32, "Referer": web.url},
                )
            )
            assert response.status_code == 302, response.text[:500]
            submits[article.pk] = took

        with paused(private_redis, at_most=12):
            # Two at a time: with the old code both sync workers hung on Redis, and the login
            # page waited behind them (the issue: 22 s).
            threads = [threading.Thread(target=submit, args=(a,)) for a in articles[:2]]
            for thread in threads:
                thread.start()
            time.sleep(0.1)
            login_took, login = timed(lambda: http.get(reverse("login")))
            for thread in threads:
                thread.join(timeout=30)
            for article in articles[2:]:
                submit(article)

        assert login.status_code == 200
        assert login_took < 1.0, f"the login page took {login_took:.2f} s"
        assert len(submits) == len(articles)
        assert max(submits.values()) < 1.0, f"submits took {submits} s"
        # Every submit was recorded, each with its one extraction job. Still pending, unless a
        # sweeper of this test process's own worker (it reads the same test database) found a job
        # past its grace and extracted it: then done, never lost, never twice.
        jobs = ExtractionJob.objects.filter(article__in=articles)
        assert sorted(jobs.values_list("article_id", flat=True)) == sorted(a.pk for a in articles)
        for article in Article.objects.filter(pk__in=[a.pk for a in articles]):
            job = jobs.get(article=article)
            assert (article.status, job.state) in {
                (Article.Status.SUBMITTED, "pending"),
                (Article.Status.IN_REVIEW, "done"),
            }, (article.status, job.state)
    finally:
        web.stop()


def test_an_api_submit_with_redis_paused_answers_within_a_second(private_redis, editor, settings):
    """The API path adds the write throttle's Redis call to the broker's."""
    settings.API_WRITE_RATE = "1000/min"
    article = make_article(editor)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(editor)}")
    assert client.get(f"/api/v1/articles/{article.pk}").status_code == 200  # the API is loaded

    with paused(private_redis, at_most=12):
        took, response = timed(lambda: client.post(f"/api/v1/articles/{article.pk}/submit"))

    assert response.status_code == 200, response.content[:300]
    assert took < 1.0, f"the submit took {took:.2f} s"
    job = article.extraction_jobs.get()
    assert (job.state, job.enqueued_at) == ("pending", None)
    assert Article.objects.get(pk=article.pk).status == Article.Status.SUBMITTED


# --- The circuit breaker --------------------------------------------------------------------------


def test_after_one_failure_broker_calls_are_skipped_for_a_while_then_one_probes(
    private_redis, editor, settings, caplog
):
    settings.REDIS_BREAKER_SECONDS = 1.0
    job = make_article(editor, status="submitted").extraction_jobs.get()
    assert queued_messages(private_redis) == 1  # the submit's own doorbell
    calls = [
        lambda: ring_claim_analysis([job.article_id]),
        lambda: integrations_services.enqueue_delivery(1),
        lambda: enqueue_extraction(job.pk, coalesce=False),
    ]

    with caplog.at_level("WARNING"), paused(private_redis, at_most=10):
        first, answered = timed(calls[0])
        later = [timed(calls[i % 3]) for i in range(30)]

    assert first < 1.0, f"the first call took {first:.2f} s"
    assert answered is False
    assert [result for _, result in later] == [False] * 30
    slowest = max(took for took, _ in later)
    assert slowest < 0.010, f"a call with the breaker open took {slowest * 1000:.1f} ms"
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "Redis" in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]

    # Redis answers again; once the breaker's time is up, the next call probes and goes through.
    time.sleep(1.1)
    assert integrations_services.enqueue_delivery(2) is True
    wait_for(lambda: queued_messages(private_redis) >= 2, timeout=5, what="the probe's message")
    assert enqueue_extraction(job.pk, coalesce=False) is True
    assert ExtractionJob.objects.get(pk=job.pk).enqueued_at is not None


def test_threads_ringing_at_once_after_redis_came_back_recover_and_every_true_was_sent(
    private_redis, settings
):
    """Each gunicorn thread has its own connection; the breaker lets one of them probe (unit
    tests: tests/test_circuit_breaker.py), and a call that says it rang did put a message in."""
    settings.REDIS_BREAKER_SECONDS = 0.5
    private_redis.stop()
    assert integrations_services.enqueue_delivery(1) is False  # opens the breaker
    private_redis.restart()  # the server is back; the breaker does not know yet
    time.sleep(0.6)

    results: list[bool] = []
    barrier = threading.Barrier(8)

    def call() -> None:
        barrier.wait()
        results.append(integrations_services.enqueue_delivery(3))

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert len(results) == 8 and results.count(True) >= 1
    assert queued_messages(private_redis) == results.count(True)
    assert integrations_services.enqueue_delivery(4) is True  # closed again
    assert queued_messages(private_redis) == results.count(True) + 1
