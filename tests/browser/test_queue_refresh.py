"""The queue's keyboard and a refresh of its list that lands at the same moment.

A refresh swaps in new rows; htmx wires their links only after its settle delay. `j` opens the
claim 150 ms after the key comes to rest: if that fell inside the delay and the keyboard clicked
the row's link, the browser followed the plain link to the claim's own page and the reviewer
lost the queue (seen in CI under load). Here the delay is stretched to 3 s so the window is
certain, not a matter of timing.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import wait_for_js
from tests.conftest import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def queue_with_a_story(new_page, sign_in, editor):
    """(the reviewer's queue page, showing a story in review; the story's first claim)."""
    from playwright.sync_api import expect

    article = make_article(editor, status="in_review")
    page = new_page()
    sign_in(page, "reviewer")
    page.goto("/review/")
    expect(page.locator("li.queue-row")).to_have_count(article.claims.active().count())
    return page, article.claims.active().order_by("ordinal").first()


def test_j_opens_the_claim_in_the_panel_while_a_refreshed_list_settles(
    new_page, sign_in, editor, reviewer
):
    from playwright.sync_api import expect

    page, first = queue_with_a_story(new_page, sign_in, editor)

    page.evaluate("htmx.config.defaultSettleDelay = 3000")
    with page.expect_response(lambda response: "/review/queue/partial" in response.url):
        page.evaluate("htmx.trigger(document.body, 'queueChanged')")
    # The new rows are in, and not yet settled: their links are plain links for 3 s.
    expect(page.locator(f"#claim-row-{first.pk}")).to_be_visible()
    page.keyboard.press("j")

    panel = page.locator("#claim-panel .claim-panel-inner[data-claim]")
    expect(panel).to_have_attribute("data-claim", str(first.pk), timeout=2_000)
    assert page.url.endswith("/review/")
    expect(page.locator(f"#claim-row-{first.pk}")).to_have_attribute("aria-current", "true")


def test_a_refresh_asked_before_a_verdict_cannot_show_the_claim_pending_again(
    new_page, sign_in, editor, reviewer
):
    """The poller's refresh is asked for, then the reviewer saves a verdict, then the refresh
    answers with the list as it was before the verdict. That answer must not replace the list
    (seen in CI under load: the saved claim read "pending" again)."""
    from playwright.sync_api import expect

    page, first = queue_with_a_story(new_page, sign_in, editor)
    page.evaluate(
        """document.body.addEventListener("htmx:afterRequest", function (event) {
             if (event.detail.elt.id === "queue-refresh") { window.refreshAnswered = true; }
           })"""
    )

    held = []

    def hold_the_first_refresh(route):
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/review/queue/partial/**", hold_the_first_refresh)
    page.evaluate("htmx.trigger(document.body, 'queueChanged')")
    wait_for_js(page, "document.querySelector('#queue-refresh.htmx-request') !== null")
    # The route handler runs when Playwright next dispatches its events, a moment after htmx
    # marked the request as sent.
    for _ in range(200):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    before = page.request.get(held[0].request.url, headers=held[0].request.headers)
    assert before.ok

    page.keyboard.press("j")
    expect(page.locator("#claim-panel .claim-panel-inner[data-claim]")).to_have_attribute(
        "data-claim", str(first.pk)
    )
    page.keyboard.press("v")
    page.keyboard.press("n")
    page.keyboard.type("Council minutes.")
    page.keyboard.press("Control+Enter")
    announcer = page.locator("#queue-announcer")
    expect(announcer).to_contain_text("Claim 1 saved: verified.")

    held[0].fulfill(status=200, headers=dict(before.headers), body=before.body())
    wait_for_js(page, "window.refreshAnswered === true")
    badge = page.locator(f"#claim-row-{first.pk} .verdict-badge")
    expect(badge).to_have_text("Verified")
    first.refresh_from_db()
    assert first.verdict == "verified"
