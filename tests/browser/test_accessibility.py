"""Automated accessibility check: axe-core (npm's, node_modules/axe-core) run in Chromium on the
queue, the article page and the dashboards, each in a state that shows what it can show (a claim
open in context, a claim held by someone else, an assignment and a due time, a diff since the last
review round, live progress). No serious or critical violation may remain; the full reports go to
test-artifacts/axe-<page>.json."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from articles import services
from review import services as review_services
from tests.browser.conftest import artifact
from tests.conftest import STORY, make_article, run_extraction_now
from tests.support.verdicts import judge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def newsroom(editor, other_editor, reviewer, second_reviewer, chief):
    """Two articles in review: one re-extracted after an edit, assigned and due; one with a claim
    held by another reviewer and a few verdicts."""
    edited = make_article(editor, title="Ferry budget approved", status="in_review")
    review_services.record_verdict(
        edited.claims.get(ordinal=1),
        judged=judge(edited.claims.get(ordinal=1)),
        by=second_reviewer,
        verdict="verified",
        note="Minutes.",
    )
    services.update_article(
        edited,
        by=editor,
        title=edited.title,
        body=STORY.replace("7 to 2", "6 to 3") + "\nThe ferries will carry 400 passengers.\n",
    )
    run_extraction_now(edited.extraction_jobs.order_by("-id").first().pk)
    edited.refresh_from_db()
    review_services.set_publish_by(
        edited, by=editor, publish_by=timezone.now() + dt.timedelta(hours=5)
    )
    review_services.assign_article(edited, reviewer=reviewer, by=chief)
    other = make_article(other_editor, title="Bridge repairs start", status="in_review")
    review_services.hold_claim(other.claims.get(ordinal=0), by=second_reviewer)
    review_services.record_verdict(
        other.claims.get(ordinal=2),
        judged=judge(other.claims.get(ordinal=2)),
        by=second_reviewer,
        verdict="unverified",
        note="No source.",
    )
    return {"edited": edited, "other": other}


def assert_clean(violations: list[dict], name: str) -> None:
    assert violations == [], f"axe found serious/critical violations on {name}: {violations}"


def test_queue_article_page_and_dashboards_have_no_serious_violations(
    new_page, sign_in, axe, newsroom
):
    from playwright.sync_api import expect

    edited = newsroom["edited"]
    queue = new_page()
    sign_in(queue, "reviewer")
    assert_clean(axe(queue, "dashboard-reviewer"), "the reviewer's dashboard")
    queue.goto("/review/")
    expect(queue.locator(".badge-assigned")).to_have_count(1)
    expect(queue.locator(".hold-badge")).to_have_count(1)
    queue.keyboard.press("j")
    expect(queue.locator("#claim-panel .verdict-form")).to_be_visible()
    queue.keyboard.press("v")
    queue.locator(".bulk-form summary").first.click()  # the bulk form open too
    assert_clean(axe(queue, "queue"), "the queue")
    queue.keyboard.press("?")
    expect(queue.locator("#shortcuts")).to_be_visible()
    assert_clean(axe(queue, "queue-shortcuts"), "the keyboard help")
    queue.screenshot(path=artifact("queue-shortcuts.png"))

    desk = new_page()
    sign_in(desk, "editor")
    expect(desk.locator("#my-reviews")).to_contain_text("Ferry budget approved")
    assert_clean(axe(desk, "dashboard-editor"), "the editor's dashboard")
    desk.goto(f"/articles/{edited.pk}/")
    expect(desk.locator("#review-panel")).to_contain_text("R. Reviewer")  # loaded by htmx
    expect(desk.get_by_role("heading", name="Changes since the last review round")).to_be_visible()
    assert_clean(axe(desk, "article"), "the article page")
    desk.screenshot(path=artifact("article-in-review.png"), full_page=True)

    chief = new_page()
    sign_in(chief, "chief")
    assert_clean(axe(chief, "dashboard-chief"), "the chief editor's dashboard")
    chief.goto(f"/articles/{newsroom['other'].pk}/")
    expect(chief.locator("#review-panel select")).to_be_visible()
    assert_clean(axe(chief, "article-chief"), "the article page with the assign form")
    chief.goto("/review/activity/")
    assert_clean(axe(chief, "activity"), "the activity page")
