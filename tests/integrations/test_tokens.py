"""API tokens: bearer authentication (valid, revoked, wrong → 401), the user's settings page
(key shown once, list, revoke with CSRF) and the admin (key shown once)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from rest_framework.test import APIClient

from integrations import services
from integrations.models import ApiToken, hash_key
from tests.conftest import make_article
from tests.support.api import token_for

pytestmark = [pytest.mark.usefixtures("api_settings"), pytest.mark.django_db]

LIST = "/api/v1/articles"


def bearer(key: str, keyword: str = "Bearer") -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"{keyword} {key}")
    return client


def test_a_valid_token_acts_as_its_user_with_either_keyword(editor):
    article = make_article(editor)
    key = token_for(editor)

    assert bearer(key).get(LIST).json()["results"][0]["id"] == article.pk
    assert bearer(key, "Token").get(LIST).status_code == 200
    assert bearer(key, "bearer").get(LIST).status_code == 200


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer nwr_not-a-real-token", "Invalid token."),
        ("Bearer", "Malformed Authorization header: send `Authorization: Bearer <token>`."),
        (
            "Bearer two parts",
            "Malformed Authorization header: send `Authorization: Bearer <token>`.",
        ),
        ("Token " + "x" * 500, "Invalid token."),
    ],
)
def test_a_wrong_or_malformed_token_is_401_never_anonymous(editor, header, detail):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(LIST)

    assert response.status_code == 401
    assert response.json() == {"detail": detail}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_revoked_token_is_401_and_other_tokens_of_the_user_keep_working(editor):
    kept = token_for(editor, "dashboard")
    revoked = token_for(editor, "cms")
    services.revoke_api_token(ApiToken.objects.get(name="cms"), by=editor)

    response = bearer(revoked).get(LIST)

    assert response.status_code == 401
    assert response.json() == {"detail": "This token was revoked."}
    assert bearer(kept).get(LIST).status_code == 200


def test_a_token_of_an_inactive_user_is_401(editor):
    key = token_for(editor)
    editor.is_active = False
    editor.save()

    assert bearer(key).get(LIST).status_code == 401


def test_only_the_hash_and_a_short_prefix_are_stored(editor):
    token, key = services.create_api_token(user=editor, name="cms")

    assert key.startswith("nwr_") and len(key) >= 40
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    assert token.prefix == key[:12]


def test_last_used_is_written_at_most_once_a_minute(editor):
    key = token_for(editor)
    start = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)

    with time_machine.travel(start, tick=False):
        bearer(key).get(LIST)
    with time_machine.travel(start + dt.timedelta(seconds=30), tick=False):
        bearer(key).get(LIST)
    assert ApiToken.objects.get().last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=90), tick=False):
        bearer(key).get(LIST)
    assert ApiToken.objects.get().last_used_at == start + dt.timedelta(seconds=90)


def test_a_user_may_revoke_only_their_own_tokens_unless_staff(editor, other_editor, staff):
    token, _ = services.create_api_token(user=editor, name="cms")

    with pytest.raises(services.PermissionDenied):
        services.revoke_api_token(token, by=other_editor)
    assert services.revoke_api_token(token, by=staff).revoked_at is not None


# --- The settings page --------------------------------------------------------------------------


@pytest.fixture
def browser(editor) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    return client


def csrf(client: Client) -> str:
    client.get("/integrations/tokens/")
    return client.cookies["csrftoken"].value


def test_the_settings_page_creates_a_token_and_shows_its_key_once(browser, editor):
    response = browser.post(
        "/integrations/tokens/", {"name": "CMS sync", "csrfmiddlewaretoken": csrf(browser)}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=editor)
    key = response.context["new_key"]
    assert token.key_hash == hash_key(key)
    assert key in response.content.decode()
    again = browser.get("/integrations/tokens/")
    assert key not in again.content.decode() and "CMS sync" in again.content.decode()
    assert bearer(key).get(LIST).status_code == 200


def test_the_settings_page_lists_only_the_users_tokens_and_revokes_with_csrf(
    browser, editor, other_editor
):
    mine, key = services.create_api_token(user=editor, name="Mine")
    theirs, _ = services.create_api_token(user=other_editor, name="Theirs")
    page = browser.get("/integrations/tokens/").content.decode()
    assert "Mine" in page and "Theirs" not in page

    without_csrf = browser.post(f"/integrations/tokens/{mine.pk}/revoke/")
    foreign = browser.post(
        f"/integrations/tokens/{theirs.pk}/revoke/", {"csrfmiddlewaretoken": csrf(browser)}
    )
    revoked = browser.post(
        f"/integrations/tokens/{mine.pk}/revoke/", {"csrfmiddlewaretoken": csrf(browser)}
    )

    assert without_csrf.status_code == 403
    assert foreign.status_code == 404
    assert revoked.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None
    assert bearer(key).get(LIST).status_code == 401


def test_the_settings_page_needs_a_login_and_a_name(editor):
    assert Client().get("/integrations/tokens/").status_code == 302
    client = Client()
    client.force_login(editor)
    response = client.post("/integrations/tokens/", {"name": ""})
    assert response.status_code == 422 and not ApiToken.objects.exists()


# --- The admin ----------------------------------------------------------------------------------


def test_staff_create_a_token_in_the_admin_and_see_the_key_once(staff, editor):
    client = Client()
    client.force_login(staff)

    response = client.post(
        "/admin/integrations/apitoken/add/", {"user": editor.pk, "name": "Wire feed"}
    )

    assert response.status_code == 200
    token = ApiToken.objects.get()
    key = response.context["key"]
    assert token.user == editor and token.key_hash == hash_key(key)
    assert key in response.content.decode()
    assert (
        key not in client.get(f"/admin/integrations/apitoken/{token.pk}/change/").content.decode()
    )
    client.post(
        "/admin/integrations/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
