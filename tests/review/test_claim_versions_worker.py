"""The edit lands between opening a claim and saving its verdict, with the real pieces: the
browser's endpoints through the test client, a real Celery worker on a real Redis re-extracting
the edit (issue 20, item 3). The verdict typed for the old sentence is refused; the one typed
for the new sentence, from the form the 409 brought back, is saved."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, ArticleEvent, Claim
from articles.text import claim_version

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HTMX = {"HTTP_HX_REQUEST": "true"}
BODY = (
    "The harbour board approved a budget of 5 million euros for the new quay on Tuesday. "
    "Work on the quay starts in May, the board said.\n"
)
AFTER = "The harbour board approved a budget of 50 million euros for the new quay on Tuesday."


def wait_for(predicate, *, what: str, timeout: float = 20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def in_review(article: Article) -> bool:
    return Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW


def judged_in(html: str) -> str:
    (version,) = re.findall(r'<input type="hidden" name="judged" value="([0-9a-f]+)"', html)
    return version


def test_an_edit_re_extracted_by_the_worker_after_the_claim_was_opened_refuses_the_verdict(
    celery_worker, editor, reviewer
):
    author, checker = Client(), Client()
    author.force_login(editor)
    checker.force_login(reviewer)
    author.post(reverse("articles:create"), {"title": "Quay budget", "body": BODY})
    article = Article.objects.get()
    author.post(reverse("articles:submit", args=[article.pk]))
    wait_for(lambda: in_review(article), what="the first extraction", timeout=20)
    claim = Claim.objects.get(article=article, ordinal=0)

    panel = checker.post(reverse("review:claim_open", args=[claim.pk]), **HTMX)
    read = judged_in(panel.content.decode())
    edited = author.post(
        reverse("articles:edit", args=[article.pk]),
        {"title": "Quay budget", "body": BODY.replace("5 million", "50 million")},
    )
    assert edited.status_code == 302
    wait_for(
        lambda: in_review(article) and Claim.objects.get(pk=claim.pk).text == AFTER,
        what="the worker to re-extract the edit",
    )
    stale = checker.post(
        reverse("review:verdict", args=[claim.pk]),
        {"judged": read, "verdict": "verified", "note": "5 million.", "source": "queue"},
        **HTMX,
    )

    assert stale.status_code == 409
    claim.refresh_from_db()
    assert (claim.id, claim.text, claim.verdict) == (claim.pk, AFTER, "pending")
    assert not ArticleEvent.objects.filter(kind="verdict").exists()
    assert author.post(reverse("review:publish", args=[article.pk])).status_code == 302
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW

    fresh = judged_in(stale.content.decode())
    assert fresh == claim_version(AFTER)
    saved = checker.post(
        reverse("review:verdict", args=[claim.pk]),
        {"judged": fresh, "verdict": "unverified", "note": "Not 50.", "source": "queue"},
        **HTMX,
    )
    assert saved.status_code == 200
    assert ArticleEvent.objects.get(kind="verdict").claim_text == AFTER
