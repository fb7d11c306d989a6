"""The review API: verdicts (four-eyes, rules, read-only fields), publishing and the chief editor's
override (the gate as 409 with its numbers), the caller's review queue (pinned queries), and the
schema.org ClaimReview export."""

from __future__ import annotations

import pytest

from articles import permissions
from articles.models import Article, ArticleEvent, Claim
from review import services as review_services
from tests.conftest import STORY_CLAIMS, make_article, make_user
from tests.support.verdicts import judge

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]


def verdict_url(claim: Claim) -> str:
    return f"/api/v1/claims/{claim.pk}/verdict"


def verify_all(article: Article, reviewer) -> None:
    for claim in article.claims.active():
        review_services.record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Checked."
        )


# --- Verdicts -----------------------------------------------------------------------------------


def test_a_reviewer_records_a_verdict_and_the_history_keeps_it(api, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()

    response = api(reviewer).post(
        verdict_url(claim),
        {
            "judged": judge(claim),
            "verdict": "verified",
            "evidence_url": "https://example.org/minutes",
        },
        format="json",
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["verdict"], data["reviewed_by"], data["evidence_url"]) == (
        "verified",
        "reviewer",
        "https://example.org/minutes",
    )
    claim.refresh_from_db()
    assert (claim.verdict, claim.reviewed_by) == ("verified", reviewer)
    event = article.events.get(kind=ArticleEvent.Kind.VERDICT)
    assert (event.claim, event.actor, event.from_state, event.to_state) == (
        claim,
        reviewer,
        "pending",
        "verified",
    )


def test_a_reviewer_cannot_judge_claims_of_an_article_they_wrote(api, editor_reviewer, reviewer):
    own = make_article(editor_reviewer, title="Own", status="in_review")
    claim = own.claims.active().first()

    refused = api(editor_reviewer).post(
        verdict_url(claim),
        {"judged": judge(claim), "verdict": "verified", "note": "Mine."},
        format="json",
    )
    allowed = api(reviewer).post(
        verdict_url(claim),
        {"judged": judge(claim), "verdict": "verified", "note": "Theirs."},
        format="json",
    )

    assert refused.status_code == 403
    assert refused.json() == {"detail": "You cannot judge claims of an article you wrote."}
    assert allowed.status_code == 200
    assert ArticleEvent.objects.filter(kind="verdict").count() == 1


@pytest.mark.parametrize("persona", ["editor", "chief", "outsider"])
def test_only_reviewers_record_verdicts(api, editor, persona, request):
    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()
    user = request.getfixturevalue(persona)

    response = api(user).post(
        verdict_url(claim),
        {"judged": judge(claim), "verdict": "verified", "note": "Fine."},
        format="json",
    )

    # The outsider cannot see an article in review at all.
    assert response.status_code == (404 if persona == "outsider" else 403)
    claim.refresh_from_db()
    assert claim.verdict == "pending"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"verdict": "verified"}, "note"),
        ({"verdict": "unverified", "evidence_url": "https://example.org"}, "note"),
        ({"verdict": "pending"}, "verdict"),
        ({"verdict": "verified", "evidence_url": "ftp://example.org/x"}, "evidence_url"),
        ({"verdict": "verified", "note": "x", "reviewed_by": 1}, "reviewed_by"),
        ({"note": "No verdict."}, "verdict"),
        ({"verdict": ["verified"], "note": "x"}, "verdict"),
    ],
)
def test_verdict_rules_are_400_with_the_field(api, editor, reviewer, payload, field):
    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()

    response = api(reviewer).post(
        verdict_url(claim), {**payload, "judged": judge(claim)}, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["errors"]
    claim.refresh_from_db()
    assert claim.verdict == "pending" and not ArticleEvent.objects.filter(kind="verdict").exists()


def test_a_verdict_outside_review_is_a_409(api, editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()
    from articles import services

    services.return_to_draft(article, by=editor)
    services.submit_article(article, by=editor)

    response = api(reviewer).post(
        verdict_url(claim),
        {"judged": judge(claim), "verdict": "verified", "note": "x"},
        format="json",
    )

    assert response.status_code == 409
    assert response.json() == {
        "detail": "Verdicts can only be recorded while the article is in review (it is submitted)."
    }


def test_a_claim_of_another_editors_draft_is_not_found(api, editor, other_editor, reviewer):
    article = make_article(other_editor, status="in_review")
    claim = article.claims.active().first()
    from articles import services

    services.return_to_draft(article, by=other_editor)

    assert (
        api(editor)
        .post(
            verdict_url(claim),
            {"judged": judge(claim), "verdict": "verified", "note": "x"},
            format="json",
        )
        .status_code
        == 404
    )
    assert (
        api(reviewer)
        .post(
            verdict_url(claim),
            {"judged": judge(claim), "verdict": "verified", "note": "x"},
            format="json",
        )
        .status_code
        == 404
    )


# --- Publishing ---------------------------------------------------------------------------------


def test_publishing_with_pending_claims_is_a_409_with_the_gate(api, editor, reviewer):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.active())
    review_services.record_verdict(
        claims[0], judged=judge(claims[0]), by=reviewer, verdict="unverified", note="No source."
    )

    response = api(editor).post(f"/api/v1/articles/{article.pk}/publish")

    assert response.status_code == 409
    assert response.json() == {
        "detail": f"Cannot publish yet: {STORY_CLAIMS - 1} of {STORY_CLAIMS} claims pending, 1 unverified.",
        "gate": {"total": STORY_CLAIMS, "pending": STORY_CLAIMS - 1, "unverified": 1},
    }
    article.refresh_from_db()
    assert article.status == "in_review"


def test_the_author_publishes_once_every_claim_is_verified(api, editor, reviewer):
    article = make_article(editor, status="in_review")
    verify_all(article, reviewer)

    response = api(editor).post(f"/api/v1/articles/{article.pk}/publish")

    assert response.status_code == 200
    assert response.json()["status"] == "published" and response.json()["gate"]["is_open"]
    article.refresh_from_db()
    assert article.status == "published" and article.published_at is not None
    assert article.events.last().to_state == "published"


def test_another_editor_cannot_publish_and_a_second_publish_is_a_409(
    api, editor, other_editor, reviewer
):
    article = make_article(editor, status="in_review")
    verify_all(article, reviewer)

    hidden = api(other_editor).post(f"/api/v1/articles/{article.pk}/publish")
    api(editor).post(f"/api/v1/articles/{article.pk}/publish")
    again = api(editor).post(f"/api/v1/articles/{article.pk}/publish")
    foreign = api(other_editor).post(f"/api/v1/articles/{article.pk}/publish")

    assert hidden.status_code == 404  # in review, not theirs: they cannot see it
    assert again.status_code == 409 and again.json() == {
        "detail": "This article is already published."
    }
    assert foreign.status_code == 403  # published: visible, but not theirs to publish
    assert article.events.filter(to_state="published").count() == 1


def override_setup(editor, reviewer) -> Article:
    article = make_article(editor, status="in_review")
    verify_all(article, reviewer)
    claim = article.claims.active().first()
    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="unverified", note="Source withdrew."
    )
    return article


