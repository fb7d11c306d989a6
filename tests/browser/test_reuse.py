"""Reusing a verdict in a real browser: in the queue's claim panel, the reviewer sees the verdict
already given on the same fact in another article, with its provenance, and reuses it in one
click; the claim's row in the list shows the verdict (htmx), and the database has it with its
source."""

from __future__ import annotations

import pytest

from articles.models import ArticleEvent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]


def test_a_reviewer_reuses_a_verdict_from_the_claim_panel(
    new_page, sign_in, judged_pair, second_reviewer
):
    from playwright.sync_api import expect

    source, target = judged_pair
    page = new_page()
    sign_in(page, "second_reviewer")
    page.goto("/review/")

    page.locator(f"#claim-row-{target.pk} .open-claim").click()
    offer = page.locator(f"#reuse-{target.pk}-{source.pk}")
    expect(offer).to_contain_text("Verified")
    expect(offer).to_contain_text("“Ferry budget approved”")
    expect(offer).to_contain_text("https://example.org/minutes")
    offer.get_by_role("button", name="Reuse this verdict").click()

    row = page.locator(f"#claim-row-{target.pk}")
    expect(row).to_contain_text("Verified")
    expect(row).to_contain_text("Reused: verified.")
    target.refresh_from_db()
    assert (target.verdict, target.reviewed_by, target.reused_from) == (
        "verified",
        second_reviewer,
        source,
    )
    assert ArticleEvent.objects.get(claim=target, kind="verdict").source_claim == source


def test_the_queue_marks_claims_checked_before_and_r_reuses_the_verdict(
    new_page, sign_in, judged_pair, second_reviewer
):
    from playwright.sync_api import expect

    source, target = judged_pair
    page = new_page()
    sign_in(page, "second_reviewer")
    page.goto("/review/")
    # Only the claim whose fact carries a verdict elsewhere has the badge.
    badges = page.locator("li.queue-row .badge-reuse")
    expect(badges).to_have_count(1)
    row = page.locator(f"#claim-row-{target.pk}")
    expect(row.locator(".badge-reuse")).to_contain_text("Checked before")

    row.locator(".claim-text").click()  # the row becomes the current one, keys act on it
    expect(row).to_have_attribute("aria-current", "true")
    page.keyboard.press("r")
    expect(row).to_contain_text("Reused: verified.")
    target.refresh_from_db()
    assert (target.verdict, target.reviewed_by, target.reused_from) == (
        "verified",
        second_reviewer,
        source,
    )
    assert ArticleEvent.objects.get(claim=target, kind="verdict").source_claim == source


def test_the_suggestion_tops_the_panel_and_save_stays_in_view_at_1280x800(
    new_page, sign_in, judged_pair, second_reviewer
):
    from playwright.sync_api import expect

    source, target = judged_pair
    page = new_page(viewport={"width": 1280, "height": 800})
    sign_in(page, "second_reviewer")
    page.goto("/review/")
    page.locator(f"#claim-row-{target.pk} .open-claim").click()
    offer = page.locator(f"#reuse-{target.pk}-{source.pk}")
    expect(offer).to_be_visible()
    form = page.locator("#claim-panel form.verdict-form")
    assert offer.bounding_box()["y"] < form.bounding_box()["y"]
    for element in (
        offer.get_by_role("button", name="Reuse this verdict"),
        form.get_by_role("button", name="Save verdict"),
    ):
        box = element.bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= 800, box
