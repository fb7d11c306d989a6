"""Who is told about each of today's history rows (the rules of review/notifications/rules.py and
the fan-out's filters), through the real services, in the transaction that wrote the row."""

from __future__ import annotations

import pytest

from articles import permissions
from articles import services as article_services
from articles.models import ArticleEvent
from review import services as review_services
from review.notifications import rules, services
from review.notifications.models import Notification
from tests.conftest import make_article, make_user, run_extraction_now
from tests.support.verdicts import judge

pytestmark = pytest.mark.django_db


def received(user, kind: str | None = None) -> list[Notification]:
    queryset = Notification.objects.filter(recipient=user)
    if kind:
        queryset = queryset.filter(kind=kind)
    return list(queryset.order_by("id"))


def test_assigned_reviewer_is_told_and_the_assigning_chief_is_not(editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    review_services.assign_article(article, reviewer=reviewer, by=chief)

    assert [n.kind for n in received(reviewer)] == ["entered_review", "assigned"]
    notice = received(reviewer)[1]
    assert notice.article_id == article.pk
    assert notice.event.kind == ArticleEvent.Kind.ASSIGNED
    assert "assigned you “Ferry budget approved”" in notice.reason
    assert received(chief) == []
    assert received(editor) == []


def test_an_assigned_draft_tells_nobody_who_cannot_see_it(editor, reviewer, chief):
    article = make_article(editor, status="draft")
    assert not permissions.can_view_article(reviewer, article)
    review_services.assign_article(article, reviewer=reviewer, by=chief)
    assert received(reviewer) == []


def test_entered_review_goes_to_every_reviewer_when_none_is_assigned(
    editor_reviewer, reviewer, second_reviewer, outsider, chief
):
    inactive = make_user("gone", permissions.REVIEWER, is_active=False)
    article = make_article(editor_reviewer, status="in_review")

    told = Notification.objects.filter(kind="entered_review", article=article)
    assert sorted(told.values_list("recipient__username", flat=True)) == [
        "reviewer",
        "second_reviewer",
    ]
    # Never the author (who is a reviewer too), nor an inactive reviewer, nor anyone else.
    assert received(editor_reviewer) == received(inactive) == received(outsider) == []
    assert received(chief) == []


def test_entered_review_goes_to_the_assigned_reviewers_only(
    editor, reviewer, second_reviewer, chief
):
    article = make_article(editor, status="submitted")
    review_services.assign_article(article, reviewer=reviewer, by=chief)
    run_extraction_now(article.extraction_jobs.latest("pk").pk)

    assert [n.kind for n in received(reviewer)] == ["assigned", "entered_review"]
    assert "assigned to you" in received(reviewer, "entered_review")[0].reason
    assert received(second_reviewer) == []


def test_unverified_claim_tells_the_author_with_the_claim(editor, reviewer):
    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()
    review_services.record_verdict(
        claim,
        by=reviewer,
        judged=judge(claim),
        verdict="unverified",
        note="No source <b>found</b>.",
    )

    [notice] = received(editor, "unverified")
    assert notice.claim_id == claim.pk
    assert "No source <b>found</b>." in notice.reason  # kept as text; templates escape it
    assert received(reviewer, "unverified") == []


def test_gate_opened_tells_the_author_once_on_the_last_verified_claim(editor, reviewer):
    article = make_article(editor, status="in_review")
    claims = list(article.claims.active())
    for claim in claims:
        review_services.record_verdict(
            claim, by=reviewer, judged=judge(claim), verdict="verified", note="Checked."
        )

    [notice] = received(editor, "gate_opened")
    assert notice.event.claim_id == claims[-1].pk
    assert received(reviewer, "gate_opened") == []


def test_published_tells_the_author_unless_they_published_it(editor, reviewer, chief):
    own = make_article(editor, status="published")  # published by the author
    assert received(editor, "published") == []

    article = make_article(editor, title="Second story", status="in_review")
    for claim in article.claims.active():
        review_services.record_verdict(
            claim, by=reviewer, judged=judge(claim), verdict="verified", note="Checked."
        )
    article_services.publish_article(article, by=chief)
    [notice] = received(editor, "published")
    assert notice.article_id == article.pk != own.pk
    assert received(chief, "published") == []


def test_override_tells_the_author_and_every_other_chief(editor, reviewer, chief):
    other_chief = make_user("other_chief", permissions.CHIEF)
    article = make_article(editor, status="in_review")
    for claim in article.claims.active():
        review_services.record_verdict(
            claim, by=reviewer, judged=judge(claim), verdict="unverified", note="No source."
        )
    article_services.publish_article(article, by=chief, override_reason="Public interest.")

    for user in (editor, other_chief):
        [notice] = received(user, "published_override")
        assert "Public interest." in notice.reason
    assert received(chief) == []
    # The override notice says it all: no second "published" notice for the author.
    assert received(editor, "published") == []


def test_a_rule_naming_someone_who_cannot_see_the_article_notifies_nobody(
    monkeypatch, editor, outsider, reviewer
):
    """The fan-out's filter, whatever a rule returns: no access, inactive, or the actor."""
    inactive = make_user("inactive", permissions.CHIEF, is_active=False)

    def everyone(event, batch):
        return {outsider: "x", inactive: "x", event.actor: "x", reviewer: "seen"}

    monkeypatch.setitem(
        rules.RULES, ArticleEvent.Kind.EDITED, (rules.Rule("assigned", "test", everyone),)
    )
    article = make_article(editor, status="in_review")
    article_services.update_article(article, by=editor, title="New title", body=article.body)

    assert [n.reason for n in Notification.objects.filter(event__kind="edited")] == ["seen"]


def test_running_the_fan_out_again_adds_nothing(editor, reviewer, chief):
    article = make_article(editor, status="in_review")
    review_services.assign_article(article, reviewer=reviewer, by=chief)
    event = ArticleEvent.objects.get(article=article, kind=ArticleEvent.Kind.ASSIGNED)
    services.fan_out(events=[event])
    assert len(received(reviewer, "assigned")) == 1


def test_an_extraction_batch_costs_the_same_queries_for_2_and_12_articles(
    editor, reviewer, second_reviewer, chief
):
    """Every article of the batch enters review and every reviewer is told: one INSERT of
    notifications for the batch, and no query more per article."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from extraction import extract

    def complete(n: int) -> int:
        articles = [make_article(editor, title=f"S{n}-{i}", status="submitted") for i in range(n)]
        jobs = [article.extraction_jobs.get() for article in articles]
        review_services.assign_article(articles[0], reviewer=reviewer, by=chief)
        taken = article_services.start_extraction_jobs(jobs[0].pk, more=n - 1)
        results = {job.pk: extract(job.revision.body) for job in taken.jobs}
        with CaptureQueriesContext(connection) as queries:
            article_services.complete_extraction_jobs(results, token=taken.token)
        told = Notification.objects.filter(kind="entered_review", article__in=articles)
        # The assigned article goes to its reviewer; the others to both reviewers.
        assert told.count() == 1 + 2 * (n - 1)
        return len(queries)

    assert complete(2) == complete(12)


def test_a_bulk_verdict_that_opens_the_gate_tells_the_author_once(editor, reviewer):
    from tests.support.verdicts import judged_fields

    article = make_article(editor, status="in_review")
    claims = list(article.claims.active())
    review_services.record_verdicts(
        claims,
        by=reviewer,
        judged={int(k.split("-")[1]): v for k, v in judged_fields(claims).items()},
        verdict="verified",
        note="Checked.",
    )

    [notice] = received(editor, "gate_opened")
    # The same row the webhooks call `article.gate_opened` (one definition: articles.history).
    from articles.history import gate_after

    assert gate_after(notice.event).is_open
    assert ArticleEvent.objects.filter(article=article, kind="verdict").count() == len(claims)


def test_a_failed_schedule_tells_the_author_and_every_chief_why(editor, reviewer, chief):
    import datetime as dt

    from django.utils import timezone

    from tests.conftest import ready_article

    other_chief = make_user("other_chief", permissions.CHIEF)
    article = ready_article(editor, reviewer)
    article_services.schedule_publication(
        article, by=editor, at=timezone.now() + dt.timedelta(minutes=5)
    )
    claim = article.claims.active().first()
    review_services.record_verdict(
        claim, judged=judge(claim), by=reviewer, verdict="unverified", note="Retracted."
    )

    run = article_services.publish_due_articles(now=timezone.now() + dt.timedelta(minutes=6))

    assert run.failed == [article.pk]
    for user in (editor, chief, other_chief):
        [notice] = received(user, "schedule_failed")
        assert notice.reason == (
            f"“{article.title}” was not published as scheduled: The gate closed: 1 unverified."
        )
    assert received(reviewer, "schedule_failed") == []


def test_unpublishing_tells_the_author_with_the_reason(editor, reviewer, chief):
    from tests.conftest import ready_article

    article = ready_article(editor, reviewer)
    article_services.publish_article(article, by=editor)
    article_services.unpublish_article(article, by=chief, reason="Legal asked us to hold it.")

    [notice] = received(editor, "unpublished")
    assert notice.reason.endswith("from publication: Legal asked us to hold it.")
    assert received(chief, "unpublished") == []


def test_a_question_tells_the_author_an_answer_the_asker_and_a_mention_the_one_named(
    editor, reviewer, second_reviewer, chief
):
    from review.conversations import services as conversations

    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()
    outsider = make_user("outsider_editor", permissions.EDITOR)  # may not see a draft-free story

    conversations.ask_author(
        claim, by=reviewer, body="@second_reviewer @outsider_editor which year is this?"
    )
    conversations.add_comment(claim, by=editor, body="The 2027 budget, @reviewer.")

    [question] = received(editor, "question")
    assert "asked you about claim 1 of “Ferry budget approved”" in question.reason
    assert question.reason.endswith("which year is this?")
    assert question.claim_id == claim.pk
    assert [n.kind for n in received(second_reviewer)] == ["entered_review", "mention"]
    assert received(outsider, "mention") == []  # cannot see the article: never stored, never told
    # The asker hears of the answer once (as its answer, not again as a mention).
    assert [n.kind for n in received(reviewer) if n.kind in ("answer", "mention")] == ["answer"]
    assert "answered your question on claim 1" in received(reviewer, "answer")[0].reason
    # Nobody is told about their own comment.
    assert received(editor, "mention") == []
    assert received(chief, "question") == []


def test_an_edit_that_names_someone_new_tells_only_them(editor, reviewer, second_reviewer, chief):
    """Mentions are stored with the row that added them: an edit within the edit window that
    names a new person tells that person once, and does not tell again the people the comment
    already named."""
    from review.conversations import services as conversations

    article = make_article(editor, status="in_review")
    claim = article.claims.active().first()
    comment = conversations.add_comment(claim, by=reviewer, body="@second_reviewer can you look?")
    assert len(received(second_reviewer, "mention")) == 1

    conversations.edit_comment(
        comment, by=reviewer, body="@second_reviewer @chief can you look? Page 3 disagrees."
    )
    conversations.edit_comment(
        comment, by=reviewer, body="@second_reviewer @chief can you look? Page 4 disagrees."
    )

    [told] = received(chief, "mention")
    assert told.event.kind == ArticleEvent.Kind.COMMENT_EDITED
    assert told.reason.endswith("@second_reviewer @chief can you look? Page 3 disagrees.")
    assert told.claim_id == claim.pk
    assert len(received(second_reviewer, "mention")) == 1  # named before the edit: not again
    assert received(reviewer, "mention") == []
    assert sorted(
        (m.user.username, m.event.kind) for m in comment.mentions.select_related("user", "event")
    ) == [("chief", "comment_edited"), ("second_reviewer", "comment")]
