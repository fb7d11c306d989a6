"""Claim intelligence through the API: reuse suggestions and the reuse action, and the review
queue ordered by check-worthiness."""

from __future__ import annotations

import pytest

from articles.models import ArticleEvent, Claim
from tests.conftest import make_article
from tests.support.verdicts import judge

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]


def test_suggestions_list_the_verdict_with_its_provenance(api, judged_pair, second_reviewer):
    source, target = judged_pair

    response = api(second_reviewer).get(f"/api/v1/claims/{target.pk}/suggestions")

    assert response.status_code == 200
    [suggestion] = response.json()
    assert suggestion["source"] == source.pk and suggestion["exact"] is True
    assert suggestion["article_title"] == "Ferry budget approved"
    assert (suggestion["verdict"], suggestion["reviewed_by"]) == ("verified", "reviewer")
    assert suggestion["evidence_url"] == "https://example.org/minutes"


def test_suggestions_of_an_invisible_claim_are_404(api, judged_pair, editor):
    _, target = judged_pair  # another editor's article in review: not visible to `editor`

    assert api(editor).get(f"/api/v1/claims/{target.pk}/suggestions").status_code == 404


def test_reuse_records_the_callers_verdict_linked_to_its_source(api, judged_pair, second_reviewer):
    source, target = judged_pair

    response = api(second_reviewer).post(
        f"/api/v1/claims/{target.pk}/reuse",
        {"source": source.pk, "judged": judge(target)},
        format="json",
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["verdict"], data["reviewed_by"]) == ("verified", "second_reviewer")
    assert data["evidence_url"] == "https://example.org/minutes"
    event = ArticleEvent.objects.get(claim=target, kind="verdict")
    assert event.source_claim_id == source.pk and event.actor.username == "second_reviewer"


@pytest.mark.parametrize(
    "body", [{}, {"source": "x"}, {"source": 0}, {"source": 10**30}, {"source": 999999}]
)
def test_a_bad_source_is_400_and_changes_nothing(api, judged_pair, second_reviewer, body):
    _, target = judged_pair

    response = api(second_reviewer).post(
        f"/api/v1/claims/{target.pk}/reuse", {**body, "judged": judge(target)}, format="json"
    )

    assert response.status_code == 400
    assert (
        "source" in response.json()["errors"]
        if "errors" in response.json()
        else "source" in response.json()
    )
    target.refresh_from_db()
    assert target.verdict == "pending"


def test_reuse_across_a_changed_fact_is_409(api, judged_pair, second_reviewer):
    source, _ = judged_pair
    other = Claim.objects.get(text="The council vote was 6 to 2.")

    response = api(second_reviewer).post(
        f"/api/v1/claims/{other.pk}/reuse",
        {"source": source.pk, "judged": judge(other)},
        format="json",
    )

    assert response.status_code == 409
    assert "same fact" in response.json()["detail"]
    other.refresh_from_db()
    assert other.verdict == "pending"


def test_the_author_cannot_reuse_on_their_own_article(api, judged_pair, other_editor):
    source, target = judged_pair

    response = api(other_editor).post(
        f"/api/v1/claims/{target.pk}/reuse",
        {"source": source.pk, "judged": judge(target)},
        format="json",
    )

    assert response.status_code == 403
    target.refresh_from_db()
    assert target.verdict == "pending"


def test_the_queue_can_be_ordered_by_check_worthiness(api, editor, other_editor, reviewer):
    older = make_article(editor, title="Older", status="in_review")
    newer = make_article(other_editor, title="Newer", status="in_review")
    Claim.objects.filter(article=older).update(checkworthiness=0.2, checkworthiness_model="t")
    Claim.objects.filter(article=older, ordinal=3).update(checkworthiness=0.3)
    Claim.objects.filter(article=newer, ordinal=2).update(
        checkworthiness=0.9, checkworthiness_model="t"
    )

    default = api(reviewer).get("/api/v1/review-queue").json()["results"]
    ordered = (
        api(reviewer)
        .get("/api/v1/review-queue", {"ordering": "-checkworthiness"})
        .json()["results"]
    )

    assert [item["article"]["title"] for item in default] == ["Older", "Newer"]
    assert [item["article"]["title"] for item in ordered] == ["Newer", "Older"]
    assert [c["ordinal"] for c in ordered[0]["claims"]] == [2, 0, 1, 3, 4]  # unscored last
    assert [c["ordinal"] for c in ordered[1]["claims"]] == [3, 0, 1, 2, 4]


@pytest.mark.parametrize("ordering", ["title", "", "-checkworthiness,title"])
def test_an_unknown_or_empty_queue_ordering_is_400(api, reviewer, ordering):
    response = api(reviewer).get("/api/v1/review-queue", {"ordering": ordering})

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "ordering": ["Choose one of: submitted_at, -checkworthiness."]
    }


def test_claims_carry_their_score_model_and_provenance(api, judged_pair, second_reviewer):
    source, target = judged_pair
    api(second_reviewer).post(
        f"/api/v1/claims/{target.pk}/reuse",
        {"source": source.pk, "judged": judge(target)},
        format="json",
    )
    target.refresh_from_db()

    data = api(second_reviewer).get(f"/api/v1/claims/{target.pk}").json()

    assert data["checkworthiness"] == pytest.approx(target.checkworthiness)
    assert 0 <= data["checkworthiness"] <= 1
    assert data["checkworthiness_model"] == target.checkworthiness_model != ""
    assert data["reused_from"] == source.pk
