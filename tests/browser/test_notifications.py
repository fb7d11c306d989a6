"""Notifications in a real browser (issue 14): a chief editor assigns an article; the reviewer's
bell, already open in another browser, counts it without a reload (htmx polling), and the email
reaches the test SMTP server through a real worker; /notifications/ is axe-clean at desktop and
390 px widths, and marking read empties the bell."""

from __future__ import annotations

import pytest

from articles import permissions
from review.notifications import services
from tests.browser.conftest import artifact
from tests.conftest import make_article, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bell_counts_an_assignment_without_a_reload_and_the_email_arrives(
    new_page, sign_in, axe, smtp_server, mail_worker, editor, chief
):
    from playwright.sync_api import expect

    article = make_article(editor, title="Harbor ferries", status="in_review")
    rita = make_user(
        "rita",
        permissions.REVIEWER,
        first_name="Rita",
        last_name="Reyes",
        email="rita@example.test",
    )
    services.set_channel(rita, kind="assigned", channel="immediate")
    mail_worker()

    reviewer_page = new_page()
    sign_in(reviewer_page, "rita")
    bell = reviewer_page.locator("a.bell")
    expect(bell).to_have_text("Notifications")
    reviewer_page.evaluate("window.notReloaded = true")

    chief_page = new_page()
    sign_in(chief_page, "chief")
    chief_page.goto(f"/articles/{article.pk}/")
    chief_page.locator("#review-panel select").select_option(str(rita.pk))
    chief_page.get_by_role("button", name="Assign", exact=True).click()
    expect(chief_page.locator("#review-panel .assignments")).to_contain_text("Reyes")

    # The bell polls every 15 s: the count appears in the page the reviewer has open.
    expect(bell.locator(".bell-count")).to_have_text("1", timeout=25_000)
    assert reviewer_page.evaluate("window.notReloaded") is True
    [message] = smtp_server.wait_for(1)
    assert message.envelope_recipients == ["rita@example.test"]
    assert "Harbor ferries" in message["Subject"]

    bell.click()
    expect(reviewer_page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(reviewer_page.locator(".notification-unread")).to_contain_text("assigned you")
    assert axe(reviewer_page, "notifications") == []
    reviewer_page.set_viewport_size({"width": 390, "height": 844})
    reviewer_page.screenshot(path=artifact("notifications-390.png"), full_page=True)
    assert axe(reviewer_page, "notifications-390") == []

    reviewer_page.get_by_role("button", name="Mark read").click()
    expect(reviewer_page.locator(".notification-unread")).to_have_count(0)
    expect(bell.locator(".bell-count")).to_have_count(0)
    reviewer_page.goto("/notifications/settings/")
    assert axe(reviewer_page, "notification-settings-390") == []
