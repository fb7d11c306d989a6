"""What the API remembers between requests (articles/cache.py) is never stale and never
another caller's: every test warms the cache, writes the way the app or a worker would (services,
bulk updates, the admin's plain saves), and asserts the very next request sees the change."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction

from articles import cache, permissions, services
from articles.models import Article, Claim
from integrations import services as integration_services
from integrations.models import ApiToken
from tests.conftest import make_article, make_user
from tests.support.api import ids, token_for
from tests.support.verdicts import judge

# Committed writes: on PostgreSQL the version changes at COMMIT, and a transaction that has
# written caches nothing until then (articles/cache.py), so a test inside one transaction
# would see no caching at all there.
pytestmark = [
    pytest.mark.usefixtures("api_settings"),
    pytest.mark.django_db(transaction=True),
    # No worker left by an earlier test analyses these committed articles while a test counts.
    pytest.mark.usefixtures("messages_reach_no_worker"),
    pytest.mark.postgres,
]

LIST = "/api/v1/articles"


def test_a_repeated_list_is_served_from_memory_until_anything_it_shows_is_written(
    api, editor, reviewer, django_assert_num_queries
):
    article = make_article(editor, status="in_review")
    client = api(reviewer)
    first = client.get(LIST).json()

    with django_assert_num_queries(1):  # the data version only
        assert client.get(LIST).json() == first

    # A bulk update fires no signal; the trigger sees it all the same.
    Claim.objects.filter(article=article).update(
        verdict=Claim.Verdict.UNVERIFIED,
        note="No.",
        reviewed_by=reviewer,
        reviewed_at=article.created_at,
    )
    gate = client.get(LIST).json()["results"][0]["gate"]
    assert gate["unverified"] == gate["total"] > 0 and gate["pending"] == 0


def test_a_service_write_shows_in_the_next_list(api, editor, reviewer):
    draft = make_article(editor)
    client = api(reviewer)
    assert draft.pk not in ids(client.get(LIST))

    services.submit_article(draft, by=editor)

    assert draft.pk in ids(client.get(LIST))


def test_an_authors_new_name_shows_in_the_next_list(api, editor, reviewer):
    make_article(editor, status="in_review")
    client = api(reviewer)
    assert client.get(LIST).json()["results"][0]["author"]["name"] == "Eda Editor"

    editor.first_name = "Edda"
    editor.save()

    assert client.get(LIST).json()["results"][0]["author"]["name"] == "Edda Editor"


def test_a_remembered_page_is_never_shown_to_another_caller(api, editor, other_editor, chief):
    mine = make_article(editor, title="Mine")
    theirs = make_article(other_editor, title="Theirs")
    assert set(ids(api(chief).get(LIST))) == {mine.pk, theirs.pk}

    assert ids(api(editor).get(LIST)) == [mine.pk]
    assert ids(api(other_editor).get(LIST)) == [theirs.pk]


def test_the_host_and_the_filters_are_part_of_what_is_remembered(api, editor):
    for title in ("Alphabet", "Zeppelin"):
        make_article(editor, title=title)
    client = api(editor)

    first = client.get(LIST, {"page_size": 1}, HTTP_HOST="127.0.0.1").json()
    second = client.get(LIST, {"page_size": 1}, HTTP_HOST="localhost").json()
    filtered = client.get(LIST, {"page_size": 1, "q": "Zeppelin"}).json()

    assert first["next"].startswith("http://127.0.0.1/")
    assert second["next"].startswith("http://localhost/")
    assert filtered["count"] == 1 and filtered["results"][0]["title"] == "Zeppelin"


def test_a_lost_role_is_seen_by_the_next_request(api, editor, reviewer):
    submitted = make_article(editor, status="submitted")
    client = api(reviewer)
    assert ids(client.get(LIST)) == [submitted.pk]

    reviewer.groups.remove(Group.objects.get(name=permissions.REVIEWER))

    assert ids(client.get(LIST)) == []


# --- Tokens -------------------------------------------------------------------------------------


def test_a_remembered_token_costs_one_query_and_is_revoked_by_the_next_request(
    api, editor, django_assert_num_queries
):
    client = api(editor)
    assert client.get("/api/v1/claims").status_code == 200

    # 1 the data version, 2 count (an empty list: no page read): no token, user or roles query.
    with django_assert_num_queries(2):
        assert client.get("/api/v1/claims").status_code == 200

    integration_services.revoke_api_token(ApiToken.objects.get(user=editor), by=editor)

    response = client.get("/api/v1/claims")
    assert response.status_code == 401
    assert response.json() == {"detail": "This token was revoked."}


def test_a_remembered_token_of_a_user_made_inactive_is_refused(api, editor):
    client = api(editor)
    assert client.get(LIST).status_code == 200

    editor.is_active = False
    editor.save(update_fields=["is_active"])

    assert client.get(LIST).status_code == 401


def test_a_deleted_token_is_refused(api, editor):
    client = api(editor)
    assert client.get(LIST).status_code == 200

    ApiToken.objects.filter(user=editor).delete()

    assert client.get(LIST).json() == {"detail": "Invalid token."}


def test_last_used_is_still_written_once_a_minute_with_a_remembered_token(editor, time_machine):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {token_for(editor)}")
    time_machine.move_to("2026-01-01 12:00:00Z")
    client.get(LIST)
    first = ApiToken.objects.get(user=editor).last_used_at

    time_machine.move_to("2026-01-01 12:00:30Z")
    client.get(LIST)
    assert ApiToken.objects.get(user=editor).last_used_at == first

    time_machine.move_to("2026-01-01 12:01:30Z")
    client.get(LIST)
    assert ApiToken.objects.get(user=editor).last_used_at > first


# --- The version --------------------------------------------------------------------------------


def version() -> int:
    return cache.data_version()


def test_every_watched_write_changes_the_version_and_a_token_touch_does_not(editor):
    article = make_article(editor, status="in_review")
    token, _ = integration_services.create_api_token(user=editor, name="x")
    before = version()

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=token.created_at)
    assert version() == before

    Article.objects.filter(pk=article.pk).update(title="New")
    assert version() != before

    before = version()
    Claim.objects.filter(article=article).delete()
    assert version() != before

    before = version()
    make_user("newcomer")
    assert version() != before


def _in_another_connection(function):
    """`function()`'s result, run in a thread: its own database connection, as another request
    or a worker would have."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def run():
        try:
            return function()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=30)


