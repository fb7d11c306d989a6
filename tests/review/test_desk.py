"""The Desk's figures, each computed by hand on the small fixture of tests/support/desk.py (read its
docstring first: the times below are its times) and compared with what the page exports; and the
time-zone boundaries. Permissions, filters and query counts: test_desk_access.py."""

from __future__ import annotations

import json

import pytest
import time_machine
from django.urls import reverse

from articles.models import Article
from review import services as review_services
from tests.conftest import FOLLOW_UP
from tests.support.desk import DESK_NOW, at
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db

RANGE = {"since": "2026-01-05", "until": "2026-01-06"}


@pytest.fixture
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


def export(client, user, slug: str, **params) -> list[dict]:
    client.force_login(user)
    with time_machine.travel(DESK_NOW, tick=False):
        response = client.get(reverse("desk:export", args=[slug, "json"]), {**RANGE, **params})
    assert response.status_code == 200, response.content
    return json.loads(response.content)["rows"]


def test_backlog_at_the_end_of_each_berlin_day(client, desk_fixture, berlin):
    # End of 5 Jan in Berlin is 23:00 UTC: A's last claim (judged 23:30) is still pending, A and
    # B are in review, no gate is open yet. End of 6 Jan: nothing pending; A is published, so B
    # and C are in review; C's gate is open (A's opened at 23:30 but A was published at 10:00).
    assert export(client, desk_fixture.chief, "backlog") == [
        {"day": "2026-01-05", "pending_claims": 1, "in_review": 2, "open_gate": 0},
        {"day": "2026-01-06", "pending_claims": 0, "in_review": 2, "open_gate": 1},
    ]


def test_verdicts_per_day_and_per_hour_are_counted_in_berlin_time(client, desk_fixture, berlin):
    # 5 Jan: A's four morning verdicts and B's five (one unverified). A's last verdict, 23:30
    # UTC, is 00:30 on 6 Jan in Berlin: it counts on the 6th with C's five.
    assert export(client, desk_fixture.chief, "verdicts-day") == [
        {"day": "2026-01-05", "verified": 8, "unverified": 1},
        {"day": "2026-01-06", "verified": 6, "unverified": 0},
    ]
    assert export(client, desk_fixture.chief, "verdicts-hour") == [
        {"hour": "2026-01-05T10:00:00+01:00", "verified": 4, "unverified": 0},
        {"hour": "2026-01-05T14:00:00+01:00", "verified": 4, "unverified": 1},
        {"hour": "2026-01-06T00:00:00+01:00", "verified": 1, "unverified": 0},
        {"hour": "2026-01-06T09:00:00+01:00", "verified": 5, "unverified": 0},
    ]


def test_a_long_range_draws_the_hours_of_its_last_14_days_only(client, desk_fixture, berlin):
    # Until 30 Jan: the verdicts of 5 and 6 Jan are more than 14 days before the end. The days
    # chart still has them; the hours chart covers 16-30 Jan, which has none.
    long_range = {"since": "2026-01-01", "until": "2026-01-30"}
    days = export(client, desk_fixture.chief, "verdicts-day", **long_range)
    assert len(days) == 30
    assert [d for d in days if d["verified"] or d["unverified"]] == [
        {"day": "2026-01-05", "verified": 8, "unverified": 1},
        {"day": "2026-01-06", "verified": 6, "unverified": 0},
    ]
    assert export(client, desk_fixture.chief, "verdicts-hour", **long_range) == []
    # Until 18 Jan: 14 days back is 4 Jan 24:00, so every hour of the fixture is drawn.
    assert len(export(client, desk_fixture.chief, "verdicts-hour", until="2026-01-18")) == 4


def test_the_same_verdicts_in_utc_put_the_2330_verdict_on_the_fifth(client, desk_fixture):
    assert export(client, desk_fixture.chief, "verdicts-day") == [
        {"day": "2026-01-05", "verified": 9, "unverified": 1},
        {"day": "2026-01-06", "verified": 5, "unverified": 0},
    ]


def test_time_to_gate_open_and_publication_median_and_p90(client, desk_fixture, berlin):
    # Gates opened on 6 Jan (Berlin): A at 23:30 UTC on the 5th, 15.5 h after its submission;
    # C at 08:40, 1 h 40 min (1.7 h) after. Nearest rank of 2: median the 1st, p90 the 2nd.
    # Published on 6 Jan: A, 26 h after submission.
    rows = export(client, desk_fixture.chief, "time-to-publish")
    assert rows == [
        {
            "day": "2026-01-05",
            "gate_n": 0,
            "gate_median": None,
            "gate_p90": None,
            "published_n": 0,
            "published_median": None,
            "published_p90": None,
        },
        {
            "day": "2026-01-06",
            "gate_n": 2,
            "gate_median": 1.7,
            "gate_p90": 15.5,
            "published_n": 1,
            "published_median": 26.0,
            "published_p90": 26.0,
        },
    ]


