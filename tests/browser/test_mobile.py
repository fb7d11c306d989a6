"""Phones (issue 13): the queue and the article page at 390 px wide in a real Chromium. Nothing
overflows sideways, the filters wrap, tapping Judge opens the claim as a full-screen sheet with a
close button (before: the panel loaded thousands of pixels down, out of sight), and the gate is at
the top of the article page. axe-core stays clean."""

from __future__ import annotations

import pytest

from articles.models import Claim
from review.models import ClaimHold
from tests.browser.conftest import artifact
from tests.conftest import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
LONG_TITLE = "Harbor City council approves the ferry budget after a long night of debate"


def assert_no_sideways_scroll(page) -> None:
    """Nothing reaches past the screen's right edge: no sideways scroll, and nothing cut off.
    Measured against the screen's width as configured, not `window.innerWidth`: on an emulated
    phone the layout viewport grows to fit content that is too wide, so a page 442 px wide
    reported 442 px of content in a 442 px window (the article page's "Return to draft" form)."""
    screen = page.viewport_size["width"]
    scroll_width, past_the_edge = page.evaluate(
        """(screen) => [document.scrollingElement.scrollWidth,
            Array.from(document.body.querySelectorAll("*"))
              .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > screen + 0.5)
              .filter(e => !e.closest(".visually-hidden, [hidden]"))
              .map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + e.className)]""",
        screen,
    )
    assert scroll_width <= screen, f"{scroll_width} px of content on a {screen} px screen"
    assert past_the_edge == [], past_the_edge


def assert_in_viewport(page, locator) -> None:
    box = locator.bounding_box()
    width, height = page.evaluate("[window.innerWidth, window.innerHeight]")
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= height + 0.5, box


def test_the_queue_on_a_phone_opens_a_claim_as_a_full_screen_sheet(
    new_page, sign_in, axe, editor, reviewer
):
    from playwright.sync_api import expect

    article = make_article(editor, title=LONG_TITLE, status="in_review")
    last = article.claims.active().order_by("ordinal").last()
    page = new_page(**PHONE)
    sign_in(page, "reviewer")
    page.goto("/review/")
    expect(page.locator("li.queue-row")).to_have_count(article.claims.active().count())
    assert_no_sideways_scroll(page)
    # The filters wrap: each stays inside the page.
    for select in page.locator("#queue-filters select").all():
        box = select.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    assert axe(page, "queue-phone") == []

    row = page.locator(f"#claim-row-{last.pk}")
    row.get_by_role("link", name=f"Judge claim {last.ordinal + 1}").tap()
    sheet = page.locator("#claim-panel")
    expect(sheet.locator(f'.claim-panel-inner[data-claim="{last.pk}"]')).to_be_visible()
    # A sheet over the whole screen, with its close button and its form in reach.
    box = sheet.bounding_box()
    assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
    close = sheet.get_by_role("button", name=f"Close claim {last.ordinal + 1}")
    assert_in_viewport(page, close)
    assert_in_viewport(page, sheet.get_by_role("radio", name="Verified", exact=True))
    assert ClaimHold.objects.get().claim_id == last.pk
    page.screenshot(path=artifact("queue-phone-sheet.png"))
    assert axe(page, "queue-phone-sheet") == []

    sheet.get_by_role("radio", name="Verified", exact=True).check()
    sheet.get_by_label("Note").fill("Council minutes, item 4.")
    sheet.get_by_role("button", name="Save verdict").tap()
    expect(page.locator("#toast")).to_contain_text(f"Claim {last.ordinal + 1} saved: verified.")
    assert Claim.objects.get(pk=last.pk).verdict == "verified"

    sheet.get_by_role("button", name=f"Close claim {last.ordinal + 1}").tap()
    expect(sheet.locator(".claim-panel-inner[data-claim]")).to_have_count(0)
    expect(sheet).to_be_hidden()
    assert_no_sideways_scroll(page)
    assert not ClaimHold.objects.exists()


def test_the_article_page_on_a_phone_has_the_gate_at_the_top(new_page, sign_in, axe, editor):
    article = make_article(editor, title=LONG_TITLE, status="in_review")
    page = new_page(**PHONE)
    sign_in(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    gate = page.locator("#gate")
    text = page.locator("#body-heading")
    assert gate.bounding_box()["y"] < text.bounding_box()["y"]
    assert_in_viewport(page, gate.locator(".gate-reason"))
    assert_no_sideways_scroll(page)
    page.screenshot(path=artifact("article-phone.png"), full_page=True)
    assert axe(page, "article-phone") == []


def test_the_article_page_on_a_laptop_keeps_the_gate_beside_the_text(new_page, sign_in, editor):
    article = make_article(editor, status="in_review")
    page = new_page()
    sign_in(page, "editor")
    page.goto(f"/articles/{article.pk}/")
    gate = page.locator("#gate").bounding_box()
    text = page.locator("#body-heading").bounding_box()
    assert gate["x"] > text["x"] + text["width"]


def test_a_correction_held_at_the_gate_fits_a_phone_for_a_chief(
    new_page, sign_in, editor, reviewer, chief
):
    """The article page with a correction over an unverified claim (the override form with its
    correction note) and the claim page with a link from the conversation, at 390 px."""
    from playwright.sync_api import expect

    from review.conversations import services as talk
    from tests.articles.test_corrections import corrected, verify_changed

    article = corrected(editor)
    verify_changed(article, reviewer, verdict="unverified", note="No source.")
    claim = article.claims.active().order_by("ordinal").first()
    talk.add_comment(claim, by=reviewer, body="Source: https://stats.example.org/ferry-budget.")
    page = new_page(**PHONE)
    sign_in(page, "chief")

    page.goto(f"/articles/{article.pk}/")
    expect(
        page.get_by_role("button", name="Publish the correction over unverified claims")
    ).to_be_visible()
    expect(page.get_by_label("Correction note (public)")).to_have_count(1)  # one note field
    assert_no_sideways_scroll(page)
    page.screenshot(path=artifact("correction-override-phone.png"), full_page=True)

    page.goto(f"/review/claims/{claim.pk}/")
    expect(page.get_by_text("Linked in the conversation:")).to_be_visible()
    assert_no_sideways_scroll(page)
