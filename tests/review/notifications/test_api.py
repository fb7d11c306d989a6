"""`/api/v1/notifications`: the caller's own notifications only (another user's id is a 404)."""

from __future__ import annotations

import pytest

from articles.models import ArticleEvent
from review.notifications.models import Notification
from tests.conftest import make_article
from tests.support.api import ids

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("api_settings")]


def notify(user, article, count: int) -> list[Notification]:
    rows = []
    for n in range(count):
        event = ArticleEvent.objects.create(article=article, kind="assigned", note=f"n{n}")
        rows.append(
            Notification(
                recipient=user, event=event, article=article, kind="assigned", reason=f"R{n}."
            )
        )
    return Notification.objects.bulk_create(rows)


@pytest.fixture
def notices(editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    Notification.objects.all().delete()
    mine = notify(reviewer, article, 3)
    theirs = notify(chief, article, 2)
    return mine, theirs


def test_the_list_is_the_callers_own_newest_first(api, reviewer, notices):
    mine, _ = notices
    response = api(reviewer).get("/api/v1/notifications")
    assert response.status_code == 200
    assert ids(response) == [n.pk for n in reversed(mine)]
    first = response.json()["results"][0]
    assert first["reason"] == "R2." and first["read"] is False
    assert first["url"].endswith(f"/articles/{mine[0].article_id}/")


def test_unread_filter_and_marking_read(api, reviewer, notices):
    mine, _ = notices
    client = api(reviewer)
    response = client.post(f"/api/v1/notifications/{mine[0].pk}/read")
    assert response.status_code == 200 and response.json()["read"] is True

    assert ids(client.get("/api/v1/notifications?unread=true")) == [mine[2].pk, mine[1].pk]
    assert ids(client.get("/api/v1/notifications?unread=false")) == [mine[0].pk]
    bad = client.get("/api/v1/notifications?unread=maybe")
    assert bad.status_code == 400 and "unread" in bad.json()["errors"]

    done = client.post("/api/v1/notifications/read-all")
    assert done.status_code == 200 and done.json() == {"marked": 2}
    assert not Notification.objects.filter(recipient=reviewer, read_at__isnull=True).exists()


def test_another_users_notification_is_not_found_and_stays_unread(api, reviewer, chief, notices):
    _, theirs = notices
    client = api(reviewer)
    assert client.post(f"/api/v1/notifications/{theirs[0].pk}/read").status_code == 404
    client.post("/api/v1/notifications/read-all")
    assert Notification.objects.filter(recipient=chief, read_at__isnull=True).count() == 2


def test_anonymous_callers_are_refused(client, notices):
    assert client.get("/api/v1/notifications").status_code == 401
