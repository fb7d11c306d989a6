"""Claim analysis as it runs in production: a real Celery worker process on a real Redis extracts
two submitted articles, then scores their claims and finds the fact they share, with nobody
calling anything by hand."""

from __future__ import annotations

import pytest

import checkworthiness
from articles import services
from articles.models import Claim
from review.models import ReuseSuggestion
from tests.conftest import FOLLOW_UP, STORY
from tests.test_golden_path import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_worker_scores_claims_and_finds_reuse_candidates_after_extraction(
    celery_worker, editor, other_editor
):
    first = services.create_article(by=editor, title="Ferry budget approved", body=STORY)
    services.submit_article(first, by=editor)
    wait_for(
        lambda: Claim.objects.filter(article=first, checkworthiness__isnull=False).count() == 5,
        timeout=30,
        what="the first article's claims to be scored",
    )
    second = services.create_article(by=other_editor, title="Ferry follow-up", body=FOLLOW_UP)
    services.submit_article(second, by=other_editor)

    wait_for(
        lambda: ReuseSuggestion.objects.filter(claim__article=second, exact=True).exists(),
        timeout=30,
        what="the shared sentence to be found",
    )
    claims = Claim.objects.filter(article__in=[first, second])
    assert {c.checkworthiness_model for c in claims} == {checkworthiness.MODEL_VERSION}
    assert all(c.analysed_revision_id == c.revision_id for c in claims)
    pair = ReuseSuggestion.objects.get(claim__article=second, exact=True)
    assert pair.source.article_id == first.pk
    assert (
        pair.source.text
        == "Harbor City approved a $12.5 million budget for its ferry service on Monday."
    )
    assert {c.verdict for c in claims} == {"pending"}  # a hint and a suggestion, never a verdict