def test_gate_waits_by_reason(client, desk_fixture, berlin):
    # Now is 7 Jan 12:00 UTC. Pending: A 08:00→23:30 (15.5 h), B 12:00→13:40 (1.67 h), C 07:00→
    # 08:40 (1.67 h): median 1.7, p90 15.5. Unverified: B 13:40 on the 5th → now, 46.33 h.
    # Open gate: A 23:30→10:00 (10.5 h), C 08:40 on the 6th → now (27.33 h).
    assert export(client, desk_fixture.chief, "gate-waits") == [
        {"reason": "Claims pending", "articles": 3, "median": 1.7, "p90": 15.5},
        {"reason": "Claims unverified", "articles": 1, "median": 46.3, "p90": 46.3},
        {"reason": "Gate open, not published", "articles": 2, "median": 10.5, "p90": 27.3},
    ]


def test_reviewer_load(client, desk_fixture, berlin):
    # reviewer: A's 5 and C's 5 verdicts over 2 days, none unverified, B assigned to them.
    # second_reviewer: B's 5, 1 unverified (20 %).
    assert export(client, desk_fixture.chief, "load") == [
        {
            "reviewer": "Rui Reviewer",
            "assigned": 1,
            "held": 0,
            "judged": 10,
            "per_day": 5.0,
            "unverified_rate": 0.0,
        },
        {
            "reviewer": "second_reviewer",
            "assigned": 0,
            "held": 0,
            "judged": 5,
            "per_day": 2.5,
            "unverified_rate": 20.0,
        },
    ]


def test_holding_a_claim_shows_in_the_load(client, desk_fixture, berlin):
    d = Article.objects.get(pk=desk_fixture.b.pk)
    claim = d.claims.order_by("ordinal").first()
    with time_machine.travel(DESK_NOW, tick=False):
        review_services.hold_claim(claim, by=desk_fixture.reviewer)
    rows = export(client, desk_fixture.chief, "load")
    assert [(r["reviewer"], r["held"]) for r in rows] == [
        ("Rui Reviewer", 1),
        ("second_reviewer", 0),
    ]


def test_calibration_by_score_band(client, desk_fixture, berlin):
    # Judged and scored: A 0.05 | 0.15 | 0.95, 1.0 | 0.55; B 0.95 (unverified) | 4 × 0.15.
    rows = export(client, desk_fixture.chief, "calibration")
    assert [(r["band"], r["judged"], r["unverified"], r["unverified_share"]) for r in rows] == [
        ("0.0–0.1", 1, 0, 0.0),
        ("0.1–0.2", 5, 0, 0.0),
        ("0.2–0.3", 0, 0, None),
        ("0.3–0.4", 0, 0, None),
        ("0.4–0.5", 0, 0, None),
        ("0.5–0.6", 1, 0, 0.0),
        ("0.6–0.7", 0, 0, None),
        ("0.7–0.8", 0, 0, None),
        ("0.8–0.9", 0, 0, None),
        ("0.9–1.0", 3, 1, 33.3),
    ]


def test_verdict_reuse_and_the_time_it_saved(client, desk_fixture, berlin, article_factory):
    # Gaps between one reviewer's verdicts, 30 min or less: reviewer 10, 10, 10 (A) and 5, 5, 10,
    # 20 (C); second_reviewer 10, 10, 10, 10 (B). Median of the 11 gaps: 10 minutes. A reused
    # verdict (written by nobody's hand) saves that much.
    follow_up = article_factory(desk_fixture.other_editor, title="Follow-up", body=FOLLOW_UP)
    with time_machine.travel(at(6, 15), tick=False):
        from articles import services

        job = services.submit_article(follow_up, by=desk_fixture.other_editor)
    from tests.conftest import run_extraction_now

    with time_machine.travel(at(6, 15), tick=False):
        run_extraction_now(job.pk)
    first = follow_up.claims.get(ordinal=0)
    with time_machine.travel(at(6, 16), tick=False):
        review_services.reuse_verdict(
            first,
            judged=judge(first),
            source=desk_fixture.a.claims.get(ordinal=0),
            by=desk_fixture.reviewer,
        )
    assert export(client, desk_fixture.chief, "reuse") == [
        {"figure": "Verdicts", "value": 16},
        {"figure": "Reused from another article", "value": 1},
        {"figure": "Median minutes per verdict", "value": 10.0},
        {"figure": "Reviewer hours saved", "value": 0.2},
    ]