def test_the_version_changes_when_the_write_commits_never_before(editor):
    """A reader that saw the old version must not be able to see the new data: the two become
    visible together, at commit."""
    article = make_article(editor)
    before = version()
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(title="Not yet")
        assert _in_another_connection(version) == before
        assert _in_another_connection(lambda: Article.objects.get(pk=article.pk).title) != "Not yet"
    after = _in_another_connection(version)
    assert after != before
    assert _in_another_connection(lambda: Article.objects.get(pk=article.pk).title) == "Not yet"


def test_a_transaction_that_has_written_remembers_nothing(editor):
    article = make_article(editor)
    before = version()
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(title="Mine, uncommitted")
        mine = version()
    if connection.vendor == "postgresql":  # the change waits for COMMIT: cache nothing till then
        assert mine is None
    else:  # the trigger changed it inside this transaction: it names data with the write
        assert mine not in (None, before)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has one writer at a time by design"
)
def test_writers_of_different_rows_do_not_wait_for_each_other_on_postgresql(editor):
    """The version row is locked only while a transaction commits, not from its first write."""
    first, second = make_article(editor), make_article(editor, title="Second")
    before = version()
    with transaction.atomic():
        Article.objects.filter(pk=first.pk).update(title="Held open")

        def other_writer():
            Article.objects.filter(pk=second.pk).update(title="Committed meanwhile")
            return version()

        meanwhile = _in_another_connection(other_writer)  # would time out behind our lock
        assert meanwhile != before
    assert version() not in (before, meanwhile)


def test_the_triggers_are_made_again_after_a_migrate(editor):
    """SQLite rebuilds a table to alter it, which drops its triggers; `migrate` puts them back."""
    drop = {
        "sqlite": f"DROP TRIGGER {cache.TABLE}_articles_article_update",
        "postgresql": f"DROP TRIGGER {cache.TABLE}_articles_article_rows ON articles_article",
    }[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(drop)
    article = make_article(editor)
    before = version()
    Article.objects.filter(pk=article.pk).update(title="Unseen")
    assert version() == before

    cache.install_triggers()  # what post_migrate calls
    assert version() != before

    before = version()
    Article.objects.filter(pk=article.pk).update(title="Seen")
    assert version() != before


# --- Detail -------------------------------------------------------------------------------------


def test_a_remembered_detail_shows_the_next_verdict_and_history(api, editor, reviewer):
    from review import services as review_services

    article = make_article(editor, status="in_review")
    client = api(editor)
    before = client.get(f"{LIST}/{article.pk}").json()
    assert client.get(f"{LIST}/{article.pk}").json() == before

    claim = article.claims.order_by("ordinal").first()
    review_services.record_verdict(
        claim,
        judged=judge(claim),
        by=reviewer,
        verdict=Claim.Verdict.VERIFIED,
        note="Checked.",
        evidence_url="",
    )

    after = client.get(f"{LIST}/{article.pk}").json()
    assert after["claims"][0]["verdict"] == "verified"
    assert after["gate"]["pending"] == before["gate"]["pending"] - 1
    assert len(after["history"]) == len(before["history"]) + 1


def test_a_remembered_detail_is_never_shown_to_another_caller(api, editor, other_editor):
    draft = make_article(editor)
    assert api(editor).get(f"{LIST}/{draft.pk}").status_code == 200

    assert api(other_editor).get(f"{LIST}/{draft.pk}").status_code == 404