def test_a_chief_editor_publishes_over_unverified_claims_with_a_reason(
    api, editor, reviewer, chief
):
    article = override_setup(editor, reviewer)

    response = api(chief).post(
        f"/api/v1/articles/{article.pk}/override", {"reason": "The claim is minor."}, format="json"
    )

    assert response.status_code == 200 and response.json()["status"] == "published"
    override = article.events.get(kind=ArticleEvent.Kind.OVERRIDE)
    assert override.actor == chief
    assert override.note == "Published over 1 unverified claim(s): The claim is minor."


def test_the_author_cannot_override_and_an_override_needs_a_reason(api, editor, reviewer, chief):
    article = override_setup(editor, reviewer)

    by_author = api(editor).post(
        f"/api/v1/articles/{article.pk}/override", {"reason": "Please."}, format="json"
    )
    no_reason = api(chief).post(
        f"/api/v1/articles/{article.pk}/override", {"reason": " "}, format="json"
    )
    plain_publish = api(chief).post(f"/api/v1/articles/{article.pk}/publish")

    assert by_author.status_code == 403
    assert by_author.json() == {"detail": "Only a chief editor can publish over unverified claims."}
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["errors"]
    assert plain_publish.status_code == 409 and plain_publish.json()["gate"]["unverified"] == 1
    article.refresh_from_db()
    assert article.status == "in_review" and not article.events.filter(kind="override").exists()


def test_pending_claims_can_never_be_overridden(api, editor, chief):
    article = make_article(editor, status="in_review")

    response = api(chief).post(
        f"/api/v1/articles/{article.pk}/override", {"reason": "Rush."}, format="json"
    )

    assert response.status_code == 409
    assert response.json()["gate"] == {
        "total": STORY_CLAIMS,
        "pending": STORY_CLAIMS,
        "unverified": 0,
    }


# --- Review queue -------------------------------------------------------------------------------


