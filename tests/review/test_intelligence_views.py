"""Check-worthiness and verdict reuse where reviewers work: the queue's order, the score on the
pages, and the one-click reuse in the claim panel and on the claim page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from articles.models import ArticleEvent, Claim
from review import intelligence
from tests.conftest import make_article
from tests.support.verdicts import judge

HTMX = {"HTTP_HX_REQUEST": "true"}


def set_scores(article, scores: dict[int, float]) -> None:
    """Give the article's claims (by ordinal) known scores, as the analysis task would store."""
    for ordinal, score in scores.items():
        Claim.objects.filter(article=article, ordinal=ordinal).update(
            checkworthiness=score, checkworthiness_model="test"
        )


def claim_order(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'id="claim-row-(\d+)"', html)]


@pytest.mark.django_db
def test_the_queue_can_be_ordered_by_check_worthiness(client, editor, other_editor, reviewer):
    older = make_article(editor, title="Older", status="in_review")
    newer = make_article(other_editor, title="Newer", status="in_review")
    set_scores(older, {0: 0.2, 1: 0.1, 2: 0.3, 3: 0.05, 4: 0.15})
    set_scores(newer, {0: 0.4, 1: 0.95, 2: 0.5, 3: 0.1})  # claim 4 not scored yet
    client.force_login(reviewer)

    default = client.get(reverse("review:queue")).content.decode()
    ordered = client.get(reverse("review:queue"), {"order": "checkworthiness"}).content.decode()

    by_ordinal = {(c.article_id, c.ordinal): c.pk for c in Claim.objects.all()}
    assert claim_order(default)[:2] == [by_ordinal[(older.pk, 0)], by_ordinal[(older.pk, 1)]]
    assert claim_order(ordered) == [
        by_ordinal[(newer.pk, i)]
        for i in (1, 2, 0, 3, 4)  # unscored last
    ] + [by_ordinal[(older.pk, i)] for i in (2, 0, 4, 1, 3)]
    assert '<option value="checkworthiness" selected>' in ordered
    assert "Worth checking 0.95" in ordered or "Check-worthiness 0.95" in ordered


@pytest.mark.django_db
def test_an_unknown_order_is_the_default_order(client, editor, reviewer):
    make_article(editor, status="in_review")
    client.force_login(reviewer)

    response = client.get(reverse("review:queue"), {"order": "'; drop table claims"})

    assert response.status_code == 200
    assert '<option value="" selected>Queue order</option>' in response.content.decode()


@pytest.mark.django_db
def test_the_article_page_shows_each_claims_score_as_a_hint(client, editor):
    article = make_article(editor, status="in_review")
    intelligence.analyse_article(article.pk)
    client.force_login(editor)

    html = client.get(reverse("articles:detail", args=[article.pk])).content.decode()

    assert html.count('class="worth-badge') == 5
    assert "A hint, not a verdict." in html


@pytest.mark.django_db
def test_the_claim_panel_offers_the_verdict_with_its_provenance(
    client, judged_pair, second_reviewer
):
    source, target = judged_pair
    client.force_login(second_reviewer)

    html = client.post(reverse("review:claim_open", args=[target.pk]), **HTMX).content.decode()

    assert "Checked before in other articles" in html
    assert "“Ferry budget approved”" in html and "R. Reviewer" in html
    assert "https://example.org/minutes" in html and "the same sentence" in html
    assert f'name="source_claim" value="{source.pk}"' in html


@pytest.mark.django_db
def test_one_click_reuses_the_verdict_from_the_queue(client, judged_pair, second_reviewer):
    source, target = judged_pair
    client.force_login(second_reviewer)

    response = client.post(
        reverse("review:reuse", args=[target.pk]),
        {
            "source_claim": source.pk,
            "judged": judge(target),
            "source": "queue",
            "next": reverse("review:queue"),
        },
        **HTMX,
    )

    assert response.status_code == 200
    assert response["HX-Trigger"] == "claimJudged"
    assert "Reused: verified." in response.content.decode()
    target.refresh_from_db()
    assert (target.verdict, target.reviewed_by, target.reused_from_id) == (
        "verified",
        second_reviewer,
        source.pk,
    )
    assert ArticleEvent.objects.get(claim=target, kind="verdict").source_claim_id == source.pk


@pytest.mark.django_db
def test_without_javascript_reuse_redirects_back_with_a_message(
    client, judged_pair, second_reviewer
):
    source, target = judged_pair
    client.force_login(second_reviewer)
    page = reverse("review:claim", args=[target.pk])

    response = client.post(
        reverse("review:reuse", args=[target.pk]),
        {"source_claim": source.pk, "judged": judge(target), "next": page},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == page
    assert "reused from another article" in response.content.decode()
    target.refresh_from_db()
    assert target.verdict == "verified"


@pytest.mark.django_db
def test_reusing_a_different_fact_is_a_conflict_and_changes_nothing(
    client, judged_pair, second_reviewer
):
    source, _ = judged_pair
    other = Claim.objects.get(text="The council vote was 6 to 2.")
    client.force_login(second_reviewer)

    response = client.post(
        reverse("review:reuse", args=[other.pk]),
        {"source_claim": source.pk, "judged": judge(other)},
        **HTMX,
    )

    assert response.status_code == 409
    assert "do not state the same fact" in response.content.decode()
    other.refresh_from_db()
    assert other.verdict == "pending"


@pytest.mark.django_db
@pytest.mark.parametrize("source_claim", ["", "abc", "999999999", "99999999999999999999999"])
def test_a_missing_or_bad_source_is_refused(client, judged_pair, second_reviewer, source_claim):
    _, target = judged_pair
    client.force_login(second_reviewer)

    response = client.post(
        reverse("review:reuse", args=[target.pk]),
        {"source_claim": source_claim, "judged": judge(target)},
        **HTMX,
    )

    assert response.status_code == 409
    target.refresh_from_db()
    assert target.verdict == "pending"


@pytest.mark.django_db
def test_reuse_is_refused_to_the_author_and_outsiders(
    client, judged_pair, other_editor, outsider, editor
):
    source, target = judged_pair
    for user, status in ((other_editor, 403), (outsider, 404), (editor, 404)):
        client.force_login(user)
        response = client.post(
            reverse("review:reuse", args=[target.pk]),
            {"source_claim": source.pk, "judged": judge(target)},
        )
        assert response.status_code == status, user
    target.refresh_from_db()
    assert target.verdict == "pending"


@pytest.mark.django_db
def test_reuse_needs_a_post_with_csrf(judged_pair, second_reviewer):
    from django.test import Client

    source, target = judged_pair
    client = Client(enforce_csrf_checks=True)
    client.force_login(second_reviewer)

    assert client.get(reverse("review:reuse", args=[target.pk])).status_code == 405
    assert (
        client.post(
            reverse("review:reuse", args=[target.pk]), {"source_claim": source.pk}
        ).status_code
        == 403
    )
    target.refresh_from_db()
    assert target.verdict == "pending"
