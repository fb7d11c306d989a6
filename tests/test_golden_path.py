"""The product's core loop end to end, through the test client, with a real Celery worker process
on a real Redis: an editor writes and submits, the worker extracts, a reviewer verifies every
claim, the editor publishes."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from articles.models import Article, ArticleEvent, ExtractionJob
from tests.conftest import STORY, STORY_CLAIMS
from tests.support.verdicts import judge

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for(predicate, *, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def test_editor_submits_worker_extracts_reviewer_verifies_editor_publishes(
    celery_worker, editor, reviewer
):
    editor_client, reviewer_client = Client(), Client()
    editor_client.force_login(editor)
    reviewer_client.force_login(reviewer)

    response = editor_client.post(
        reverse("articles:create"), {"title": "Ferry budget approved", "body": STORY}
    )
    assert response.status_code == 302
    article = Article.objects.get()
    response = editor_client.post(reverse("articles:submit", args=[article.pk]))
    assert response.status_code == 302

    started = time.monotonic()
    wait_for(
        lambda: Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW,
        what="the worker to extract the article",
    )
    extraction_seconds = time.monotonic() - started
    assert extraction_seconds < 10, celery_worker.log()[-2000:]
    job = ExtractionJob.objects.get(article=article)
    assert (job.state, job.attempts) == (ExtractionJob.State.DONE, 1)
    assert article.claims.count() == STORY_CLAIMS
    page = editor_client.get(reverse("articles:detail", args=[article.pk]))
    assert f"{STORY_CLAIMS} of {STORY_CLAIMS} claims pending" in page.content.decode()

    queue = reviewer_client.get(reverse("review:queue"))
    assert queue.status_code == 200
    for claim in article.claims.all():
        assert escape(claim.text) in queue.content.decode()
        response = reviewer_client.post(
            reverse("review:verdict", args=[claim.pk]),
            {
                "judged": judge(claim),
                "verdict": "verified",
                "note": "Checked against the council minutes.",
            },
        )
        assert response.status_code in (200, 302)

    assert article.claims.filter(verdict="verified").count() == STORY_CLAIMS
    response = editor_client.post(reverse("review:publish", args=[article.pk]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert list(
        ArticleEvent.objects.filter(article=article, kind="status").values_list(
            "from_state", "to_state"
        )
    ) == [("draft", "submitted"), ("submitted", "in_review"), ("in_review", "published")]
    assert ArticleEvent.objects.filter(article=article, kind="verdict").count() == STORY_CLAIMS
