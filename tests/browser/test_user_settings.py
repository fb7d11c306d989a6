"""The user menu and the settings page in a real browser (issue 13): a reviewer opens the menu
from the header, sets their time zone, and the article page shows its times in it, labelled;
axe-core finds nothing serious on the settings page with the menu open, at desktop and phone
widths."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import artifact
from tests.conftest import make_article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_sets_their_time_zone_from_the_user_menu(
    new_page, sign_in, editor, reviewer, axe
):
    import time_machine
    from playwright.sync_api import expect

    with time_machine.travel(dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC), tick=False):
        article = make_article(editor, status="in_review")
    page = new_page()
    sign_in(page, "reviewer")

    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Saved. Times are now shown in Asia/Tokyo.")).to_be_visible()
    page.locator(".user-menu summary").click()
    expect(page.get_by_role("link", name="API tokens", exact=True)).to_be_visible()
    assert axe(page, "settings") == []
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifact("settings-390.png"), full_page=True)
    assert axe(page, "settings-390") == []

    page.goto(f"/articles/{article.pk}/")
    expect(page.locator("main")).to_contain_text("7 Dec 2026, 08:30 JST")
