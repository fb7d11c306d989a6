"""The in-app side: the bell, /notifications/ (mark read, mark all read, only one's own), the
preferences page, the signed unsubscribe link, and the digest hour in each user's time zone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from articles import permissions
from articles.models import ArticleEvent, Profile
from review import services as review_services
from review.notifications import services
from review.notifications.models import EmailMessageLog, Notification, NotificationPreference
from tests.conftest import make_article, make_user

pytestmark = pytest.mark.django_db


def notify(user, article, count: int, *, kind: str = "assigned") -> list[Notification]:
    """`count` notifications of `user` about `article` (as the fan-out writes them)."""
    event = ArticleEvent.objects.filter(article=article).first()
    rows = []
    for n in range(count):
        event = ArticleEvent.objects.create(article=article, kind="assigned", note=f"n{n}")
        rows.append(
            Notification(
                recipient=user, event=event, article=article, kind=kind, reason=f"Reason {n}."
            )
        )
    return Notification.objects.bulk_create(rows)


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_the_bell_shows_the_unread_count(signed_in, editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    review_services.assign_article(article, reviewer=reviewer, by=chief)
    client = signed_in(reviewer)

    page = client.get(reverse("articles:dashboard")).content.decode()
    assert f'hx-get="{reverse("notifications:bell")}"' in page
    assert 'hx-trigger="load, every 15s"' in page
    bell = client.get(reverse("notifications:bell")).content.decode()
    assert 'data-unread="2"' in bell  # entered review, then assigned


@pytest.mark.parametrize("count", [1, 50])
def test_bell_and_page_cost_the_same_queries_for_1_and_50(
    signed_in, django_assert_num_queries, editor, reviewer, count
):
    article = make_article(editor, status="in_review")
    Notification.objects.all().delete()
    notify(reviewer, article, count)
    client = signed_in(reviewer)
    client.get(reverse("notifications:list"))  # the session's first read warms up

    # session, user, count
    with django_assert_num_queries(3):
        response = client.get(reverse("notifications:bell"))
    assert f'data-unread="{count}"' in response.content.decode()
    # session, user, paginator count, page rows, unread count, groups (the header's nav)
    with django_assert_num_queries(6):
        response = client.get(reverse("notifications:list"))
    assert response.content.decode().count('class="notification notification-unread"') == min(
        count, 25
    )


def test_the_page_lists_newest_first_with_links_and_marks_read(signed_in, editor, reviewer):
    article = make_article(editor, status="in_review")
    Notification.objects.all().delete()
    first, second = notify(reviewer, article, 2)
    Notification.objects.filter(pk=first.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    client = signed_in(reviewer)

    page = client.get(reverse("notifications:list")).content.decode()
    assert page.index("Reason 1.") < page.index("Reason 0.")
    assert f'href="/articles/{article.pk}/"' in page

    response = client.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None

    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(recipient=reviewer, read_at__isnull=True).exists()


def test_nobody_marks_or_sees_another_users_notifications(signed_in, editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    Notification.objects.all().delete()
    [theirs] = notify(reviewer, article, 1)
    client = signed_in(chief)

    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Reason 0." not in client.get(reverse("notifications:list")).content.decode()


def test_marking_read_needs_a_post_with_csrf(editor, reviewer):
    from django.test import Client

    article = make_article(editor, status="in_review")
    [mine] = notify(reviewer, article, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer)
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405
    assert client.post(reverse("notifications:read", args=[mine.pk])).status_code == 403
    mine.refresh_from_db()
    assert mine.read_at is None


def test_anonymous_users_are_sent_to_sign_in_and_the_bell_stays_quiet(client):
    for name in ("notifications:list", "notifications:settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # The bell polls from a page whose session may have ended: nothing to swap in.
    response = client.get(reverse("notifications:bell"))
    assert response.status_code == 204 and response.content == b""


def test_preferences_page_saves_a_channel_per_kind(signed_in, reviewer):
    client = signed_in(reviewer)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert page.count(" checked") == 11  # every kind on its default, digest
    assert page.count('value="digest"') == 11
    data = {
        "assigned": "immediate",
        "entered_review": "off",
        "unverified": "in_app",
        "gate_opened": "digest",
        "published": "digest",
        "published_override": "digest",
        "schedule_failed": "digest",
        "unpublished": "digest",
        "question": "digest",
        "mention": "digest",
        "answer": "digest",
    }
    response = client.post(reverse("notifications:settings"), data)
    assert response.status_code == 302
    assert services.preferences_of(reviewer) == data
    assert dict(
        NotificationPreference.objects.filter(user=reviewer).values_list("kind", "channel")
    ) == {"assigned": "immediate", "entered_review": "off", "unverified": "in_app"}

    bad = client.post(reverse("notifications:settings"), {**data, "assigned": "loud"})
    assert bad.status_code == 422
    assert services.preferences_of(reviewer)["assigned"] == "immediate"


def test_the_settings_page_links_to_the_preferences(signed_in, reviewer):
    page = signed_in(reviewer).get(reverse("articles:settings")).content.decode()
    assert reverse("notifications:settings") in page


def test_the_signed_unsubscribe_link_turns_one_kind_off_without_signing_in(client, reviewer):
    url = reverse(
        "notifications:unsubscribe", args=[services.unsubscribe_token(reviewer, "assigned")]
    )

    page = client.get(url)
    assert page.status_code == 200 and "Turn them off" in page.content.decode()
    assert services.preferences_of(reviewer)["assigned"] == "digest"  # GET changes nothing

    done = client.post(url)
    assert done.status_code == 200
    assert services.preferences_of(reviewer)["assigned"] == "off"
    assert services.preferences_of(reviewer)["entered_review"] == "digest"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: "not-a-token",
    ],
)
def test_a_tampered_unsubscribe_link_is_refused(client, reviewer, tamper):
    import base64
    import json

    from django.core import signing

    token = services.unsubscribe_token(reviewer, "assigned")
    # A forged payload for another kind, signed with the wrong key, is refused too.
    forged = base64.urlsafe_b64encode(json.dumps([reviewer.pk, "published"]).encode()).decode()
    assert signing.loads(token, salt=services.UNSUBSCRIBE_SALT) == [reviewer.pk, "assigned"]
    for bad in (tamper(token), forged.rstrip("=") + ":" + token.split(":")[-1]):
        url = reverse("notifications:unsubscribe", args=[bad])
        assert client.post(url).status_code == 400
    assert not NotificationPreference.objects.filter(user=reviewer).exists()


def test_the_digest_goes_at_the_digest_hour_of_the_users_own_zone(
    settings, messages_reach_no_worker, editor
):
    settings.NOTIFICATION_DIGEST_HOUR = 7
    tokyo = make_user("tokyo", permissions.EDITOR, email="tokyo@example.test")
    Profile.objects.create(user=tokyo, time_zone="Asia/Tokyo")  # UTC+9
    article = make_article(editor, status="in_review")
    notify(tokyo, article, 3, kind="unverified")
    Notification.objects.update(email="digest")

    six_in_tokyo = dt.datetime(2026, 12, 6, 21, 0, tzinfo=dt.UTC)
    assert services.send_due_digests(now=six_in_tokyo) == 0
    seven_in_tokyo = dt.datetime(2026, 12, 6, 22, 30, tzinfo=dt.UTC)
    assert services.send_due_digests(now=seven_in_tokyo) == 1
    log = EmailMessageLog.objects.get()
    assert log.recipients == "tokyo@example.test" and "3 notifications" in log.subject
    assert "JST" in log.body_text
    # New notifications later that local day wait for the next day's digest.
    notify(tokyo, article, 1, kind="unverified")
    Notification.objects.filter(email="none").update(email="digest")
    assert services.send_due_digests(now=seven_in_tokyo + dt.timedelta(hours=3)) == 0
    assert services.send_due_digests(now=seven_in_tokyo + dt.timedelta(days=1)) == 1
