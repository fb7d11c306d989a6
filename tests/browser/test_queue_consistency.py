"""What the queue page shows stays what is stored (issue 13), in a real browser: the counts of a
filtered queue after a verdict (headline, screen-reader announcement, the article's heading), the
claim panel after a verdict and after a bulk verdict that included the open claim, and another
reviewer's hold, which counts down and disappears once their verdict removes the claim.

The server side of each is tested in tests/review/test_queue_consistency.py."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import artifact, wait_for_js
from tests.conftest import STORY_CLAIMS, make_article
from tests.support.verdicts import judge

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def two_stories(editor, other_editor):
    return (
        make_article(editor, title="Ferry budget approved", status="in_review"),
        make_article(other_editor, title="Bridge repairs start", status="in_review"),
    )


def settled(page) -> None:
    """Wait until the queue's own follow-ups are done: after a save it opens the next claim
    150 ms later (static/js/review-keys.js), which would replace a panel being filled in."""
    page.wait_for_timeout(300)
    wait_for_js(page, "document.querySelector('.htmx-request') === null")


def save_in_panel(page, claim, *, note: str) -> None:
    from playwright.sync_api import expect

    settled(page)
    panel = page.locator("#claim-panel .claim-panel-inner[data-claim]")
    if panel.count() == 0 or panel.get_attribute("data-claim") != str(claim.pk):
        row = page.locator(f"#claim-row-{claim.pk}")
        row.get_by_role("link", name=re.compile("Judge")).click()
        expect(panel).to_have_attribute("data-claim", str(claim.pk))
        settled(page)
    page.locator("#claim-panel").get_by_role("radio", name="Verified", exact=True).check()
    page.locator(f"#panel-{claim.pk}-note").fill(note)
    page.locator("#claim-panel").get_by_role("button", name="Save verdict").click()


def test_every_count_of_a_filtered_queue_follows_a_verdict(
    new_page, sign_in, reviewer, second_reviewer, two_stories, axe
):
    from playwright.sync_api import expect

    from review import services as review_services

    ferry, _ = two_stories
    *others, last = ferry.claims.order_by("ordinal")
    review_services.record_verdicts(
        others[1:],
        by=second_reviewer,
        judged={claim.pk: judge(claim) for claim in others[1:]},
        verdict="verified",
        note="Minutes.",
    )
    page = new_page()
    sign_in(page, "reviewer")
    page.goto(f"/review/?article={ferry.pk}")
    summary = page.locator("#queue-summary")
    expect(summary).to_have_text("2 claims awaiting you in 1 article matching these filters.")

    verdict_url = f"/review/claims/{others[0].pk}/verdict/"
    with page.expect_response(lambda response: verdict_url in response.url) as answer:
        save_in_panel(page, others[0], note="Council minutes.")
    answered = answer.value.text()

    expect(summary).to_have_text("1 claim awaiting you in 1 article matching these filters.")
    expect(page.locator("#queue-counts")).to_have_text(
        "In the articles shown: 1 pending · 5 verified · 0 unverified".replace(
            "5", str(STORY_CLAIMS - 1)
        )
    )
    expect(page.locator(f"#queue-group-counts-{ferry.pk}")).to_have_text(
        f"1 pending · {STORY_CLAIMS - 1} verified · 0 unverified"
    )
    expect(page.locator("#queue-announcer")).to_contain_text(
        "1 claim awaiting you in 1 article matching these filters."
    )
    # The answer re-read the panel: the saved verdict and its history agree. (Read from the answer:
    # on screen the panel moves on to the next pending claim a moment later, by design.)
    panel_copy = answered.split('<div id="claim-panel" hx-swap-oob="innerHTML">', 1)[1]
    assert f'data-claim="{others[0].pk}"' in panel_copy
    assert "Council minutes." in panel_copy
    assert "No verdict yet" not in panel_copy
    expect(page.locator("#claim-panel .claim-panel-inner[data-claim]")).to_have_attribute(
        "data-claim", str(last.pk)
    )

    save_in_panel(page, last, note="Harbour report.")

    expect(page.locator(f"#queue-group-counts-{ferry.pk}")).to_have_text(
        f"0 pending · {STORY_CLAIMS} verified · 0 unverified"
    )
    expect(summary).to_have_text("0 claims awaiting you in 0 articles matching these filters.")
    page.screenshot(path=artifact("queue-filtered-counts.png"), full_page=True)
    assert axe(page, "queue-filtered-counts") == []


def test_a_bulk_verdict_that_includes_the_open_claim_leaves_no_verdict_form(
    new_page, sign_in, reviewer, two_stories
):
    from playwright.sync_api import expect

    ferry, _ = two_stories
    first, second = ferry.claims.order_by("ordinal")[:2]
    page = new_page()
    sign_in(page, "reviewer")
    page.goto("/review/")
    page.locator(f"#claim-row-{first.pk}").get_by_role("link", name=re.compile("Judge")).click()
    expect(page.locator("#claim-panel form.verdict-form")).to_be_visible()

    for claim in (first, second):
        page.locator(f"#claim-row-{claim.pk}").get_by_label(re.compile("Tick claim")).check()
    group = page.locator(f"#queue-group-{ferry.pk}")
    # Ticking opens the bulk bar (static/js/review-keys.js): no click on its summary needed.
    group.get_by_role("radio", name="Unverified", exact=True).check()
    group.get_by_label("Note (the same for each claim)").fill("No source found.")
    group.get_by_role("button", name="Record for the ticked claims").click()

    panel = page.locator("#claim-panel")
    expect(panel).to_contain_text("2 claims unverified.")
    expect(panel).to_contain_text("No source found.")
    expect(panel.locator("form.verdict-form")).to_have_count(0)


def test_another_reviewers_hold_counts_down_and_goes_with_their_verdict(
    new_page, sign_in, reviewer, second_reviewer, two_stories, axe
):
    from playwright.sync_api import expect

    ferry, _ = two_stories
    claim = ferry.claims.get(ordinal=0)
    holder = new_page()
    sign_in(holder, "reviewer")
    holder.goto("/review/")
    holder.locator(f"#claim-row-{claim.pk}").get_by_role("link", name=re.compile("Judge")).click()
    expect(holder.locator("#claim-panel")).to_contain_text("You have this claim open until")

    other = new_page()
    sign_in(other, "second_reviewer")
    other.goto("/review/")
    other.locator(f"#claim-row-{claim.pk}").get_by_role("link", name=re.compile("Judge")).click()
    countdown = other.locator("#claim-panel .hold-note .hold-left").first
    expect(countdown).to_have_text(re.compile(r"^4 min [0-5]\d s$"))
    first_reading = countdown.text_content()
    expect(countdown).not_to_have_text(first_reading, timeout=3_000)  # it ticks
    assert axe(other, "queue-held-panel") == []

    save_in_panel(holder, claim, note="Council minutes.")
    expect(holder.locator(f"#claim-row-{claim.pk} .verdict-badge")).to_have_text("Verified")

    # The second reviewer's page follows by itself (the version poller, then a list refresh that
    # re-reads the panel): no "Held by", the verdict in the history.
    panel = other.locator("#claim-panel")
    expect(panel).not_to_contain_text("Held by", timeout=15_000)
    expect(panel).to_contain_text("Council minutes.")
