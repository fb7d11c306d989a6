"""The extractor upgrade end to end: a real Celery beat runs the sweep, a real worker on a real
Redis re-extracts the article; the published one is left alone. Every wait is bounded."""

from __future__ import annotations

import time

import pytest

from articles.models import Article, ExtractionJob
from extraction import EXTRACTOR_VERSION
from tests.articles.test_upgrades import (
    MERGED,
    NEW_CLAIMS,
    OLD,
    UNCHANGED,
    make_old_article,
    publish,
    verify,
)
from tests.support.fixtures import point_app_at_redis

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def private_redis(start_redis, redis_server):
    """A Redis of this test only; the app publishes there until the test ends."""
    server = start_redis(aof=False)
    point_app_at_redis(server.url)
    yield server
    point_app_at_redis(redis_server.url)


def test_beat_and_a_worker_re_extract_an_article_in_review_and_leave_the_published_one(
    private_redis, start_worker, start_beat, editor, reviewer, monkeypatch
):
    article = make_old_article(editor, monkeypatch, title="In review")
    verify(article, reviewer, UNCHANGED, MERGED)
    published = publish(make_old_article(editor, monkeypatch, title="Published"), editor, reviewer)
    env = {"REDIS_URL": private_redis.url, "EXTRACTION_UPGRADE_SWEEP_SECONDS": "1"}
    start_worker(concurrency=1, env=env)
    start_beat(env=env)

    deadline = time.monotonic() + 30
    while not ExtractionJob.objects.filter(
        article=article, extractor_version=EXTRACTOR_VERSION, state="done"
    ).exists():
        assert time.monotonic() < deadline, "the upgrade was not extracted within 30 s"
        time.sleep(0.1)

    article.refresh_from_db()
    assert article.status == Article.Status.IN_REVIEW
    assert [c.text for c in article.claims.active()] == NEW_CLAIMS
    assert article.claims.get(text=UNCHANGED).verdict == "verified"
    assert article.events.filter(kind="extraction", note__contains=OLD).count() == 1
    time.sleep(2)  # a few more sweeps: nothing more to do, and never the published article
    assert ExtractionJob.objects.filter(extractor_version=EXTRACTOR_VERSION).count() == 1
    assert set(published.claims.values_list("extractor_version", flat=True)) == {OLD}
    assert Article.objects.get(pk=published.pk).status == Article.Status.PUBLISHED
