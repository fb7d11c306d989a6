"""Holds on claims: a reviewer who opens a claim holds it for REVIEW_HOLD_SECONDS, others cannot
judge it meanwhile, and the hold ends by itself, with a verdict, or when they open another claim."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import ArticleEvent, Claim
from articles.services import InvalidTransition, return_to_draft
from review.models import ClaimHold
from review.services import ClaimHeld, hold_claim, record_verdict, release_claim
from tests.conftest import make_article
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(editor) -> Claim:
    return make_article(editor, status="in_review").claims.get(ordinal=0)


@pytest.fixture
def frozen(time_machine):
    """The clock stands still until a test moves it."""
    time_machine.move_to(timezone.now(), tick=False)
    return time_machine


def test_opening_a_claim_holds_it_for_the_configured_time(claim, reviewer, frozen, settings):
    settings.REVIEW_HOLD_SECONDS = 300

    hold = hold_claim(claim, by=reviewer)

    assert (hold.claim, hold.holder) == (claim, reviewer)
    assert hold.expires_at == timezone.now() + dt.timedelta(seconds=300)
    assert hold.is_active()
    assert ClaimHold.objects.count() == 1


def test_opening_it_again_renews_the_hold(claim, reviewer, frozen):
    first = hold_claim(claim, by=reviewer)
    frozen.shift(dt.timedelta(seconds=200))

    renewed = hold_claim(claim, by=reviewer)

    assert renewed.pk == first.pk
    assert renewed.taken_at == first.taken_at
    assert renewed.expires_at == first.expires_at + dt.timedelta(seconds=200)
    assert ClaimHold.objects.count() == 1


def test_another_reviewer_is_refused_while_the_hold_lasts(claim, reviewer, second_reviewer, frozen):
    hold_claim(claim, by=reviewer)
    frozen.shift(dt.timedelta(seconds=299))

    with pytest.raises(ClaimHeld) as excinfo:
        hold_claim(claim, by=second_reviewer)

    assert excinfo.value.hold.holder == reviewer
    assert "Held by R. Reviewer for 1 more minute." in str(excinfo.value)
    assert ClaimHold.objects.get().holder == reviewer


def test_a_hold_expires_by_itself_and_another_reviewer_takes_it_over(
    claim, reviewer, second_reviewer, frozen
):
    hold_claim(claim, by=reviewer)
    frozen.shift(dt.timedelta(seconds=300))

    assert not ClaimHold.objects.get().is_active()
    assert not ClaimHold.objects.active().exists()
    taken = hold_claim(claim, by=second_reviewer)

    assert taken.holder == second_reviewer
    assert taken.taken_at == timezone.now()
    assert ClaimHold.objects.count() == 1


def test_a_reviewer_holds_one_claim_at_a_time(editor, reviewer):
    article = make_article(editor, status="in_review")
    first, second = article.claims.order_by("ordinal")[:2]

    hold_claim(first, by=reviewer)
    hold_claim(second, by=reviewer)

    assert list(ClaimHold.objects.values_list("claim", "holder")) == [(second.pk, reviewer.pk)]


def test_the_database_allows_one_hold_per_claim(claim, reviewer, second_reviewer):
    hold_claim(claim, by=reviewer)
    now = timezone.now()

    with pytest.raises(IntegrityError), transaction.atomic():
        ClaimHold.objects.create(
            claim=claim, holder=second_reviewer, taken_at=now, expires_at=now + dt.timedelta(1)
        )


def test_only_reviewers_who_may_judge_the_article_hold_its_claims(
    editor, editor_reviewer, chief, claim, reviewer
):
    own = make_article(editor_reviewer, title="Mine", status="in_review").claims.first()
    with pytest.raises(PermissionDenied):
        hold_claim(own, by=editor_reviewer)  # four-eyes
    for user in (editor, chief):
        with pytest.raises(PermissionDenied):
            hold_claim(claim, by=user)
    assert not ClaimHold.objects.exists()

    assert hold_claim(own, by=reviewer).holder == reviewer


def test_claims_of_an_article_not_in_review_cannot_be_held(claim, editor, reviewer):
    return_to_draft(claim.article, by=editor)

    with pytest.raises(InvalidTransition):
        hold_claim(claim, by=reviewer)
    assert not ClaimHold.objects.exists()


def test_release_ends_only_ones_own_hold(claim, reviewer, second_reviewer):
    hold_claim(claim, by=reviewer)

    assert release_claim(claim, by=second_reviewer) is False
    assert ClaimHold.objects.exists()
    assert release_claim(claim, by=reviewer) is True
    assert not ClaimHold.objects.exists()


def test_a_verdict_is_refused_on_a_claim_another_reviewer_holds(claim, reviewer, second_reviewer):
    hold_claim(claim, by=reviewer)

    with pytest.raises(ClaimHeld):
        record_verdict(
            claim, judged=judge(claim), by=second_reviewer, verdict="verified", note="Checked."
        )

    claim.refresh_from_db()
    assert claim.verdict == Claim.Verdict.PENDING
    assert not ArticleEvent.objects.filter(kind=ArticleEvent.Kind.VERDICT).exists()
    assert ClaimHold.objects.get().holder == reviewer


def test_the_holder_records_the_verdict_and_the_hold_ends(claim, reviewer):
    hold_claim(claim, by=reviewer)

    record_verdict(claim, judged=judge(claim), by=reviewer, verdict="verified", note="Checked.")

    claim.refresh_from_db()
    assert (claim.verdict, claim.reviewed_by) == ("verified", reviewer)
    assert not ClaimHold.objects.exists()


def test_an_expired_hold_does_not_stop_a_verdict(claim, reviewer, second_reviewer, frozen):
    hold_claim(claim, by=reviewer)
    frozen.shift(dt.timedelta(seconds=301))

    record_verdict(
        claim, judged=judge(claim), by=second_reviewer, verdict="unverified", note="No source."
    )

    claim.refresh_from_db()
    assert (claim.verdict, claim.reviewed_by) == ("unverified", second_reviewer)
    assert not ClaimHold.objects.exists()


def test_staff_see_holds_and_assignments_in_the_admin_read_only(
    client, staff, claim, reviewer, chief
):
    from django.urls import reverse

    from review.services import assign_article

    hold_claim(claim, by=reviewer)
    assign_article(claim.article, reviewer=reviewer, by=chief)
    client.force_login(staff)

    holds = client.get(reverse("admin:review_claimhold_changelist"), {"active": "yes"})
    assignments = client.get(reverse("admin:review_assignment_changelist"))

    assert holds.status_code == 200 and "Rui Reviewer" in holds.content.decode()
    assert assignments.status_code == 200 and claim.article.title in assignments.content.decode()
    assert client.get(reverse("admin:review_claimhold_add")).status_code == 403
