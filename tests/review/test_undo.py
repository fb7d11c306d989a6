"""Undoing a verdict (the toast's Undo, issue 13): the previous verdict comes back through the
verdict service as a new history row linked to the undone one; nothing is deleted, and only the
reviewer who recorded the verdict may undo it, right after, while it is the claim's latest."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from articles.models import ArticleEvent, Claim
from articles.services import InvalidTransition
from review.models import ClaimHold
from review.services import (
    UNDO_GRACE_SECONDS,
    UNDO_SECONDS,
    hold_claim,
    record_verdict,
    undo_verdict,
)
from tests.conftest import make_article
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db


def verdict_rows(claim: Claim) -> list[tuple[str, str, int | None, str, int | None]]:
    return list(
        ArticleEvent.objects.filter(claim=claim, kind=ArticleEvent.Kind.VERDICT)
        .order_by("id")
        .values_list("from_state", "to_state", "actor", "note", "undoes")
    )


def last_verdict(claim: Claim) -> ArticleEvent:
    return ArticleEvent.objects.filter(claim=claim, kind="verdict").latest("id")


@pytest.fixture
def claim(editor) -> Claim:
    return make_article(editor, status="in_review").claims.get(ordinal=0)


def test_undoing_a_first_verdict_makes_the_claim_pending_again_and_appends_history(claim, reviewer):
    record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes, item 4."
    )
    first = last_verdict(claim)

    restored = undo_verdict(first, by=reviewer)

    claim.refresh_from_db()
    assert restored.verdict == claim.verdict == "pending"
    assert (claim.note, claim.evidence_url, claim.reviewed_by, claim.reviewed_at) == (
        "",
        "",
        None,
        None,
    )
    assert verdict_rows(claim) == [
        ("pending", "verified", reviewer.pk, "Minutes, item 4.", None),
        ("verified", "pending", reviewer.pk, "", first.pk),
    ]


def test_undoing_a_changed_verdict_restores_the_previous_one_with_its_note_and_reviewer(
    claim, reviewer, second_reviewer
):
    record_verdict(
        claim,
        judged=judge(claim),
        by=second_reviewer,
        verdict="verified",
        note="Minutes, item 4.",
        evidence_url="https://example.org/minutes",
    )
    first = last_verdict(claim)
    record_verdict(
        claim,
        judged=judge(claim),
        by=reviewer,
        verdict="unverified",
        note="The minutes say 6 to 3.",
    )

    undo_verdict(last_verdict(claim), by=reviewer)

    claim.refresh_from_db()
    assert (
        claim.verdict,
        claim.note,
        claim.evidence_url,
        claim.reviewed_by,
        claim.reviewed_at,
    ) == (
        "verified",
        "Minutes, item 4.",
        "https://example.org/minutes",
        second_reviewer,
        first.created_at,
    )
    assert len(verdict_rows(claim)) == 3
    assert verdict_rows(claim)[2][:3] == ("unverified", "verified", reviewer.pk)


def test_only_the_reviewer_who_recorded_the_verdict_can_undo_it(claim, reviewer, second_reviewer):
    record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes.")
    event = last_verdict(claim)

    with pytest.raises(PermissionDenied):
        undo_verdict(event, by=second_reviewer)
    assert Claim.objects.get(pk=claim.pk).verdict == "verified"
    assert len(verdict_rows(claim)) == 1

    undo_verdict(event, by=reviewer)
    assert Claim.objects.get(pk=claim.pk).verdict == "pending"


def test_a_verdict_is_undone_once_and_only_while_it_is_the_claims_latest(
    claim, reviewer, second_reviewer
):
    record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes.")
    event = last_verdict(claim)
    undo_verdict(event, by=reviewer)
    with pytest.raises(InvalidTransition, match="undone already"):
        undo_verdict(event, by=reviewer)

    record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes again."
    )
    mine = last_verdict(claim)
    record_verdict(
        claim,
        judged=judge(claim),
        by=second_reviewer,
        verdict="unverified",
        note="Not in the minutes.",
    )
    with pytest.raises(InvalidTransition, match="changed since"):
        undo_verdict(mine, by=reviewer)
    claim.refresh_from_db()
    assert (claim.verdict, claim.reviewed_by) == ("unverified", second_reviewer)
    assert len(verdict_rows(claim)) == 4


def test_the_undo_window_closes(claim, reviewer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes.")
    event = last_verdict(claim)
    late = start + dt.timedelta(seconds=UNDO_SECONDS + UNDO_GRACE_SECONDS + 1)
    with time_machine.travel(late, tick=False), pytest.raises(InvalidTransition, match="Too late"):
        undo_verdict(event, by=reviewer)
    assert Claim.objects.get(pk=claim.pk).verdict == "verified"
    in_time = start + dt.timedelta(seconds=UNDO_SECONDS)
    with time_machine.travel(in_time, tick=False):
        undo_verdict(event, by=reviewer)
    assert Claim.objects.get(pk=claim.pk).verdict == "pending"


def test_an_undo_respects_another_reviewers_hold(claim, reviewer, second_reviewer):
    record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes.")
    hold_claim(claim, by=second_reviewer)

    with pytest.raises(InvalidTransition, match="Held by"):
        undo_verdict(last_verdict(claim), by=reviewer)
    assert Claim.objects.get(pk=claim.pk).verdict == "verified"
    assert ClaimHold.objects.get().holder == second_reviewer


def test_undo_view_restores_the_verdict_and_answers_with_the_toast(client, claim, reviewer):
    record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes.")
    event = last_verdict(claim)
    client.force_login(reviewer)

    response = client.post(
        reverse("review:undo", args=[event.pk]),
        {"next": "/review/"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Undone: claim 1 is pending again." in response.content.decode()
    assert "claimJudged" in response["HX-Trigger"]
    assert Claim.objects.get(pk=claim.pk).verdict == "pending"
    assert verdict_rows(claim)[-1][4] == event.pk


def test_undo_view_refuses_another_reviewers_verdict_without_a_trace(
    client, claim, reviewer, second_reviewer
):
    record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes.")
    event = last_verdict(claim)
    client.force_login(second_reviewer)

    response = client.post(reverse("review:undo", args=[event.pk]), headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert Claim.objects.get(pk=claim.pk).verdict == "verified"
    assert len(verdict_rows(claim)) == 1


def test_undo_view_hides_events_of_articles_the_user_may_not_see(client, editor, outsider):
    draft = make_article(editor)  # a draft: visible to its author only
    event = ArticleEvent.objects.filter(article=draft).first()
    client.force_login(outsider)

    response = client.post(reverse("review:undo", args=[event.pk]))

    assert response.status_code == 404


def test_undo_view_says_when_it_is_too_late(client, claim, reviewer):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes.")
    event = last_verdict(claim)
    client.force_login(reviewer)
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        response = client.post(
            reverse("review:undo", args=[event.pk]), headers={"HX-Request": "true"}
        )
    assert response.status_code == 409
    assert "Too late to undo" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).verdict == "verified"


def test_a_verdict_from_the_article_page_answers_with_a_toast_offering_undo(
    client, claim, reviewer
):
    client.force_login(reviewer)

    response = client.post(
        reverse("review:verdict", args=[claim.pk]),
        {
            "judged": judge(claim),
            "verdict": "verified",
            "note": "Minutes.",
            "next": f"/articles/{claim.article_id}/",
        },
        headers={"HX-Request": "true"},
    )

    event = last_verdict(claim)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="toast" hx-swap-oob="innerHTML">' in html
    assert "Claim 1 saved: verified." in html
    assert f'hx-post="{reverse("review:undo", args=[event.pk])}"' in html
