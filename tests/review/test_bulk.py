"""Bulk verdicts: one verdict and note for several claims of one article, all or nothing, each
claim with its own history row."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from articles.models import ArticleEvent, Claim
from articles.services import InvalidTransition
from review.services import hold_claim, record_verdicts
from tests.conftest import STORY_CLAIMS, make_article
from tests.support.verdicts import judge, judged_fields

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_a_bulk_verdict_writes_one_history_row_per_claim(editor, reviewer):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.order_by("ordinal")[:3])

    recorded = record_verdicts(
        claims,
        judged={c.pk: judge(c) for c in claims},
        by=reviewer,
        verdict="verified",
        note="Council minutes.",
        evidence_url="https://example.org/m",
    )

    assert [c.pk for c in recorded] == [c.pk for c in claims]
    for claim in claims:
        claim.refresh_from_db()
        assert (claim.verdict, claim.note, claim.reviewed_by) == (
            "verified",
            "Council minutes.",
            reviewer,
        )
    events = ArticleEvent.objects.filter(kind=ArticleEvent.Kind.VERDICT).order_by("id")
    assert [(e.claim_id, e.from_state, e.to_state, e.actor) for e in events] == [
        (c.pk, "pending", "verified", reviewer) for c in claims
    ]
    assert article.claims.filter(verdict="pending").count() == STORY_CLAIMS - 3


def test_one_refused_claim_means_nothing_is_recorded(editor, reviewer, second_reviewer):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.order_by("ordinal")[:3])
    hold_claim(claims[2], by=second_reviewer)

    with pytest.raises(InvalidTransition) as excinfo:
        record_verdicts(
            claims,
            judged={c.pk: judge(c) for c in claims},
            by=reviewer,
            verdict="verified",
            note="Checked.",
        )

    assert str(excinfo.value).startswith("Claim 3: Held by second_reviewer")
    assert "Nothing was recorded." in str(excinfo.value)
    assert not article.claims.exclude(verdict="pending").exists()
    assert not ArticleEvent.objects.filter(kind=ArticleEvent.Kind.VERDICT).exists()


def test_a_bulk_verdict_covers_claims_of_one_article_only(editor, reviewer):
    first = make_article(editor, title="One", status="in_review")
    second = make_article(editor, title="Two", status="in_review")

    with pytest.raises(ValidationError) as excinfo:
        record_verdicts(
            [first.claims.first(), second.claims.first()],
            judged={c.pk: judge(c) for c in [first.claims.first(), second.claims.first()]},
            by=reviewer,
            verdict="verified",
            note="x",
        )
    with pytest.raises(ValidationError):
        record_verdicts([], judged={}, by=reviewer, verdict="verified", note="x")
    with pytest.raises(ValidationError):
        record_verdicts(
            list(first.claims.all()),
            judged={c.pk: judge(c) for c in list(first.claims.all())},
            by=reviewer,
            verdict="unverified",
            note=" ",
        )

    assert "one article" in excinfo.value.message_dict["claims"][0]
    assert not Claim.objects.exclude(verdict="pending").exists()


def test_four_eyes_holds_for_bulk_verdicts(editor_reviewer):
    article = make_article(editor_reviewer, status="in_review")

    with pytest.raises(PermissionDenied):
        record_verdicts(
            list(article.claims.all()),
            judged={c.pk: judge(c) for c in list(article.claims.all())},
            by=editor_reviewer,
            verdict="verified",
            note="x",
        )
    assert not Claim.objects.exclude(verdict="pending").exists()


def test_bulk_form_in_the_queue_records_the_ticked_claims(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    ticked = list(article.claims.order_by("ordinal").values_list("pk", flat=True)[:2])
    client.force_login(reviewer)
    page = client.get(reverse("review:queue")).content.decode()
    assert f'form="bulk-{article.pk}"' in page and f'id="bulk-{article.pk}"' in page

    response = client.post(
        reverse("review:bulk_verdict", args=[article.pk]),
        {
            "claims": ticked,
            **judged_fields(ticked),
            "verdict": "unverified",
            "note": "Nobody confirms it.",
            "evidence_url": "",
        },
        **HTMX,
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(
        f'<section class="panel queue-article" id="queue-group-{article.pk}"'
    )
    assert "2 claims unverified." in html
    assert f"{STORY_CLAIMS - 2} claims awaiting you in 1 article." in html  # out of band
    for pk in ticked:
        assert f'id="claim-row-{pk}"' not in html
    assert set(article.claims.filter(verdict="unverified").values_list("pk", flat=True)) == set(
        ticked
    )
    assert ArticleEvent.objects.filter(kind="verdict").count() == 2


def test_bulk_form_refuses_bad_input_and_keeps_the_selection(client, editor, reviewer):
    article = make_article(editor, status="in_review")
    ticked = article.claims.order_by("ordinal").first().pk
    client.force_login(reviewer)

    missing_note = client.post(
        reverse("review:bulk_verdict", args=[article.pk]),
        {"claims": [ticked], **judged_fields([ticked]), "verdict": "unverified", "note": ""},
        **HTMX,
    )
    nothing_ticked = client.post(
        reverse("review:bulk_verdict", args=[article.pk]),
        {"verdict": "verified", "note": "Fine."},
        **HTMX,
    )

    assert missing_note.status_code == 422
    assert "Say why the claim could not be verified." in missing_note.content.decode()
    assert f'value="{ticked}" form="bulk-{article.pk}" checked' in (missing_note.content.decode())
    assert nothing_ticked.status_code == 422
    assert "Tick at least one claim." in nothing_ticked.content.decode()
    assert not article.claims.exclude(verdict="pending").exists()


def test_bulk_form_reports_a_held_claim_as_a_conflict(client, editor, reviewer, second_reviewer):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.order_by("ordinal")[:2])
    hold_claim(claims[1], by=second_reviewer)
    client.force_login(reviewer)

    response = client.post(
        reverse("review:bulk_verdict", args=[article.pk]),
        {
            "claims": [c.pk for c in claims],
            **judged_fields(claims),
            "verdict": "verified",
            "note": "Fine.",
        },
        **HTMX,
    )

    assert response.status_code == 409
    assert "Claim 2: Held by second_reviewer" in response.content.decode()
    assert not article.claims.exclude(verdict="pending").exists()


def test_bulk_verdicts_are_refused_for_the_author(client, editor_reviewer):
    article = make_article(editor_reviewer, status="in_review")
    client.force_login(editor_reviewer)

    response = client.post(
        reverse("review:bulk_verdict", args=[article.pk]),
        {
            "claims": [article.claims.first().pk],
            **judged_fields([article.claims.first()]),
            "verdict": "verified",
            "note": "Mine.",
        },
        **HTMX,
    )

    assert response.status_code == 403
    assert not article.claims.exclude(verdict="pending").exists()


def test_one_bulk_verdict_is_one_entry_of_the_activity_page(client, editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.order_by("ordinal"))
    judged = {claim.pk: judge(claim) for claim in claims}
    record_verdicts(claims[:3], by=reviewer, judged=judged, verdict="verified", note="Minutes.")
    record_verdicts(claims[3:], by=reviewer, judged=judged, verdict="unverified", note="No source.")
    client.force_login(chief)

    html = client.get(reverse("review:activity"), {"kind": "verdict"}).content.decode()

    # Each claim keeps its own history row, all of one action sharing a bulk id...
    rows = ArticleEvent.objects.filter(kind="verdict")
    assert rows.count() == STORY_CLAIMS
    assert len(set(rows.values_list("bulk_id", flat=True))) == 2
    assert None not in set(rows.values_list("bulk_id", flat=True))
    # ...and the page shows one entry per action, naming its claims.
    tbody = html[html.index("<tbody>") : html.index("</tbody>")]
    assert tbody.count("<tr>") == 2
    assert "Bulk verdict on 3 claims:" in tbody
    assert f"Bulk verdict on {STORY_CLAIMS - 3} claims:" in tbody
    assert tbody.count("<li>claim ") == STORY_CLAIMS