def test_an_undone_verdict_is_no_verdict_on_the_desk(client, desk_fixture, berlin, article_factory):
    """A verdict undone from the toast (review.services.undo_verdict) and the row that undid it
    count as nothing: the verdicts per day are the fixture's own."""
    follow_up = article_factory(desk_fixture.other_editor, title="Follow-up", body=FOLLOW_UP)
    from articles import services
    from tests.conftest import run_extraction_now

    with time_machine.travel(at(6, 15), tick=False):
        job = services.submit_article(follow_up, by=desk_fixture.other_editor)
        run_extraction_now(job.pk)
    first = follow_up.claims.get(ordinal=0)
    with time_machine.travel(at(6, 16), tick=False):
        judged = review_services.record_verdict(
            first, judged=judge(first), by=desk_fixture.reviewer, verdict="verified", note="Ok."
        )
        review_services.undo_verdict(judged.verdict_event, by=desk_fixture.reviewer)

    assert export(client, desk_fixture.chief, "verdicts-day") == [
        {"day": "2026-01-05", "verified": 8, "unverified": 1},
        {"day": "2026-01-06", "verified": 6, "unverified": 0},
    ]


def test_each_chart_on_the_page_has_its_table_and_exports(client, desk_fixture, berlin):
    client.force_login(desk_fixture.chief)
    with time_machine.travel(DESK_NOW, tick=False):
        response = client.get(reverse("desk:page"), RANGE)
    html = response.content.decode()
    assert response.status_code == 200
    for slug in (
        "backlog",
        "verdicts-day",
        "verdicts-hour",
        "time-to-publish",
        "gate-waits",
        "load",
        "reuse",
        "calibration",
    ):
        assert f'id="chart-{slug}"' in html
        assert reverse("desk:export", args=[slug, "csv"]) + "?since=2026-01-05" in html
    # The gate-waits table shows its figures, and the bar of B's unverified wait links to B.
    assert '<th scope="row">Claims unverified</th><td>1</td><td>46.3</td>' in html
    items = reverse("desk:items", args=["gate-waits"]) + "?key=unverified&amp;since=2026-01-05"
    assert items in html


def test_csv_export_is_exactly_the_table(client, desk_fixture, berlin):
    client.force_login(desk_fixture.chief)
    with time_machine.travel(DESK_NOW, tick=False):
        response = client.get(reverse("desk:export", args=["verdicts-day", "csv"]), RANGE)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    assert body.splitlines() == [
        "Day,Verified,Unverified",
        "2026-01-05,8,1",
        "2026-01-06,6,0",
    ]


def test_items_behind_a_day_of_verdicts_are_that_days_claims(client, desk_fixture, berlin):
    client.force_login(desk_fixture.chief)
    url = reverse("desk:items", args=["verdicts-day"])
    response = client.get(url, {**RANGE, "key": "2026-01-06"})
    html = response.content.decode()
    assert response.status_code == 200
    # A's last claim (00:30 Berlin) and C's five.
    assert "6 claims." in html
    assert html.count(reverse("articles:detail", args=[desk_fixture.c.pk]) + '"') == 5
    assert html.count(reverse("articles:detail", args=[desk_fixture.a.pk]) + '"') == 1


def test_items_behind_the_unverified_gate_wait_are_the_held_article(client, desk_fixture, berlin):
    client.force_login(desk_fixture.chief)
    with time_machine.travel(DESK_NOW, tick=False):
        response = client.get(
            reverse("desk:items", args=["gate-waits"]), {**RANGE, "key": "unverified"}
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Council vote on ferries" in html
    assert "Ferry budget approved" not in html and "Ferry timetable out" not in html
    # Its progress bar: 4 of 5 verified (80), 1 unverified (20).
    assert 'class="progress-verified" x="0" y="0" height="8" width="80"' in html


def test_progress_bars_on_the_dashboards_and_the_queue_heading(
    client, editor, reviewer, second_reviewer
):
    from tests.conftest import make_article

    article = make_article(editor, title="Half checked", status="in_review")
    claims = list(article.claims.active().order_by("ordinal"))
    review_services.record_verdict(
        claims[0], judged=judge(claims[0]), by=second_reviewer, verdict="verified", note="Ok."
    )
    review_services.record_verdict(
        claims[1], judged=judge(claims[1]), by=second_reviewer, verdict="unverified", note="No."
    )
    # 1 of 5 verified (20), 1 unverified (20, after the verified 20), 3 pending (the rest).
    bar = (
        '<rect class="progress-verified" x="0" y="0" height="8" width="20"/>'
        '<rect class="progress-unverified" x="20" y="0" height="8" width="20"/>'
    )
    client.force_login(editor)
    assert bar in client.get(reverse("articles:dashboard")).content.decode()
    client.force_login(reviewer)
    assert bar in client.get(reverse("articles:dashboard")).content.decode()
    queue = client.get(reverse("review:queue")).content.decode()
    heading = queue[queue.index('id="queue-group-') :]
    assert bar in heading[: heading.index("</p>")]
