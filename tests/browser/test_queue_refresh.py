"""The queue's keyboard and a refresh of its list that lands at the same moment.

A refresh swaps in new rows; htmx wires their links only after its settle delay. `j` opens the
claim 150 ms after the key comes to rest: if that fell inside the delay and the keyboard clicked
the row's link, the browser followed the plain link to the claim's own page and the reviewer
lost the queue (seen in CI under load). Here the delay is stretched to 3 s so the window is
certain, not a matter of timing.
"""

from __future__ import annotations

import pytest

from tests.conftest import make_article

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_j_opens_the_claim_in_the_panel_while_a_refreshed_list_settles(new_page, sign_in, editor, reviewer):
    from playwright.sync_api import expect

    article = make_article(editor, status="in_review")
    first = article.claims.active().order_by("ordinal").first()
    page = new_page()
    sign_in(page, "reviewer")
    page.goto("/review/")
    expect(page.locator("li.queue-row")).to_have_count(article.claims.active().count())

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
