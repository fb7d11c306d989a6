"""Verdicts and the publication gate, including the races the gate must survive."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from articles.models import Article, ArticleEvent, Claim
from articles.services import GateClosed, InvalidTransition, publish_article, update_article
from review.services import record_verdict
from tests.conftest import STORY_CLAIMS, make_article, run_extraction_now
from tests.support.verdicts import judge


def verify_all(article: Article, reviewer) -> None:
    for claim in article.claims.active():
        record_verdict(
            claim,
            judged=judge(claim),
            by=reviewer,
            verdict="verified",
            note="Checked against the minutes.",
        )


@pytest.mark.django_db
class TestRecordVerdict:
    def test_reviewer_verifies_a_claim_and_the_history_records_it(self, editor, reviewer):
        claim = make_article(editor, status="in_review").claims.first()

        record_verdict(
            claim,
            judged=judge(claim),
            by=reviewer,
            verdict="verified",
            evidence_url="https://example.org/minutes",
        )

        claim.refresh_from_db()
        assert (claim.verdict, claim.reviewed_by, claim.evidence_url) == (
            "verified",
            reviewer,
            "https://example.org/minutes",
        )
        assert claim.reviewed_at is not None
        event = ArticleEvent.objects.get(claim=claim, kind="verdict")
        assert (event.actor, event.from_state, event.to_state) == (reviewer, "pending", "verified")
        assert event.evidence_url == "https://example.org/minutes"

    @pytest.mark.parametrize(
        ("verdict", "note", "url", "field"),
        [
            ("verified", "", "", "note"),
            ("unverified", "", "https://example.org/x", "note"),
            ("verified", "", "javascript:alert(1)", "evidence_url"),
            ("verified", "", "not a url", "evidence_url"),
            ("pending", "Back to pending", "", "verdict"),
            ("maybe", "Hmm", "", "verdict"),
        ],
    )
    def test_a_verdict_without_what_it_requires_is_refused(
        self, editor, reviewer, verdict, note, url, field
    ):
        claim = make_article(editor, status="in_review").claims.first()

        with pytest.raises(ValidationError) as excinfo:
            record_verdict(
                claim,
                judged=judge(claim),
                by=reviewer,
                verdict=verdict,
                note=note,
                evidence_url=url,
            )

        assert field in excinfo.value.message_dict
        claim.refresh_from_db()
        assert claim.verdict == "pending"
        assert not ArticleEvent.objects.filter(kind="verdict").exists()

    def test_changing_a_verdict_appends_to_the_history(self, editor, reviewer, second_reviewer):
        claim = make_article(editor, status="in_review").claims.first()

        record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Matches the filing."
        )
        record_verdict(
            claim,
            judged=judge(claim),
            by=second_reviewer,
            verdict="unverified",
            note="The filing was amended.",
        )

        claim.refresh_from_db()
        assert (claim.verdict, claim.reviewed_by) == ("unverified", second_reviewer)
        history = list(
            ArticleEvent.objects.filter(claim=claim, kind="verdict").values_list(
                "from_state", "to_state"
            )
        )
        assert history == [("pending", "verified"), ("verified", "unverified")]

    def test_reviewer_cannot_verify_claims_of_own_article(self, editor_reviewer, reviewer):
        article = make_article(editor_reviewer, status="in_review")
        claim = article.claims.first()

        with pytest.raises(PermissionDenied, match="wrote"):
            record_verdict(
                claim, judged=judge(claim), by=editor_reviewer, verdict="verified", note="Trust me."
            )
        record_verdict(
            claim, judged=judge(claim), by=reviewer, verdict="verified", note="Independent check."
        )

        claim.refresh_from_db()
        assert claim.reviewed_by == reviewer

    def test_an_editor_without_the_reviewer_role_cannot_record_verdicts(self, editor, other_editor):
        claim = make_article(editor, status="in_review").claims.first()

        with pytest.raises(PermissionDenied):
            record_verdict(
                claim, judged=judge(claim), by=other_editor, verdict="verified", note="Looks fine."
            )

        assert Claim.objects.get(pk=claim.pk).verdict == "pending"

    def test_a_claim_removed_by_an_edit_cannot_be_judged(self, editor, reviewer):
        article = make_article(editor, status="in_review")
        claim = article.claims.get(text="The council vote was 7 to 2.")
        update_article(
            article, by=editor, title=article.title, body=article.body.replace(claim.text, "")
        )
        run_extraction_now(article.extraction_jobs.get(state="pending").pk)

        with pytest.raises(InvalidTransition, match="removed"):
            record_verdict(
                claim, judged=judge(claim), by=reviewer, verdict="verified", note="Checked."
            )


@pytest.mark.django_db
class TestPublishGate:
    def test_an_article_with_every_claim_verified_is_published(self, editor, reviewer):
        article = make_article(editor, status="in_review")
        verify_all(article, reviewer)

        publish_article(article, by=editor)

        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        assert article.published_at is not None
        assert article.events.filter(kind="status", to_state="published").count() == 1

    def test_pending_claims_hold_the_article_at_the_gate_with_the_reason(self, editor, reviewer):
        article = make_article(editor, status="in_review")
        claims = list(article.claims.all())
        record_verdict(
            claims[0], judged=judge(claims[0]), by=reviewer, verdict="verified", note="ok"
        )
        record_verdict(
            claims[1], judged=judge(claims[1]), by=reviewer, verdict="unverified", note="No source."
        )

        with pytest.raises(GateClosed) as excinfo:
            publish_article(article, by=editor)

        assert str(excinfo.value) == (
            f"Cannot publish yet: {STORY_CLAIMS - 2} of {STORY_CLAIMS} claims pending, 1 unverified."
        )
        assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW

    def test_unverified_claims_block_an_editor_even_with_a_reason(self, editor, reviewer):
        article = make_article(editor, status="in_review")
        verify_all(article, reviewer)
        record_verdict(
            article.claims.first(),
            judged=judge(article.claims.first()),
            by=reviewer,
            verdict="unverified",
            note="No source.",
        )

        with pytest.raises(PermissionDenied):
            publish_article(article, by=editor, override_reason="Deadline.")
        with pytest.raises(GateClosed, match="1 unverified"):
            publish_article(article, by=editor)

        assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW

    def test_chief_publishes_over_unverified_claims_with_a_logged_reason(
        self, editor, reviewer, chief
    ):
        article = make_article(editor, status="in_review")
        verify_all(article, reviewer)
        record_verdict(
            article.claims.first(),
            judged=judge(article.claims.first()),
            by=reviewer,
            verdict="unverified",
            note="No source.",
        )

        with pytest.raises(GateClosed):
            publish_article(article, by=chief)  # no reason, no override
        publish_article(article, by=chief, override_reason="The mayor's office confirmed by phone.")

        article.refresh_from_db()
        assert article.status == Article.Status.PUBLISHED
        override = article.events.get(kind="override")
        assert override.actor == chief
        assert "confirmed by phone" in override.note

    def test_even_a_chief_cannot_override_pending_claims(self, editor, chief):
        article = make_article(editor, status="in_review")

        with pytest.raises(GateClosed, match="pending"):
            publish_article(article, by=chief, override_reason="Ship it.")

        assert Article.objects.get(pk=article.pk).status == Article.Status.IN_REVIEW
        assert not article.events.filter(kind="override").exists()

    def test_publishing_twice_is_refused(self, editor, reviewer):
        article = make_article(editor, status="in_review")
        verify_all(article, reviewer)
        publish_article(article, by=editor)

        with pytest.raises(InvalidTransition, match="already published"):
            publish_article(article, by=editor)

        assert article.events.filter(kind="status", to_state="published").count() == 1

    def test_an_article_under_reextraction_cannot_be_published(self, editor, reviewer):
        article = make_article(editor, status="in_review")
        verify_all(article, reviewer)
        update_article(
            article, by=editor, title=article.title, body=article.body + "\nA new fact was added."
        )

        with pytest.raises(InvalidTransition, match="submitted"):
            publish_article(article, by=editor)


def run_together(*actions) -> list[str]:
    """Run the actions in threads released at the same instant; each says what happened."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = [""] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            action()
            outcomes[index] = "ok"
        except (InvalidTransition, PermissionDenied) as exc:
            outcomes[index] = type(exc).__name__
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres  # real row locks there; SQLite serialises writers
class TestRaces:
    def test_two_publish_clicks_publish_once(self, editor, reviewer):
        article = make_article(editor, status="in_review")
        verify_all(article, reviewer)

        outcomes = run_together(
            lambda: publish_article(Article.objects.get(pk=article.pk), by=editor),
            lambda: publish_article(Article.objects.get(pk=article.pk), by=editor),
        )

        assert sorted(outcomes) == ["InvalidTransition", "ok"]
        assert article.events.filter(kind="status", to_state="published").count() == 1

    def test_a_verdict_racing_a_publish_never_bypasses_the_gate(
        self, editor, reviewer, second_reviewer
    ):
        for round_ in range(6):
            article = make_article(editor, title=f"Race {round_}", status="in_review")
            verify_all(article, reviewer)
            claim = article.claims.first()

            outcomes = run_together(
                lambda: publish_article(Article.objects.get(pk=article.pk), by=editor),
                lambda: record_verdict(
                    claim,
                    judged=judge(claim),
                    by=second_reviewer,
                    verdict="unverified",
                    note="Retracted.",
                ),
            )

            article.refresh_from_db()
            claim.refresh_from_db()
            if article.status == Article.Status.PUBLISHED:
                # The publish went first; the late verdict was refused and changed nothing.
                assert outcomes == ["ok", "InvalidTransition"]
                assert claim.verdict == "verified"
            else:
                # The verdict went first; the gate saw it.
                assert outcomes == ["GateClosed", "ok"]
                assert claim.verdict == "unverified"
            assert not article.claims.filter(verdict="unverified").exists() or (
                article.status == Article.Status.IN_REVIEW
            )

    def test_two_reviewers_judging_one_claim_both_land_in_the_history(
        self, editor, reviewer, second_reviewer
    ):
        article = make_article(editor, status="in_review")
        claim = article.claims.first()

        outcomes = run_together(
            lambda: record_verdict(
                claim, judged=judge(claim), by=reviewer, verdict="verified", note="Minutes, p. 4."
            ),
            lambda: record_verdict(
                claim,
                judged=judge(claim),
                by=second_reviewer,
                verdict="unverified",
                note="Not in minutes.",
            ),
        )

        assert outcomes == ["ok", "ok"]
        history = ArticleEvent.objects.filter(claim=claim, kind="verdict").order_by("id")
        assert history.count() == 2
        last = history.last()
        claim.refresh_from_db()
        # No update lost: the claim shows the verdict the history says came last.
        assert (claim.verdict, claim.reviewed_by) == (last.to_state, last.actor)
        assert history.first().to_state == last.from_state
