"""The golden path in a real browser (Debian's Chromium through Playwright) against the live server,
with a real Celery worker on a real Redis: an editor writes and submits an article, the worker
extracts its claims, a reviewer works the whole queue with the keyboard only while a second
reviewer sees the claim they have open as held, and the editor, watching the progress live,
publishes. Screenshots of the queue and the article page go to test-artifacts/."""

from __future__ import annotations

import re
import time

import pytest

from articles.models import Article, ArticleEvent, Claim
from review.models import ClaimHold
from tests.browser.conftest import artifact
from tests.conftest import STORY, STORY_CLAIMS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_editor_submits_reviewer_works_the_queue_by_keyboard_editor_publishes(
    celery_worker, new_page, sign_in, editor, reviewer, second_reviewer
):
    from playwright.sync_api import expect

    started = time.monotonic()

    # --- The editor writes and submits; the worker extracts. -----------------------------------
    desk = new_page()
    sign_in(desk, "editor")
    desk.get_by_role("link", name="New article", exact=True).click()
    desk.get_by_label("Title").fill("Ferry budget approved")
    desk.get_by_label("Body").fill(STORY)
    desk.get_by_role("button", name="Save draft").click()
    expect(desk.get_by_text("Draft saved.")).to_be_visible()
    desk.get_by_role("button", name="Submit for review").click()
    # The extraction block polls; once the worker is done it reloads the page (HX-Refresh).
    expect(desk.locator("#extraction-status")).to_contain_text("Claims extracted", timeout=30_000)
    article = Article.objects.get()
    assert article.status == Article.Status.IN_REVIEW
    claims = list(article.claims.order_by("ordinal"))
    assert len(claims) == STORY_CLAIMS
    expect(desk.locator("#gate")).to_contain_text(f"0 of {STORY_CLAIMS} verified")

    # --- The reviewer opens the queue; from here on, the keyboard only. ------------------------
    queue = new_page()
    sign_in(queue, "reviewer")
    queue.goto("/review/")
    rows = queue.locator("li.queue-row")
    expect(rows).to_have_count(STORY_CLAIMS)
    panel = queue.locator("#claim-panel .claim-panel-inner[data-claim]")
    announcer = queue.locator("#queue-announcer")

    def current_claim() -> str:
        current = queue.locator('li.queue-row[aria-current="true"]')
        expect(current).to_have_count(1)
        return current.get_attribute("data-claim")

    queue.keyboard.press("j")
    first = str(claims[0].pk)
    expect(rows.first).to_have_attribute("aria-current", "true")
    expect(panel).to_have_attribute("data-claim", first)
    assert queue.evaluate("document.activeElement.id") == f"claim-row-{first}"
    expect(announcer).to_contain_text("Claim 1 of Ferry budget approved.")
    expect(queue.locator("#claim-panel mark")).to_have_text(claims[0].text)
    expect(queue.locator("#claim-panel")).to_contain_text("You have this claim open until")

    # --- A second reviewer sees that claim held, and cannot judge it. --------------------------
    other = new_page()
    sign_in(other, "second_reviewer")
    other.goto("/review/")
    held_row = other.locator(f"#claim-row-{first}")
    # A live countdown (static/js/app.js), from the server's count of seconds.
    expect(held_row.locator(".hold-badge")).to_have_text(
        re.compile(r"^Held by R\. Reviewer for 4 min [0-5]\d s\.$")
    )
    expect(held_row.locator('input[name="claims"]')).to_be_disabled()
    held_row.get_by_role("link", name="Judge claim 1").click()
    expect(other.locator("#claim-panel")).to_contain_text("Held by R. Reviewer")
    # The verdict form is disabled; the claim's conversation stays open to them (a comment judges
    # nothing).
    verdict_form = other.locator("#claim-panel .verdict-form")
    for field in verdict_form.locator('[name="verdict"], textarea').all():
        expect(field).to_be_disabled()
    expect(verdict_form.locator("button[type=submit]")).to_be_disabled()
    expect(other.locator(f"#claim-panel #thread-{first} textarea").first).to_be_enabled()
    assert ClaimHold.objects.get().holder == reviewer
    other.screenshot(path=artifact("queue-second-reviewer.png"), full_page=True)

    # --- j/k move; each claim: v (or u then v), n, a note, Ctrl+Enter (or Esc, Enter). ---------
    queue.keyboard.press("j")
    expect(panel).to_have_attribute("data-claim", str(claims[1].pk))
    queue.keyboard.press("k")
    expect(panel).to_have_attribute("data-claim", first)
    expect(rows.first).to_have_attribute("aria-current", "true")
    assert ClaimHold.objects.get().claim_id == claims[0].pk  # the hold followed the reviewer

    for index, claim in enumerate(claims):
        number = index + 1
        assert current_claim() == str(claim.pk)
        expect(panel).to_have_attribute("data-claim", str(claim.pk))
        if index == 1:
            queue.keyboard.press("u")
            expect(announcer).to_contain_text(f"Unverified chosen for claim {number}.")
        queue.keyboard.press("v")
        expect(announcer).to_contain_text(f"Verified chosen for claim {number}.")
        queue.keyboard.press("n")
        note = queue.locator(f"#panel-{claim.pk}-note")
        expect(note).to_be_focused()
        queue.keyboard.type(f"Council minutes, page {number}.")
        if index == 2:
            queue.keyboard.press("Escape")  # back to the claim, then Enter saves
            expect(queue.locator(f"#claim-row-{claim.pk}")).to_be_focused()
            queue.keyboard.press("Enter")
        else:
            queue.keyboard.press("Control+Enter")
        expect(announcer).to_contain_text(f"Claim {number} saved: verified.")
        if number == 2:
            queue.screenshot(path=artifact("queue.png"), full_page=True)
    expect(announcer).to_contain_text("That was the last open claim on this page.")
    # The list follows by itself: judged rows leave it without a reload.
    expect(queue.locator("#queue-summary")).to_have_text(
        "0 claims awaiting you in 0 articles.", timeout=15_000
    )
    expect(rows).to_have_count(0)
    expect(other.locator("li.queue-row")).to_have_count(0, timeout=15_000)

    assert (
        list(article.claims.values_list("verdict", "reviewed_by"))
        == [("verified", reviewer.pk)] * STORY_CLAIMS
    )
    assert sorted(article.claims.values_list("note", flat=True)) == [
        f"Council minutes, page {n}." for n in range(1, STORY_CLAIMS + 1)
    ]
    verdicts = ArticleEvent.objects.filter(article=article, kind=ArticleEvent.Kind.VERDICT)
    assert set(verdicts.values_list("actor", "to_state")) == {(reviewer.pk, "verified")}
    # The second claim was judged once, with its final choice: u then v only picked a radio.
    assert verdicts.count() == STORY_CLAIMS
    assert not ClaimHold.objects.exists()

    # --- The editor watched the progress live, and publishes. -----------------------------------
    expect(desk.locator("#gate")).to_contain_text(
        f"{STORY_CLAIMS} of {STORY_CLAIMS} verified", timeout=15_000
    )
    publish = desk.get_by_role("button", name="Publish", exact=True)
    expect(publish).to_be_enabled()
    publish.click()
    expect(desk.get_by_text("Published.", exact=True)).to_be_visible()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    desk.screenshot(path=artifact("article.png"), full_page=True)
    assert Claim.objects.filter(article=article, verdict="verified").count() == STORY_CLAIMS

    elapsed = time.monotonic() - started
    artifact("e2e-duration.txt").write_text(f"{elapsed:.1f} s\n")
    assert re.fullmatch(r"\d+\.\d s\n", artifact("e2e-duration.txt").read_text())
