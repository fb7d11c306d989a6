"""The gate names and links the claims that keep it closed (issue 13), and the chief editor's
override form lists the unverified claims with the reviewers' notes and asks for confirmation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.models import Article, ArticleEvent
from review import services as review_services
from tests.conftest import make_article
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db


def test_the_closed_gate_names_and_links_each_blocking_claim(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.active().order_by("ordinal"))
    for claim in claims[1:]:
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes."
        )
    client.force_login(editor)

    for url in (
        reverse("articles:detail", args=[article.pk]),
        reverse("articles:gate", args=[article.pk]),
    ):
        html = client.get(url).content.decode()
        gate = html[html.index('id="gate"') :]
        assert (
            f'<a href="/articles/{article.pk}/#claim-row-{claims[0].pk}">Claim 1</a> pending: '
            "“Harbor City approved a $12.5 million budget for its ferry service on Monday.”"
        ) in gate
        # Verified claims do not block.
        assert f"#claim-row-{claims[1].pk}" not in gate[: gate.index("</section>")]


def test_the_override_form_lists_unverified_claims_with_notes_and_needs_confirmation(
    client, editor, reviewer, chief
):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.active().order_by("ordinal"))
    review_services.record_verdict(
        claims[0],
        judged=judge(claims[0]),
        by=reviewer,
        verdict="unverified",
        note="The budget papers say $12.1 million.",
    )
    for claim in claims[1:]:
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes."
        )
    client.force_login(chief)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    form = html[
        html.index('class="gate-blockers"') : html.index("</section>", html.index('id="gate"'))
    ]
    assert "Claim 1</a> unverified:" in form
    assert "Rui Reviewer: The budget papers say $12.1 million." in form
    assert 'name="confirm" required' in form

    publish = reverse("review:publish", args=[article.pk])
    refused = client.post(
        publish, {"override": "True", "override_reason": "Mayor confirmed."}, follow=True
    )
    assert "Confirm that you have read the unverified claims" in refused.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW
    assert not ArticleEvent.objects.filter(kind=ArticleEvent.Kind.OVERRIDE).exists()

    client.post(
        publish, {"override": "True", "override_reason": "Mayor confirmed.", "confirm": "on"}
    )
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
