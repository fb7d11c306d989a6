"""Conversations on claims in a real browser: a reviewer asks the author about a claim from the
queue's panel (a comment with markup shows as text and runs nothing; a mention is picked from the
autocomplete); the author, on a 390 px screen, finds it on the dashboard under "Needs your
answer" and answers in the thread; the reviewer resolves it and then verifies the claim. axe-clean
pages at 1400 and 390 px."""

from __future__ import annotations

import pytest

from articles.models import ArticleEvent, Claim
from review.conversations.models import Comment
from tests.conftest import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

HOSTILE = '<script>window.pwned = 1</script><img src="x" onerror="window.pwned = 2">'


def fits(locator, width: int = 390) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def assert_clean(violations: list[dict], where: str) -> None:
    assert violations == [], f"axe violations on {where}: {violations}"


@pytest.mark.usefixtures("messages_reach_no_worker")  # extraction runs in-process (make_article)
def test_a_reviewer_asks_the_author_answers_from_the_dashboard_and_the_reviewer_resolves(
    new_page, sign_in, axe, editor, reviewer
):
    from playwright.sync_api import expect

    article = make_article(editor, status="in_review")
    claim = article.claims.active().order_by("ordinal").first()

    # --- The reviewer, in the queue's panel. -----------------------------------------------------
    desk = new_page()
    sign_in(desk, "reviewer")
    desk.goto("/review/")
    desk.locator(f"#claim-row-{claim.pk} .open-claim").click()
    thread = desk.locator(f"#thread-{claim.pk}")
    expect(thread).to_contain_text("No comments yet.")
    box = thread.locator(f"#thread-body-{claim.pk}")

    # Markup is text: shown as typed, never run.
    box.fill(HOSTILE)
    thread.get_by_role("button", name="Comment", exact=True).click()
    expect(thread.locator(".thread-body").first).to_have_text(HOSTILE)
    assert desk.evaluate("typeof window.pwned") == "undefined"

    # The question, with a mention picked by name from the autocomplete.
    box = thread.locator(f"#thread-body-{claim.pk}")
    box.fill("Which budget year is this? ")
    thread.get_by_label("Mention someone").fill("Eda")
    thread.get_by_role("button", name="Eda Editor @editor").click()
    expect(box).to_have_value("Which budget year is this? @editor ")
    thread.get_by_role("button", name="Ask the author").click()
    expect(thread.locator(".thread-comment.is-open")).to_contain_text("Question open")
    expect(thread.locator(".thread-comment.is-open .thread-body")).to_have_text(
        "Which budget year is this? @editor"
    )
    question = Comment.objects.get(is_question=True)
    assert list(question.mentions.values_list("user__username", flat=True)) == ["editor"]
    assert question.event.kind == ArticleEvent.Kind.QUESTION_OPENED
    # The queue's poller sees the new history row and refreshes the list: the row says so.
    expect(desk.locator(f"#claim-row-{claim.pk} .badge-question")).to_have_text(
        "Question open", timeout=20_000
    )
    assert_clean(axe(desk, "conversation-queue-panel"), "the queue with the thread")

    # --- The author, on a phone: dashboard → answer in the thread. -----------------------------
    phone = new_page(viewport={"width": 390, "height": 844})
    sign_in(phone, "editor")
    section = phone.locator("section", has=phone.get_by_role("heading", name="Needs your answer"))
    expect(section).to_contain_text("Which budget year is this? @editor")
    expect(section).to_contain_text(claim.text)
    # The section fits the screen (the dashboard's article tables are wider than 390 px on their
    # own, before this feature: not this test's business).
    assert fits(section.locator(".needs-answer-item").first)
    assert_clean(axe(phone, "needs-your-answer-390"), "the dashboard at 390 px")
    section.get_by_role("link", name="Answer").click()
    answer_thread = phone.locator(f"#thread-{claim.pk}")
    answer_thread.get_by_label("Your answer").fill("The 2027 budget, adopted in December.")
    answer_thread.get_by_role("button", name="Answer", exact=True).click()
    expect(answer_thread).to_contain_text("The 2027 budget, adopted in December.")
    expect(answer_thread).to_contain_text("answer")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_clean(axe(phone, "claim-thread-390"), "the claim page's thread at 390 px")
    answer = Comment.objects.get(author=editor)
    assert answer.reply_to == question
    # Answered, still open: only the asker (or a chief) resolves.
    assert answer_thread.get_by_role("button", name="Resolve").count() == 0

    # --- The reviewer resolves, then verifies the claim. ----------------------------------------
    page = new_page()
    sign_in(page, "reviewer")
    page.goto(f"/review/claims/{claim.pk}/")
    reviewer_thread = page.locator(f"#thread-{claim.pk}")
    expect(reviewer_thread).to_contain_text("The 2027 budget, adopted in December.")
    reviewer_thread.get_by_role("button", name="Resolve").click()
    expect(reviewer_thread).to_contain_text("Question resolved")
    expect(reviewer_thread).to_contain_text("Resolved by Rui Reviewer")
    row = page.locator(f"#claim-row-{claim.pk}")
    row.get_by_role("radio", name="Verified", exact=True).check()
    row.get_by_label("Note").fill("The author confirmed the year; the minutes agree.")
    row.get_by_role("button", name="Save verdict").click()
    expect(row.locator(".verdict-badge")).to_have_text("Verified")
    assert_clean(axe(page, "claim-thread-resolved"), "the claim page after resolving")

    claim.refresh_from_db()
    question.refresh_from_db()
    assert (claim.verdict, claim.reviewed_by) == (Claim.Verdict.VERIFIED, reviewer)
    assert (question.question_state, question.resolved_by) == ("resolved", reviewer)
    kinds = list(
        ArticleEvent.objects.filter(claim=claim).order_by("id").values_list("kind", flat=True)
    )
    assert kinds == ["comment", "question_opened", "comment", "question_resolved", "verdict"]
