"""The gate block's scheduled publication and unpublishing, through the HTML views: the forms in
the user's time zone, form errors as the page's message (never a 500), 404 for an article the
user may not see, and what the article page and the dashboard show afterwards."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import services
from articles.models import Article, ArticleEvent, Profile
from tests.conftest import make_article, ready_article

pytestmark = pytest.mark.django_db

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def test_the_author_schedules_in_their_time_zone_and_the_page_says_when(client, editor, reviewer):
    article = ready_article(editor, reviewer)
    Profile.objects.create(user=editor, time_zone="Europe/Paris")
    client.force_login(editor)
    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    assert "Publish at (Europe/Paris time)" in page
    local = (
        (timezone.now() + dt.timedelta(days=2)).astimezone(PARIS).replace(second=0, microsecond=0)
    )

    response = client.post(
        reverse("review:schedule", args=[article.pk]),
        {"publish_at": local.strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )

    page = response.content.decode()
    assert "Publication scheduled." in page
    article.refresh_from_db()
    assert article.publish_at == local
    shown = f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"
    assert f'Scheduled for <time datetime="{local.isoformat()}">{shown}</time>' in page
    assert "Cancel the scheduled publication" in page
    # The timeline names the time in the reader's zone too (stored in UTC).
    assert f'<div class="event-note">For {shown}</div>' in page
    dashboard = client.get(reverse("articles:dashboard")).content.decode()
    assert f'Scheduled for <time datetime="{local.isoformat()}">{shown}</time>' in dashboard


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2020-01-01T10:00", "The time must be in the future."),
        ("", "Give the date and time of publication."),
        ("not a time", "Enter a valid date/time."),
    ],
)
def test_a_bad_time_is_a_message_and_nothing_is_scheduled(client, editor, reviewer, value, message):
    article = ready_article(editor, reviewer)
    client.force_login(editor)

    response = client.post(
        reverse("review:schedule", args=[article.pk]), {"publish_at": value}, follow=True
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Article.objects.get(pk=article.pk).publish_at is None


def test_the_schedule_form_shows_only_while_the_gate_is_open(client, editor):
    article = make_article(editor, status="in_review")
    client.force_login(editor)

    page = client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    response = client.post(
        reverse("review:schedule", args=[article.pk]),
        {"publish_at": (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
        follow=True,
    )

    assert "Schedule publication" not in page
    assert "Cannot schedule yet: 5 of 5 claims pending." in response.content.decode()
    assert Article.objects.get(pk=article.pk).publish_at is None


def test_cancel_from_the_page(client, editor, reviewer):
    article = ready_article(editor, reviewer)
    services.schedule_publication(article, by=editor, at=timezone.now() + dt.timedelta(hours=1))
    client.force_login(editor)

    response = client.post(reverse("review:cancel_schedule", args=[article.pk]), follow=True)

    assert "Scheduled publication cancelled." in response.content.decode()
    assert Article.objects.get(pk=article.pk).publish_at is None
    assert article.events.filter(kind=ArticleEvent.Kind.SCHEDULE_CANCELLED).count() == 1


def test_idor_another_editor_gets_404_and_changes_nothing(client, editor, other_editor, reviewer):
    article = ready_article(editor, reviewer)
    services.schedule_publication(article, by=editor, at=timezone.now() + dt.timedelta(hours=1))
    client.force_login(other_editor)
    at = (timezone.now() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")

    assert (
        client.post(reverse("review:schedule", args=[article.pk]), {"publish_at": at}).status_code
        == 404
    )
    assert client.post(reverse("review:cancel_schedule", args=[article.pk])).status_code == 404
    assert (
        client.post(reverse("review:unpublish", args=[article.pk]), {"reason": "x"}).status_code
        == 404
    )
    assert Article.objects.get(pk=article.pk).publish_at is not None


def test_a_chief_unpublishes_with_a_reason_and_the_page_shows_it_withdrawn(
    client, editor, chief, other_editor
):
    article = make_article(editor, status="published")
    client.force_login(editor)
    assert (
        "Unpublish"
        not in client.get(reverse("articles:detail", args=[article.pk])).content.decode()
    )
    assert (
        client.post(reverse("review:unpublish", args=[article.pk]), {"reason": "Mine."}).status_code
        == 403
    )
    client.force_login(chief)

    empty = client.post(
        reverse("review:unpublish", args=[article.pk]), {"reason": " "}, follow=True
    )
    assert "Give the reason for unpublishing." in empty.content.decode()
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
    response = client.post(
        reverse("review:unpublish", args=[article.pk]),
        {"reason": "The council <b>withdrew</b> the budget."},
        follow=True,
    )

    page = response.content.decode()
    assert "Unpublished: the article is withdrawn." in page
    assert "Withdrawn" in page
    assert "The council &lt;b&gt;withdrew&lt;/b&gt; the budget." in page
    assert Article.objects.get(pk=article.pk).status == Article.Status.WITHDRAWN
    client.force_login(editor)
    dashboard = client.get(reverse("articles:dashboard")).content.decode()
    assert 'My withdrawn articles <span class="count">(1)</span>' in dashboard
    assert f'href="/articles/{article.pk}/"' in dashboard
    client.force_login(other_editor)
    assert client.get(reverse("articles:detail", args=[article.pk])).status_code == 404
