"""docs/permissions.md through the API: one request per cell of every table, so the API can never
do what the rules (and the browser UI) forbid. 404 → 404, 403 → 403, state → 409, ok → 2xx; a
refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles import permissions
from articles.models import Article
from review.conversations.models import Comment
from tests.conftest import make_user
from tests.support.verdicts import judge
from tests.test_permission_matrix import CELLS, build_article

pytestmark = pytest.mark.usefixtures("api_settings")

STATUS = {"404": 404, "403": 403, "state": 409}


def request_for(action: str, client, article: Article):
    url = f"/api/v1/articles/{article.pk}"
    if action == "view":
        return client.get(url)
    if action == "edit":
        return client.patch(url, {"title": "A new headline"}, format="json")
    if action == "submit":
        return client.post(f"{url}/submit")
    if action == "return to draft":
        return client.post(f"{url}/return-to-draft")
    if action == "verdict":
        claim = article.claims.active().first()
        return client.post(
            f"/api/v1/claims/{claim.pk}/verdict",
            {"judged": judge(claim), "verdict": "verified", "note": "Seen the filing."},
            format="json",
        )
    if action in ("comment", "ask the author"):
        claim = article.claims.active().first()
        return client.post(
            f"/api/v1/claims/{claim.pk}/comments",
            {"body": "A word on this.", "question": action == "ask the author"},
            format="json",
        )
    if action == "resolve a question":
        question = Comment.objects.get(article=article, is_question=True)
        return client.post(
            f"/api/v1/claims/{question.claim_id}/comments/{question.pk}/resolve", {}, format="json"
        )
    if action == "publish":
        return client.post(f"{url}/publish")
    if action == "override":
        return client.post(f"{url}/override", {"reason": "The claim is minor."}, format="json")
    if action == "schedule":
        at = (timezone.now() + dt.timedelta(hours=2)).isoformat()
        return client.post(f"{url}/schedule", {"publish_at": at}, format="json")
    if action == "cancel schedule":
        return client.post(f"{url}/cancel-schedule")
    if action == "publish correction":
        return client.post(
            f"{url}/publish-correction", {"note": "The vote count was 6 to 3."}, format="json"
        )
    if action == "unpublish":
        return client.post(
            f"{url}/unpublish", {"reason": "The source withdrew the report."}, format="json"
        )
    raise AssertionError(f"unknown action {action}")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("action", "actor", "state", "expected"), CELLS, ids=lambda v: str(v).replace(" ", "_")
)
def test_permission_matrix_cell_through_the_api(api, action, actor, state, expected):
    editor = make_user("author", permissions.EDITOR)
    author_reviewer = make_user("author-reviewer", permissions.EDITOR, permissions.REVIEWER)
    actors = {
        "author": editor,
        "other editor": make_user("other-editor", permissions.EDITOR),
        "reviewer": make_user("reviewer", permissions.REVIEWER),
        "author-reviewer": author_reviewer,
        "chief": make_user("chief", permissions.CHIEF),
        "outsider": make_user("outsider"),
    }
    article = build_article(
        action, state, author_reviewer if actor == "author-reviewer" else editor
    )
    before = Article.objects.filter(pk=article.pk).values().get()
    verdicts_before = list(article.claims.values_list("pk", "verdict"))
    comments_before = list(Comment.objects.values("pk", "body", "question_state"))

    response = request_for(action, api(actors[actor]), article)

    if expected == "ok":
        assert 200 <= response.status_code < 300, response.json()
    else:
        assert response.status_code == STATUS[expected], response.json()
        assert "detail" in response.json()
        assert Article.objects.filter(pk=article.pk).values().get() == before
        assert list(article.claims.values_list("pk", "verdict")) == verdicts_before
        assert list(Comment.objects.values("pk", "body", "question_state")) == comments_before
