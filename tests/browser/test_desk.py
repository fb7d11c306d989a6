"""The Desk in Chromium: the charts drawn, their data tables, a filter that updates the charts
without reloading the page, screenshots at 1280 and 390 px (test-artifacts/desk-*.png), axe-core
clean at both widths, and no Content-Security-Policy violation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import artifact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RANGE = "?since=2026-01-05&until=2026-01-06"


def test_desk_draws_its_charts_filters_in_place_and_is_accessible(
    new_page, sign_in, axe, desk_fixture
):
    from playwright.sync_api import expect

    page = new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, "chief")
    page.get_by_role("link", name="Desk").click()
    expect(page.get_by_role("heading", name="Desk", exact=True)).to_be_visible()
    page.goto("/desk/" + RANGE)
    for title in ("Backlog", "Verdicts per day", "Reviewer load", "Check-worthiness calibration"):
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    # The verdicts-per-day chart draws one bar per non-zero figure: 8 + 1 on the 5th, 5 on the 6th
    # (UTC here), each a link to the claims behind it.
    bars = page.locator("#chart-verdicts-day svg a rect")
    expect(bars).to_have_count(3)
    page.locator("#chart-load summary").click()
    load_table = page.locator("#chart-load table")
    expect(load_table).to_contain_text("second_reviewer")
    page.screenshot(path=artifact("desk-1280.png"), full_page=True)
    assert axe(page, "desk-1280") == []

    # A filter updates the charts without a full reload: a marker set on the window survives.
    page.evaluate("window.deskMarker = 'still here'")
    page.locator("#id_reviewer").select_option(label="second_reviewer")
    expect(page.locator("#chart-load tbody tr")).to_have_count(1)
    assert page.evaluate("window.deskMarker") == "still here"
    assert "reviewer=" in page.url

    # Behind a bar: the claims of that day.
    page.locator("#chart-verdicts-day svg a").first.click()
    expect(page.get_by_role("heading", name="Claims behind the figure")).to_be_visible()

    narrow = new_page()
    narrow.set_viewport_size({"width": 390, "height": 844})
    sign_in(narrow, "chief")
    narrow.goto("/desk/" + RANGE)
    expect(narrow.get_by_role("heading", name="Backlog", exact=True)).to_be_visible()
    width = narrow.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the Desk scrolls sideways at 390 px ({width} px wide)"
    narrow.screenshot(path=artifact("desk-390.png"), full_page=True)
    assert axe(narrow, "desk-390") == []
    assert csp_errors == []
