"""Issue 14's acceptance story in one run, in a real Chromium against the live server, with real
Celery workers, beat, Redis and a real SMTP server: a chief editor assigns an article; the
reviewer's bell counts it without a reload and the email arrives; the reviewer asks the author
about a claim; the author answers from their dashboard; the reviewer resolves the question and
verifies the claim; the editor schedules publication a few seconds ahead and beat publishes it; a
chief editor unpublishes it with a reason. Each part has its own detailed test
(test_notifications, test_conversations, test_publishing); this one proves they make one loop."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.utils import timezone

from articles import permissions
from articles.models import Article, ArticleEvent, Claim
from review import services as review_services
from review.conversations.models import Comment
from review.notifications import services as notifications
from tests.conftest import make_article, make_user
from tests.support.verdicts import judge

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_assign_notify_ask_answer_resolve_verify_schedule_publish_unpublish(
    new_page, sign_in, smtp_server, mail_worker, celery_worker, start_beat, editor, chief
):
    from playwright.sync_api import expect

    article = make_article(editor, title="Harbor ferries", status="in_review")
    rita = make_user(
        "rita", permissions.REVIEWER, first_name="Rita", last_name="Reyes", email="rita@x.test"
    )
    notifications.set_channel(rita, kind="assigned", channel="immediate")
    mail_worker()
    start_beat(env={"PUBLISH_SCHEDULED_SECONDS": "1"})

    # --- A chief assigns; the reviewer's bell counts it without a reload; the email arrives. ---
    desk = new_page()
    sign_in(desk, "rita")
    bell = desk.locator("a.bell")
    desk.evaluate("window.notReloaded = true")
    boss = new_page()
    sign_in(boss, "chief")
    boss.goto(f"/articles/{article.pk}/")
    boss.locator("#review-panel select").select_option(str(rita.pk))
    boss.get_by_role("button", name="Assign", exact=True).click()
    expect(bell.locator(".bell-count")).to_have_text("1", timeout=25_000)
    assert desk.evaluate("window.notReloaded") is True
    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["rita@x.test"]
    assert "Harbor ferries" in message["Subject"]

    # --- The reviewer asks the author about the first claim. -----------------------------------
    claim = article.claims.active().order_by("ordinal").first()
    desk.goto(f"/review/claims/{claim.pk}/")
    thread = desk.locator(f"#thread-{claim.pk}")
    thread.locator(f"#thread-body-{claim.pk}").fill("Which budget year is this?")
    thread.get_by_role("button", name="Ask the author").click()
    expect(thread.locator(".thread-comment.is-open")).to_contain_text("Question open")

    # --- The author answers from their dashboard. ----------------------------------------------
    author = new_page()
    sign_in(author, "editor")
    section = author.locator("section", has=author.get_by_role("heading", name="Needs your answer"))
    expect(section).to_contain_text("Which budget year is this?")
    section.get_by_role("link", name="Answer").click()
    answer_thread = author.locator(f"#thread-{claim.pk}")
    answer_thread.get_by_label("Your answer").fill("The 2027 budget.")
    answer_thread.get_by_role("button", name="Answer", exact=True).click()
    expect(answer_thread).to_contain_text("The 2027 budget.")

    # --- The reviewer resolves the question and verifies the claim. ---------------------------
    desk.goto(f"/review/claims/{claim.pk}/")
    thread = desk.locator(f"#thread-{claim.pk}")
    expect(thread).to_contain_text("The 2027 budget.")
    thread.get_by_role("button", name="Resolve").click()
    expect(thread).to_contain_text("Question resolved")
    row = desk.locator(f"#claim-row-{claim.pk}")
    row.get_by_role("radio", name="Verified", exact=True).check()
    row.get_by_label("Note").fill("The author confirmed the year; the minutes agree.")
    row.get_by_role("button", name="Save verdict").click()
    expect(row.locator(".verdict-badge")).to_have_text("Verified")
    # The other claims were checked the same way; here through the service, to keep this short.
    for other in article.claims.active().exclude(pk=claim.pk):
        review_services.record_verdict(
            other, by=rita, judged=judge(other), verdict="verified", note="Minutes, item 4."
        )

    # --- The editor schedules publication a few seconds ahead; beat publishes it. --------------
    author.goto(f"/articles/{article.pk}/")
    gate = author.locator("#gate")
    at = (timezone.now() + dt.timedelta(seconds=8)).astimezone(
        zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )
    gate.get_by_label(f"Publish at ({settings.TIME_ZONE} time)").fill(
        at.strftime("%Y-%m-%dT%H:%M:%S")
    )
    gate.get_by_role("button", name="Schedule publication").click()
    expect(gate).to_contain_text("Scheduled for")
    expect(gate).to_contain_text("Published", timeout=30_000)
    assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED

    # --- A chief unpublishes it with a reason. -------------------------------------------------
    boss.goto(f"/articles/{article.pk}/")
    boss_gate = boss.locator("#gate")
    boss_gate.get_by_label("Reason for unpublishing (kept in the history)").fill(
        "The council withdrew the budget vote."
    )
    boss_gate.get_by_role("button", name="Unpublish").click()
    expect(boss_gate).to_contain_text("Withdrawn")

    article.refresh_from_db()
    claim.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN
    assert (claim.verdict, claim.reviewed_by) == (Claim.Verdict.VERIFIED, rita)
    question = Comment.objects.get(is_question=True)
    assert (question.question_state, question.resolved_by) == ("resolved", rita)
    kinds = set(article.events.values_list("kind", flat=True))
    assert {
        ArticleEvent.Kind.ASSIGNED,
        ArticleEvent.Kind.QUESTION_OPENED,
        ArticleEvent.Kind.QUESTION_RESOLVED,
        ArticleEvent.Kind.SCHEDULED,
        ArticleEvent.Kind.UNPUBLISHED,
    } <= kinds
    published = article.events.get(kind="status", to_state="published")
    assert published.actor == editor  # beat publishes as the person who scheduled
