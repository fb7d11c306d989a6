"""Scheduled publication end to end: a real Celery beat sends `articles.publish_scheduled_articles`
every second and a real worker on a real Redis runs it; one article scheduled a few seconds ahead
is published, another whose gate closed after it was scheduled is not, and the history says why.
Every wait is bounded."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleEvent
from review import services as review_services
from tests.conftest import ready_article
from tests.support.verdicts import judge

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"{what} within {seconds} s"
        time.sleep(0.1)


def test_beat_and_a_worker_publish_a_scheduled_article_and_fail_one_whose_gate_closed(
    start_worker, start_beat, editor, reviewer, second_reviewer, chief
):
    on_time = ready_article(editor, reviewer)
    closed = ready_article(editor, reviewer)
    at = timezone.now() + dt.timedelta(seconds=4)
    services.schedule_publication(on_time, by=editor, at=at)
    services.schedule_publication(closed, by=chief, at=at)
    claim = closed.claims.active().first()
    review_services.record_verdict(
        claim, judged=judge(claim), by=second_reviewer, verdict="unverified", note="Retracted."
    )
    env = {"PUBLISH_SCHEDULED_SECONDS": "1"}
    start_worker(concurrency=2, env=env)
    start_beat(env=env)

    wait_for(
        lambda: Article.objects.get(pk=on_time.pk).status == Article.Status.PUBLISHED,
        seconds=30,
        what="the scheduled article was not published",
    )
    wait_for(
        lambda: closed.events.filter(kind=ArticleEvent.Kind.SCHEDULE_FAILED).exists(),
        seconds=30,
        what="the failed schedule was not recorded",
    )
    time.sleep(2)  # more runs: nothing is published twice

    on_time.refresh_from_db()
    assert on_time.published_at >= at
    assert on_time.publish_at is None
    [published] = on_time.events.filter(kind="status", to_state="published")
    assert published.actor == editor
    closed.refresh_from_db()
    assert closed.status == Article.Status.IN_REVIEW
    assert closed.publish_at is None
    [failed] = closed.events.filter(kind=ArticleEvent.Kind.SCHEDULE_FAILED)
    assert failed.note == "The gate closed: 1 unverified."
    assert not closed.events.filter(kind="status", to_state="published").exists()
