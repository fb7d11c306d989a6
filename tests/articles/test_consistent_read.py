"""One consistent read per render (issue 13): right after Submit the article page showed the
extraction "Done" in its status and timeline beside "Claims (0)", for a second or two: the page
read the claims before the worker committed and the job after. The page (and its polled blocks)
now read the database as of one moment (`articles.views.one_snapshot`).

Here the real worker commits exactly between the two reads: the view is paused after it read the
claims, the job is handed to the worker, and the test waits (up to a few seconds) for the job to
be done before letting the view go on. Before the fix the page came out half old, half new."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse

from articles import permissions, services
from articles.models import ExtractionJob
from articles.tasks import extract_article
from tests.conftest import STORY, STORY_CLAIMS
from tests.support.fixtures import point_celery_at

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_article_page_never_mixes_the_claims_before_and_the_job_after_extraction(
    celery_worker, redis_server, messages_reach_no_worker, client, editor, monkeypatch
):
    article = services.create_article(by=editor, title="Ferry budget approved", body=STORY)
    job = services.submit_article(article, by=editor)  # its message reaches no worker
    assert ExtractionJob.objects.get(pk=job.pk).state == ExtractionJob.State.PENDING
    client.force_login(editor)

    real = permissions.can_review_article
    paused = []

    def worker_commits_meanwhile(user, art):
        if not paused:
            paused.append(True)
            point_celery_at(redis_server.url)
            # The message alone: this connection is inside the view's snapshot, which only reads
            # (enqueue_extraction's write of `enqueued_at` would conflict there with a sweeper's
            # on PostgreSQL).
            extract_article.delay(job.pk)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                if ExtractionJob.objects.get(pk=job.pk).state == ExtractionJob.State.DONE:
                    break  # what this request sees: only without one snapshot
                time.sleep(0.05)
        return real(user, art)

    monkeypatch.setattr(permissions, "can_review_article", worker_commits_meanwhile)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    assert paused, "the view no longer asks can_review_article after reading the claims"
    claim_rows = len(re.findall(r'id="claim-row-\d+"', html))
    done = "Claims extracted from revision" in html
    assert (claim_rows, done) in ((0, False), (STORY_CLAIMS, True)), (claim_rows, done)
    # The worker did its work all the same, and the next read shows all of it.
    deadline = time.monotonic() + 20
    while ExtractionJob.objects.get(pk=job.pk).state != ExtractionJob.State.DONE:
        assert time.monotonic() < deadline, "the worker never finished the job"
        time.sleep(0.05)
    after = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert len(re.findall(r'id="claim-row-\d+"', after)) == STORY_CLAIMS
    assert "Claims extracted from revision" in after