def test_the_queue_lists_articles_with_claims_awaiting_the_caller_oldest_first(
    api, editor, editor_reviewer, reviewer
):
    first = make_article(editor, title="First", status="in_review")
    second = make_article(editor, title="Second", status="in_review")
    own = make_article(editor_reviewer, title="Own", status="in_review")
    make_article(editor, title="Draft")
    judged = first.claims.active().first()
    review_services.record_verdict(
        judged, judged=judge(judged), by=reviewer, verdict="verified", note="Seen."
    )

    response = api(editor_reviewer).get("/api/v1/review-queue")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["article"]["id"] for row in rows] == [first.pk, second.pk]
    assert own.pk not in [row["article"]["id"] for row in rows]  # four-eyes
    assert len(rows[0]["claims"]) == STORY_CLAIMS - 1
    assert judged.pk not in [c["id"] for c in rows[0]["claims"]]
    assert rows[0]["article"]["gate"]["verified"] == 1


@pytest.mark.parametrize("persona", ["editor", "chief", "outsider"])
def test_the_queue_is_for_reviewers(api, persona, request):
    response = api(request.getfixturevalue(persona)).get("/api/v1/review-queue")

    assert response.status_code == 403
    assert response.json() == {"detail": "The review queue is for reviewers."}


@pytest.mark.parametrize("articles", [1, 12])
@pytest.mark.django_db(transaction=True)  # committed: PostgreSQL caches only committed data
@pytest.mark.usefixtures("messages_reach_no_worker")  # no worker writes meanwhile
@pytest.mark.postgres
def test_the_queue_costs_the_same_queries_for_one_and_many_articles(
    api, editor, reviewer, articles, django_assert_num_queries
):
    for i in range(articles):
        make_article(editor, title=f"A{i}", status="in_review")
    client = api(reviewer)
    client.get("/api/v1/review-queue")

    # 1 the data version (the token, its user and roles are remembered), 2 count, 3 the page,
    # 4 the awaiting claims, 5 the gate counts
    with django_assert_num_queries(5):
        response = client.get("/api/v1/review-queue")
    assert response.json()["count"] == articles


# --- ClaimReview --------------------------------------------------------------------------------


def test_claimreview_exports_the_reviewed_claims_as_schema_org_json_ld(
    api, editor, reviewer, chief, settings
):
    settings.NEWSROOM_ORGANIZATION_NAME = "Harbor Daily"
    settings.NEWSROOM_ORGANIZATION_URL = "https://harbor.example"
    article = override_setup(editor, reviewer)
    api(chief).post(f"/api/v1/articles/{article.pk}/override", {"reason": "Minor."}, format="json")
    article.refresh_from_db()

    response = api(editor).get(f"/api/v1/articles/{article.pk}/claimreview")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = response.json()
    assert document["@context"] == "https://schema.org"
    reviews = document["@graph"]
    assert len(reviews) == STORY_CLAIMS
    claims = list(article.claims.active().order_by("ordinal"))
    first = reviews[0]
    page = f"http://testserver/articles/{article.pk}/"
    appearance = {
        "@type": "NewsArticle",
        "headline": article.title,
        "url": page,
        "datePublished": article.published_at.date().isoformat(),
    }
    assert first == {
        "@type": "ClaimReview",
        "claimReviewed": claims[0].text,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 1,
            "bestRating": 2,
            "worstRating": 1,
            "alternateName": "Unverified",
        },
        "author": {
            "@type": "Organization",
            "name": "Harbor Daily",
            "url": "https://harbor.example",
        },
        "datePublished": claims[0].reviewed_at.date().isoformat(),
        "url": page,
        "itemReviewed": {"@type": "Claim", "appearance": appearance, "firstAppearance": appearance},
    }
    assert {r["reviewRating"]["alternateName"] for r in reviews[1:]} == {"Verified"}


def test_claimreview_leaves_out_pending_claims_and_hides_invisible_articles(
    api, editor, other_editor, reviewer
):
    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()
    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="verified", note="Seen."
    )

    mine = api(editor).get(f"/api/v1/articles/{article.pk}/claimreview")
    theirs = api(other_editor).get(f"/api/v1/articles/{article.pk}/claimreview")

    assert [r["claimReviewed"] for r in mine.json()["@graph"]] == [claim.text]
    # Not published yet: the appearance carries the dateline.
    assert mine.json()["@graph"][0]["itemReviewed"]["appearance"]["datePublished"] == "2025-02-03"
    assert theirs.status_code == 404


def test_a_reviewer_without_an_editor_role_may_see_but_not_publish(api, editor, reviewer):
    article = make_article(editor, status="in_review")
    verify_all(article, make_user("second", permissions.REVIEWER))

    response = api(reviewer).post(f"/api/v1/articles/{article.pk}/publish")

    assert response.status_code == 403
    assert response.json() == {"detail": "You may not publish this article."}
