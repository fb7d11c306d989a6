"""Each user's time zone (issue 13): all times were UTC with no label and the due time was entered
in UTC. A user sets their zone on the settings page (from the user menu); the middleware activates
it for each of their requests, so every time is shown in it, labelled ("09:00 JST"), and a due
time typed into the form is read in it. Dates and times are written by one helper
(`articles.times`, the `when` and `day` filters)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from articles.models import Article, ArticleEvent, Profile
from tests.conftest import make_article

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
SUBMITTED = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)  # 7 Dec, 08:30 in Tokyo


def set_zone(client, name: str):
    return client.post(reverse("articles:settings"), {"time_zone": name})


@pytest.fixture
def submitted_article(editor):
    with time_machine.travel(SUBMITTED, tick=False):
        return make_article(editor, status="in_review")


def test_without_a_choice_times_are_in_the_newsroom_default_and_labelled(
    client, editor, submitted_article
):
    client.force_login(editor)

    html = client.get(reverse("articles:detail", args=[submitted_article.pk])).content.decode()

    assert "6 Dec 2026, 23:30 UTC" in html
    assert not Profile.objects.exists()  # nothing stored until the user chooses


def test_a_chosen_time_zone_is_stored_and_every_time_is_shown_in_it(
    client, editor, submitted_article
):
    client.force_login(editor)

    response = set_zone(client, "Asia/Tokyo")
    html = client.get(reverse("articles:detail", args=[submitted_article.pk])).content.decode()

    assert response.status_code == 302
    assert Profile.objects.get(user=editor).time_zone == "Asia/Tokyo"
    assert "7 Dec 2026, 08:30 JST" in html
    assert "23:30" not in html
    # Signed in again later (a new session), the zone is still theirs.
    client.logout()
    client.force_login(editor)
    again = client.get(reverse("articles:detail", args=[submitted_article.pk])).content.decode()
    assert "7 Dec 2026, 08:30 JST" in again


def test_a_due_time_is_entered_in_the_users_zone(client, editor, submitted_article):
    client.force_login(editor)
    set_zone(client, "Asia/Tokyo")

    response = client.post(
        reverse("review:set_due", args=[submitted_article.pk]),
        {"publish_by": "2026-12-08T09:00"},
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200, html[:500]
    submitted_article.refresh_from_db()
    assert submitted_article.publish_by == dt.datetime(2026, 12, 8, 0, 0, tzinfo=dt.UTC)
    assert "8 Dec 2026, 09:00 JST" in html
    assert "Publish by (Asia/Tokyo time)" in html
    assert 'value="2026-12-08T09:00"' in html  # the input shows it back in the same zone
    note = ArticleEvent.objects.filter(article=submitted_article).latest("id").note
    assert note == "Publish by 8 Dec 2026, 09:00 JST."


def test_someone_in_another_zone_sees_the_same_moment_in_theirs(
    client, editor, reviewer, submitted_article
):
    client.force_login(editor)
    set_zone(client, "Asia/Tokyo")
    client.post(
        reverse("review:set_due", args=[submitted_article.pk]),
        {"publish_by": "2026-12-08T09:00"},
        **HTMX,
    )
    client.force_login(reviewer)
    set_zone(client, "Europe/Paris")

    queue = client.get(reverse("review:queue")).content.decode()

    assert "due <time" in queue
    assert "8 Dec 2026, 01:00 CET" in queue


def test_an_unknown_time_zone_is_a_form_error_and_changes_nothing(client, editor):
    client.force_login(editor)
    set_zone(client, "Europe/Paris")

    response = set_zone(client, "Mars/Olympus_Mons")

    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert Profile.objects.get(user=editor).time_zone == "Europe/Paris"


def test_the_service_refuses_an_unknown_zone_for_every_caller(editor):
    from django.core.exceptions import ValidationError

    from articles import services

    with pytest.raises(ValidationError) as excinfo:
        services.update_profile(editor, time_zone="Nowhere/Atlantis")

    assert "time_zone" in excinfo.value.message_dict
    assert not Profile.objects.exists()


def test_the_activity_dates_are_days_in_the_users_zone(client, chief, editor, submitted_article):
    client.force_login(chief)
    set_zone(client, "Asia/Tokyo")

    on_7th = client.get(
        reverse("review:activity"), {"since": "2026-12-07", "until": "2026-12-07"}
    ).content.decode()
    on_6th = client.get(
        reverse("review:activity"), {"since": "2026-12-06", "until": "2026-12-06"}
    ).content.decode()

    assert "7 Dec 2026, 08:30 JST" in on_7th  # the submit, which was the 6th in UTC
    assert "Ferry budget approved" not in on_6th


def test_the_user_menu_leads_to_the_settings_and_the_api_tokens(client, editor):
    client.force_login(editor)

    html = client.get(reverse("articles:dashboard")).content.decode()
    settings_page = client.get(reverse("articles:settings"))

    menu = html.split('<details class="user-menu">')[1].split("</details>")[0]
    assert f'href="{reverse("articles:settings")}"' in menu
    assert f'href="{reverse("integrations:tokens")}"' in menu
    assert "Eda Editor" in menu
    assert settings_page.status_code == 200
    assert f'href="{reverse("integrations:tokens")}"' in settings_page.content.decode()
    assert Article.objects.count() == 0


def test_the_settings_page_needs_a_sign_in(client):
    response = client.get(reverse("articles:settings"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
