"""The API of scheduled publication and unpublishing: POST /api/v1/articles/{id}/schedule,
/cancel-schedule and /unpublish; 400 for bad input, 403 for the wrong person, 404 for an article
the caller may not see (IDOR), 409 for the wrong state or a closed gate; the ClaimReview export of
a withdrawn article; and the webhook `article.unpublished`."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleEvent
from integrations import services as integration_services
from integrations.models import WebhookDelivery, WebhookSubscription
from tests.conftest import make_article, ready_article

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_settings")]

URL = "/api/v1/articles/{pk}/{action}"


def future(hours: float = 2) -> str:
    return (timezone.now() + dt.timedelta(hours=hours)).isoformat()


def test_the_author_schedules_and_the_detail_shows_when(api, editor, reviewer):
    article = ready_article(editor, reviewer)
    at = timezone.now().replace(microsecond=0) + dt.timedelta(hours=3)
    paris = at.astimezone(dt.timezone(dt.timedelta(hours=1))).isoformat()

    response = api(editor).post(
        URL.format(pk=article.pk, action="schedule"), {"publish_at": paris}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert dt.datetime.fromisoformat(response.json()["publish_at"].replace("Z", "+00:00")) == at
    assert response.json()["status"] == "in_review"
    assert Article.objects.get(pk=article.pk).publish_at == at
    detail = api(editor).get(f"/api/v1/articles/{article.pk}").json()
    assert detail["publish_at"] == response.json()["publish_at"]


@pytest.mark.parametrize(
    ("publish_at", "message"),
    [
        ("2020-01-01T10:00:00+00:00", "The time must be in the future."),
        ("2099-01-01T10:00:00", "Give the time with its offset, e.g. +01:00 or Z."),
        ("tomorrow", None),
        ("", None),
    ],
)
def test_a_bad_time_is_a_400_naming_the_field(api, editor, reviewer, publish_at, message):
    article = ready_article(editor, reviewer)

    response = api(editor).post(
        URL.format(pk=article.pk, action="schedule"), {"publish_at": publish_at}, format="json"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]["publish_at"]
    if message:
        assert errors == [message]
    assert Article.objects.get(pk=article.pk).publish_at is None


def test_a_closed_gate_is_a_409_with_the_gate(api, editor):
    article = make_article(editor, status="in_review")

    response = api(editor).post(
        URL.format(pk=article.pk, action="schedule"), {"publish_at": future()}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("Cannot schedule yet: 5 of 5 claims pending")
    assert Article.objects.get(pk=article.pk).publish_at is None


def test_idor_another_editor_neither_finds_nor_schedules_an_article_in_review(
    api, editor, other_editor, reviewer
):
    article = ready_article(editor, reviewer)
    services.schedule_publication(article, by=editor, at=timezone.now() + dt.timedelta(hours=1))
    before = Article.objects.filter(pk=article.pk).values().get()

    for action, data in (("schedule", {"publish_at": future()}), ("cancel-schedule", {})):
        response = api(other_editor).post(
            URL.format(pk=article.pk, action=action), data, format="json"
        )
        assert response.status_code == 404
    response = api(reviewer).post(
        URL.format(pk=article.pk, action="cancel-schedule"), {}, format="json"
    )
    assert response.status_code == 403
    assert Article.objects.filter(pk=article.pk).values().get() == before


def test_cancel_schedule_then_nothing_to_cancel_is_a_409(api, editor, reviewer):
    article = ready_article(editor, reviewer)
    services.schedule_publication(article, by=editor, at=timezone.now() + dt.timedelta(hours=1))
    client = api(editor)

    first = client.post(URL.format(pk=article.pk, action="cancel-schedule"))
    second = client.post(URL.format(pk=article.pk, action="cancel-schedule"))

    assert first.status_code == 200 and first.json()["publish_at"] is None
    assert second.status_code == 409
    assert second.json()["detail"] == "This article has no scheduled publication."
    assert article.events.filter(kind=ArticleEvent.Kind.SCHEDULE_CANCELLED).count() == 1


def test_a_chief_unpublishes_and_the_claimreview_export_stops_listing_it(
    api, editor, chief, other_editor
):
    article = make_article(editor, status="published")
    export = f"/api/v1/articles/{article.pk}/claimreview"
    assert api(chief).get(export).status_code == 200
    assert api(other_editor).get(export).status_code == 200

    response = api(chief).post(
        URL.format(pk=article.pk, action="unpublish"),
        {"reason": "The source retracted the report."},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "withdrawn"
    history = response.json()["history"][-1]
    assert history["kind"] == "unpublished"
    assert history["note"] == "The source retracted the report."
    assert api(chief).get(export).status_code == 404
    assert api(editor).get(export).status_code == 404
    assert api(other_editor).get(export).status_code == 404
    assert api(other_editor).get(f"/api/v1/articles/{article.pk}").status_code == 404
    listed = api(other_editor).get("/api/v1/articles").json()["results"]
    assert article.pk not in [row["id"] for row in listed]


@pytest.mark.parametrize(
    ("data", "field"),
    [({}, "reason"), ({"reason": ""}, "reason"), ({"reason": "\u200b"}, "reason")],
)
def test_unpublish_without_a_visible_reason_is_a_400(api, editor, chief, data, field):
    article = make_article(editor, status="published")

    response = api(chief).post(URL.format(pk=article.pk, action="unpublish"), data, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


def test_the_author_may_not_unpublish(api, editor):
    article = make_article(editor, status="published")

    response = api(editor).post(
        URL.format(pk=article.pk, action="unpublish"), {"reason": "Typo."}, format="json"
    )

    assert response.status_code == 403
    assert response.json()["detail"] == "Only a chief editor can unpublish an article."
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED


def test_unpublishing_sends_article_unpublished_with_the_reason(editor, chief):
    WebhookSubscription.objects.create(
        name="partner",
        target_url="https://partner.example/hooks",
        events=[WebhookSubscription.Event.ARTICLE_UNPUBLISHED],
    )
    article = make_article(editor, status="published")

    services.unpublish_article(article, by=chief, reason="A court order.")
    integration_services.dispatch_webhook_events()

    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event_type == "article.unpublished"
    payload = json.loads(delivery.body)
    assert payload["type"] == "article.unpublished"
    assert payload["reason"] == "A court order."
    assert payload["actor"] == chief.get_username()
    assert payload["article"]["id"] == article.pk
    assert payload["article"]["status"] == "withdrawn"
    # The gate it was published with, rebuilt from the history: every claim verified.
    assert payload["article"]["gate"]["is_open"] is True
    assert payload["article"]["gate"]["reason"] == "All 5 claims verified."
