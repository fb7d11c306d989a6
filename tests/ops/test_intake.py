"""Intake from feeds: per-token write limits and the bulk create endpoint."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from articles.models import Article, ArticleEvent, ExtractionJob
from integrations import services
from integrations.models import ApiToken
from tests.conftest import STORY

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles"
BULK = "/api/v1/articles/bulk"


def client_with(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def token(user, *, write_rate: str = "") -> str:
    row, raw = services.create_api_token(user=user, name="wire feed")
    ApiToken.objects.filter(pk=row.pk).update(write_rate=write_rate)
    return raw


def post_many(client: APIClient, count: int) -> list[int]:
    return [
        client.post(LIST, {"title": f"T{i}", "body": "B."}, format="json").status_code
        for i in range(count)
    ]


def test_a_token_with_its_own_rate_is_limited_by_it_and_not_by_the_users(editor, settings):
    settings.API_WRITE_RATE = "2/min"
    feed = client_with(token(editor, write_rate="5/min"))
    person = client_with(token(editor))

    assert post_many(feed, 6) == [201, 201, 201, 201, 201, 429]
    # The user's own limit is counted apart from the feed's.
    assert post_many(person, 3) == [201, 201, 429]
    assert Article.objects.count() == 7


def test_a_bad_write_rate_is_refused_by_the_model_validation(editor):
    row, _ = services.create_api_token(user=editor, name="feed")
    row.write_rate = "lots"

    with pytest.raises(Exception) as error:
        row.full_clean()

    assert "write_rate" in str(error.value)


def test_bulk_creates_and_submits_every_article_in_one_request(editor, messages_reach_no_worker):
    client = client_with(token(editor))
    items = [{"title": f"Story {i}", "body": STORY} for i in range(3)]

    response = client.post(BULK, {"articles": items, "submit": True}, format="json")

    assert response.status_code == 201, response.json()
    created = response.json()["articles"]
    assert [row["status"] for row in created] == ["submitted"] * 3
    articles = Article.objects.filter(pk__in=[row["id"] for row in created])
    assert sorted(a.title for a in articles) == ["Story 0", "Story 1", "Story 2"]
    assert {a.status for a in articles} == {"submitted"}
    assert ExtractionJob.objects.filter(article__in=articles, state="pending").count() == 3
    assert (
        ArticleEvent.objects.filter(
            article__in=articles, kind="status", to_state="submitted"
        ).count()
        == 3
    )
    assert created[0]["url"] == f"/api/v1/articles/{created[0]['id']}"


def test_bulk_without_submit_leaves_drafts_and_accepts_html(editor):
    client = client_with(token(editor))
    items = [{"title": "Plain", "body": "One."}, {"title": "Html", "html": "<p>Two.</p>"}]

    response = client.post(BULK, {"articles": items}, format="json")

    assert response.status_code == 201
    assert [a.status for a in Article.objects.order_by("pk")] == ["draft", "draft"]
    assert Article.objects.get(title="Html").body.strip() == "Two."


def test_one_bad_item_refuses_the_whole_batch_naming_it(editor):
    client = client_with(token(editor))
    items = [{"title": "Good", "body": "One."}, {"title": "Bad", "body": "x\x00y"}, {"title": "X"}]

    response = client.post(BULK, {"articles": items, "submit": True}, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert sorted(errors) == ["articles.1.body", "articles.2.body"]  # the good item has none
    # The same rule and message as a single create: the control character and its line.
    assert errors["articles.1.body"] == [
        "Contains a control character (U+0000) on line 1; remove it."
    ]
    assert Article.objects.count() == 0


def test_bulk_refuses_an_empty_or_oversized_batch(editor, settings):
    client = client_with(token(editor))
    too_many = [{"title": f"T{i}", "body": "B."} for i in range(settings.API_BULK_MAX_ARTICLES + 1)]

    empty = client.post(BULK, {"articles": [], "submit": {}}, format="json")
    assert empty.status_code == 400
    assert empty.json()["errors"] == {
        "articles": ["This list may not be empty."],
        "submit": ["Must be a valid boolean."],
    }
    assert client.post(BULK, {"articles": too_many}, format="json").status_code == 400
    assert client.post(BULK, {"articles": "nope"}, format="json").status_code == 400
    assert Article.objects.count() == 0


def test_only_editors_may_bulk_create_and_anonymous_callers_are_401(reviewer, editor):
    items = [{"title": "T", "body": "B."}]

    denied = client_with(token(reviewer)).post(BULK, {"articles": items}, format="json")
    anonymous = APIClient().post(BULK, {"articles": items}, format="json")

    assert denied.status_code == 403
    assert anonymous.status_code == 401
    assert Article.objects.count() == 0


def test_a_retried_batch_with_the_same_idempotency_key_creates_nothing_more(editor):
    client = client_with(token(editor))
    body = {"articles": [{"title": "T", "body": "B."}]}

    first = client.post(BULK, body, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    again = client.post(BULK, body, format="json", HTTP_IDEMPOTENCY_KEY="batch-1")
    other = client.post(
        BULK,
        {"articles": [{"title": "U", "body": "B."}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="batch-1",
    )

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert other.status_code == 422
    assert Article.objects.count() == 1
