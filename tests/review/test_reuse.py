"""Claim intelligence in the background (scores, reuse candidates) and reusing a verdict."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

import checkworthiness
from articles.models import ArticleEvent, Claim
from articles.services import InvalidTransition, update_article
from review import intelligence
from review.intelligence import ring_claim_analysis
from review.models import ClaimKey, ReuseSuggestion
from review.services import record_verdict, reuse_verdict
from tests.conftest import FOLLOW_UP, STORY, make_article, run_extraction_now
from tests.support.verdicts import judge


def claims_by_text(article):
    return {c.text: c for c in Claim.objects.filter(article=article, retired_at__isnull=True)}


@pytest.mark.django_db
class TestAnalysis:
    def test_every_claim_gets_a_score_with_the_model_version(self, editor):
        article = make_article(editor, status="in_review")

        result = intelligence.analyse_article(article.pk)

        claims = list(article.claims.all())
        assert result["analysed"] == len(claims) == 5
        for claim in claims:
            assert 0.0 <= claim.checkworthiness <= 1.0
            assert claim.checkworthiness_model == checkworthiness.MODEL_VERSION
            assert claim.analysed_revision_id == claim.revision_id
        # Scores are hints: nothing was verified.
        assert {c.verdict for c in claims} == {"pending"}
        # The numeric budget sentence is worth more checking than the quote about waiting.
        by_text = {c.text: c.checkworthiness for c in claims}
        budget = next(t for t in by_text if "$12.5 million" in t)
        quote = next(t for t in by_text if "We waited" in t)
        assert by_text[budget] > by_text[quote]

    def test_running_it_again_changes_nothing(self, editor):
        article = make_article(editor, status="in_review")
        intelligence.analyse_article(article.pk)
        keys = ClaimKey.objects.count()

        assert intelligence.analyse_article(article.pk) == {"analysed": 0, "suggestions": 0}
        assert ClaimKey.objects.count() == keys > 0

    def test_the_same_fact_in_another_article_is_suggested_both_ways(self, analysed_pair):
        first, second = (claims_by_text(article) for article in analysed_pair)

        budget_1 = next(c for t, c in first.items() if t.startswith("Harbor City approved"))
        budget_2 = next(c for t, c in second.items() if t.startswith("Harbor City  approved"))
        ferries_1 = next(c for t, c in first.items() if "electric ferries" in t)
        ferries_2 = next(c for t, c in second.items() if "electric ferries" in t)
        vote_1 = next(c for t, c in first.items() if "7 to 2" in t)
        vote_2 = next(c for t, c in second.items() if "6 to 2" in t)

        exact = ReuseSuggestion.objects.get(claim=budget_2, source=budget_1)
        assert exact.exact and exact.similarity == 1.0
        assert ReuseSuggestion.objects.filter(claim=budget_1, source=budget_2, exact=True).exists()
        near = ReuseSuggestion.objects.get(claim=ferries_2, source=ferries_1)
        assert not near.exact and 0.6 <= near.similarity < 1.0
        # A changed number is a different claim: never suggested.
        assert not ReuseSuggestion.objects.filter(
            claim__in=[vote_1, vote_2], source__in=[vote_1, vote_2]
        ).exists()
        # Nothing within one article.
        assert not ReuseSuggestion.objects.filter(
            claim__article=budget_2.article, source__article=budget_2.article
        ).exists()

    def test_a_re_extracted_claim_is_analysed_again_and_its_old_suggestions_go(
        self, analysed_pair, other_editor
    ):
        _, second = analysed_pair
        budget_2 = second.claims.get(text__startswith="Harbor City  approved")
        assert ReuseSuggestion.objects.filter(claim=budget_2).exists()

        update_article(
            second,
            by=other_editor,
            title=second.title,
            body=FOLLOW_UP.replace("$12.5 million", "$13 million"),
        )
        run_extraction_now(second.extraction_jobs.filter(state="pending").get().pk)
        budget_2.refresh_from_db()
        assert budget_2.analysed_revision_id != budget_2.revision_id  # stale: waits for analysis
        assert Claim.objects.filter(intelligence.needs_analysis(), pk=budget_2.pk).exists()

        intelligence.analyse_article(second.pk)

        budget_2.refresh_from_db()
        assert budget_2.analysed_revision_id == budget_2.revision_id
        assert not ReuseSuggestion.objects.filter(claim=budget_2).exists()
        assert not ReuseSuggestion.objects.filter(source=budget_2).exists()


@pytest.mark.django_db
class TestReuse:
    def test_reuse_records_the_reviewers_verdict_with_its_provenance(
        self, judged_pair, second_reviewer
    ):
        source, target = judged_pair

        reuse_verdict(target, judged=judge(target), source=source, by=second_reviewer)

        target.refresh_from_db()
        assert (target.verdict, target.reviewed_by, target.reused_from) == (
            "verified",
            second_reviewer,
            source,
        )
        assert target.evidence_url == "https://example.org/minutes"
        assert "Ferry budget approved" in target.note and "R. Reviewer" in target.note
        assert "Council minutes, item 4." in target.note
        event = ArticleEvent.objects.get(claim=target, kind="verdict")
        assert (event.actor, event.to_state, event.source_claim) == (
            second_reviewer,
            "verified",
            source,
        )

    def test_a_later_verdict_by_hand_drops_the_provenance_but_history_keeps_it(
        self, judged_pair, second_reviewer
    ):
        source, target = judged_pair
        reuse_verdict(target, judged=judge(target), source=source, by=second_reviewer)

        record_verdict(
            target,
            judged=judge(target),
            by=second_reviewer,
            verdict="unverified",
            note="The minutes were amended.",
        )

        target.refresh_from_db()
        assert target.reused_from is None
        assert ArticleEvent.objects.filter(claim=target, source_claim=source).count() == 1

    def test_the_suggestion_is_offered_only_while_the_source_carries_a_verdict(
        self, analysed_pair, second_reviewer
    ):
        first, second = analysed_pair
        target = second.claims.get(text__startswith="Harbor City  approved")

        assert not ReuseSuggestion.objects.filter(claim=target).offerable(second_reviewer).exists()
        source = first.claims.get(text__startswith="Harbor City approved")
        with pytest.raises(InvalidTransition, match="no longer carries a verdict"):
            reuse_verdict(target, judged=judge(target), source=source, by=second_reviewer)

        record_verdict(
            source, judged=judge(source), by=second_reviewer, verdict="verified", note="Minutes."
        )
        offered = list(ReuseSuggestion.objects.filter(claim=target).offerable(second_reviewer))
        assert [s.source for s in offered] == [source]

    def test_a_different_fact_is_refused_even_when_asked_for_directly(
        self, judged_pair, second_reviewer
    ):
        source, _ = judged_pair
        other = Claim.objects.get(text="The council vote was 6 to 2.")

        with pytest.raises(InvalidTransition, match="do not state the same fact"):
            reuse_verdict(other, judged=judge(other), source=source, by=second_reviewer)

        other.refresh_from_db()
        assert other.verdict == "pending" and other.reused_from is None
        assert not ArticleEvent.objects.filter(claim=other, kind="verdict").exists()

    def test_four_eyes_holds_for_reuse(self, judged_pair, other_editor):
        source, target = judged_pair  # other_editor wrote the target's article

        with pytest.raises(PermissionDenied):
            reuse_verdict(target, judged=judge(target), source=source, by=other_editor)
        target.refresh_from_db()
        assert target.verdict == "pending"

    def test_a_source_the_reviewer_may_not_see_is_refused(
        self, judged_pair, second_reviewer, editor
    ):
        from articles.services import return_to_draft

        source, target = judged_pair
        return_to_draft(source.article, by=editor)  # back to the author's draft: private again

        with pytest.raises(PermissionDenied):
            reuse_verdict(target, judged=judge(target), source=source, by=second_reviewer)
        assert not ReuseSuggestion.objects.filter(claim=target).offerable(second_reviewer).exists()

    def test_reuse_within_one_article_is_refused(self, editor, reviewer, second_reviewer):
        body = STORY + "\nThe council vote was 7 to 2.\n"
        article = make_article(editor, body=body, status="in_review")
        first, second = article.claims.filter(text="The council vote was 7 to 2.")
        record_verdict(first, judged=judge(first), by=reviewer, verdict="verified", note="Minutes.")

        with pytest.raises(InvalidTransition, match="another article"):
            reuse_verdict(second, judged=judge(second), source=first, by=second_reviewer)


@pytest.mark.django_db
class TestSweep:
    def test_it_rings_for_articles_left_unanalysed_and_for_an_older_model(
        self, editor, other_editor
    ):
        import datetime as dt

        from django.utils import timezone

        from articles.models import Revision

        waiting = make_article(editor, status="in_review")
        done = make_article(
            other_editor, title="Ferry follow-up", body=FOLLOW_UP, status="in_review"
        )
        intelligence.analyse_article(done.pk)
        # A message lost a while ago: only then does the sweep ring again (not for fresh work).
        assert intelligence.sweep() == 0
        Revision.objects.update(created_at=timezone.now() - dt.timedelta(minutes=5))

        # One message accepted by the (real) broker, for `waiting`. (Not counted on the queue: the
        # session's test worker may already have taken it.)
        assert intelligence.sweep() == 1

        intelligence.analyse_article(waiting.pk)
        assert intelligence.sweep() == 0
        # A new model: every claim scored by the old one is due again.
        Claim.objects.filter(article=done).update(checkworthiness_model="an-older-model")
        assert intelligence.sweep() == 1
        assert intelligence.analyse_article(done.pk)["analysed"] == 4
        assert set(Claim.objects.values_list("checkworthiness_model", flat=True)) == {
            checkworthiness.MODEL_VERSION
        }

    def test_a_broker_that_is_down_is_logged_not_raised(self, editor, redis_server, caplog):
        from tests.support.fixtures import point_app_at_redis

        article = make_article(editor, status="in_review")
        point_app_at_redis("redis://127.0.0.1:9/0")  # nothing listens on the discard port
        try:
            assert ring_claim_analysis([article.pk]) is False
        finally:
            point_app_at_redis(redis_server.url)
        assert "did not answer" in caplog.text and "claim analysis" in caplog.text
