"""Who sees what on the Desk (chief editors everything; editors their own articles; reviewers
their own verdicts and load), the links and exports behind it (IDOR), bad filters, htmx
partials, and the fixed number of queries per page."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import make_article
from tests.support.desk import DESK_NOW

pytestmark = pytest.mark.django_db

RANGE = {"since": "2026-01-05", "until": "2026-01-06"}


@pytest.fixture(autouse=True)
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def get(client, user, url: str, **params):
    client.force_login(user)
    with time_machine.travel(DESK_NOW, tick=False):
        return client.get(url, {**RANGE, **params})


def rows(client, user, slug: str, **params):
    response = get(client, user, reverse("desk:export", args=[slug, "json"]), **params)
    return response.status_code, (
        json.loads(response.content) if response.status_code == 200 else None
    )


def test_reviewer_sees_only_their_own_load_and_verdicts(client, desk_fixture):
    status, body = rows(client, desk_fixture.second_reviewer, "load")
    assert status == 200
    assert [r["reviewer"] for r in body["rows"]] == ["second_reviewer"]
    # Their own five verdicts (on B), not reviewer's ten.
    _, body = rows(client, desk_fixture.second_reviewer, "verdicts-day")
    assert body["rows"] == [
        {"day": "2026-01-05", "verified": 4, "unverified": 1},
        {"day": "2026-01-06", "verified": 0, "unverified": 0},
    ]
    # The same request by the chief editor sees both reviewers (the denial is not for a wrong
    # reason).
    _, body = rows(client, desk_fixture.chief, "load")
    assert [r["reviewer"] for r in body["rows"]] == ["Rui Reviewer", "second_reviewer"]


def test_reviewer_cannot_filter_or_open_another_reviewers_work(client, desk_fixture):
    other = desk_fixture.reviewer.pk
    status, _ = rows(client, desk_fixture.second_reviewer, "load", reviewer=str(other))
    assert status == 400
    response = get(
        client,
        desk_fixture.second_reviewer,
        reverse("desk:items", args=["load"]),
        key=str(other),
    )
    assert response.status_code == 404
    own = get(
        client,
        desk_fixture.second_reviewer,
        reverse("desk:items", args=["load"]),
        key=str(desk_fixture.second_reviewer.pk),
    )
    assert own.status_code == 200
    assert "5 claims." in own.content.decode()


def test_reviewer_without_articles_gets_no_article_charts(client, desk_fixture):
    response = get(client, desk_fixture.second_reviewer, reverse("desk:page"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="chart-load"' in html and 'id="chart-verdicts-day"' in html
    for slug in ("backlog", "time-to-publish", "gate-waits"):
        assert f'id="chart-{slug}"' not in html
        assert rows(client, desk_fixture.second_reviewer, slug)[0] == 404


def test_editor_sees_only_their_own_articles(client, desk_fixture):
    # The editor wrote A and C, not B: B's wait with an unverified claim is not theirs.
    _, body = rows(client, desk_fixture.editor, "gate-waits")
    assert body["rows"] == [
        {"reason": "Claims pending", "articles": 2, "median": 1.7, "p90": 15.5},
        {"reason": "Claims unverified", "articles": 0, "median": None, "p90": None},
        {"reason": "Gate open, not published", "articles": 2, "median": 10.5, "p90": 27.3},
    ]
    _, body = rows(client, desk_fixture.editor, "backlog")
    assert [r["in_review"] for r in body["rows"]] == [1, 1]
    # Verdicts on their articles only (A and C), and no load table at all.
    _, body = rows(client, desk_fixture.editor, "verdicts-day")
    assert [(r["verified"], r["unverified"]) for r in body["rows"]] == [(4, 0), (6, 0)]
    assert rows(client, desk_fixture.editor, "load")[0] == 404


def test_editor_cannot_see_other_authors_articles_behind_a_figure(client, desk_fixture):
    url = reverse("desk:items", args=["backlog"])
    mine = get(client, desk_fixture.editor, url, key="2026-01-05").content.decode()
    assert "Ferry budget approved" in mine
    assert "Council vote on ferries" not in mine
    theirs = get(client, desk_fixture.other_editor, url, key="2026-01-05").content.decode()
    assert "Council vote on ferries" in theirs
    assert "Ferry budget approved" not in theirs
    # Claims behind a day of verdicts: only those on the editor's own articles.
    claims = get(
        client, desk_fixture.editor, reverse("desk:items", args=["verdicts-day"]), key="2026-01-05"
    ).content.decode()
    assert "4 claims." in claims
    assert reverse("articles:detail", args=[desk_fixture.b.pk]) + '"' not in claims


def test_editor_cannot_filter_by_another_author(client, desk_fixture):
    response = get(
        client, desk_fixture.editor, reverse("desk:page"), author=str(desk_fixture.other_editor.pk)
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_outsider_and_anonymous_are_refused(client, desk_fixture, outsider):
    assert get(client, outsider, reverse("desk:page")).status_code == 403
    assert rows(client, outsider, "verdicts-day")[0] == 403
    client.logout()
    response = client.get(reverse("desk:page"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_unknown_chart_key_and_format_are_404(client, desk_fixture):
    chief = desk_fixture.chief
    assert get(client, chief, reverse("desk:export", args=["nonsense", "json"])).status_code == 404
    assert get(client, chief, reverse("desk:export", args=["load", "xml"])).status_code == 404
    items = reverse("desk:items", args=["calibration"])
    assert get(client, chief, items, key="12").status_code == 404
    assert get(client, chief, items, key="x").status_code == 404
    assert (
        get(client, chief, reverse("desk:items", args=["backlog"]), key="2026-13-01").status_code
        == 404
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"since": "2026-01-07", "until": "2026-01-05"},
            "The end of the range is before its start.",
        ),
        ({"since": "2025-01-01", "until": "2026-01-05"}, "at most 92 days"),
        ({"since": "yesterday"}, "Enter a valid date."),
        ({"section": "No such section"}, "Select a valid choice"),
    ],
)
def test_bad_filters_are_a_form_error_and_a_400_in_exports(client, desk_fixture, params, message):
    response = get(client, desk_fixture.chief, reverse("desk:page"), **params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    export = get(
        client, desk_fixture.chief, reverse("desk:export", args=["backlog", "csv"]), **params
    )
    assert export.status_code == 400
    assert message in export.content.decode()


def test_filters_narrow_every_figure(client, desk_fixture):
    # By author: other_editor wrote only B.
    _, body = rows(
        client, desk_fixture.chief, "verdicts-day", author=str(desk_fixture.other_editor.pk)
    )
    assert [(r["verified"], r["unverified"]) for r in body["rows"]] == [(4, 1), (0, 0)]
    # By reviewer: reviewer judged A and C.
    _, body = rows(client, desk_fixture.chief, "load", reviewer=str(desk_fixture.reviewer.pk))
    assert [r["judged"] for r in body["rows"]] == [10]
    # By section: the story's "What Happened" section holds two claims per article.
    section_claims = desk_fixture.a.claims.exclude(section="")
    section = section_claims.first().section
    per_article = section_claims.count()
    _, body = rows(client, desk_fixture.chief, "verdicts-day", section=section)
    assert sum(r["verified"] + r["unverified"] for r in body["rows"]) == 3 * per_article


def test_an_htmx_request_gets_only_the_charts(client, desk_fixture):
    client.force_login(desk_fixture.chief)
    with time_machine.travel(DESK_NOW, tick=False):
        response = client.get(reverse("desk:page"), RANGE, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith('<div id="desk-charts"')
    assert "<html" not in html and 'id="chart-backlog"' in html


def _count_queries(client, user) -> int:
    client.force_login(user)
    with time_machine.travel(DESK_NOW, tick=False):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("desk:page"), RANGE)
    assert response.status_code == 200
    return len(queries)


def test_the_page_costs_a_fixed_number_of_queries(client, desk_fixture, django_assert_num_queries):
    # session, user, groups (the role predicates, cached); filter choices: authors, reviewers,
    # sections (3); the charts: backlog 1, verdicts per day 1, per hour 1, time to publish 2 (gate
    # open, publication), gate waits 1, load 2 (reviewers, their verdicts), reuse 2 (totals, median gap), calibration 1.
    # On PostgreSQL three more: SET LOCAL jit = off (review.desk.desk_charts) in a transaction,
    # which inside the test's own transaction is a savepoint and its release.
    expected = 17 + 3 * (connection.vendor == "postgresql")
    client.force_login(desk_fixture.chief)
    with time_machine.travel(DESK_NOW, tick=False):
        with django_assert_num_queries(expected):
            client.get(reverse("desk:page"), RANGE)
    before = _count_queries(client, desk_fixture.chief)
    # Twice the articles, claims, verdicts and history rows: the same number of queries.
    for i in range(3):
        with time_machine.travel(DESK_NOW.replace(day=5), tick=False):
            make_article(desk_fixture.other_editor, title=f"More {i}", status="published")
    assert _count_queries(client, desk_fixture.chief) == before
